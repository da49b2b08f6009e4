/** JSON schema (ajv) of pg_pitr's parameters; the request itself is checked field by field in prepare (lib/pitr.ts). */
import { paramSchema } from '../../src/api/params.js';
import type { PgPitrParams } from './defaults.js';
export const schema = paramSchema<PgPitrParams>({
    pg_pitr: { type: 'object', description: 'the point-in-time recovery request (docs/pitr.md)' },
});
