/** JSON schema (ajv) of pg_id's parameters: merged host vars are checked before anything runs. */
import { ipv4, paramSchema, seq } from '../../src/api/params.js';
import type { PgIdParams } from './defaults.js';
import { PG_MODES, PG_ROLES } from './defaults.js';

export const schema = paramSchema<PgIdParams>({
    pg_cluster: {
      type: 'string',
      pattern: '^[A-Za-z0-9-]+$',
      not: { const: 'root' },
      description: 'cluster name: letters, digits and dashes, not root',
    },
    pg_seq: {
      ...seq,
      description: 'instance number: a non-negative integer unique in the cluster',
    },
    pg_role: { type: 'string', enum: [...PG_ROLES], description: 'instance role' },
    // Pigsty's modes: all valid; pgplay builds pgsql and skips the others' clusters with a warning (src/runner/unsupported.ts)
    pg_mode: { type: 'string', enum: [...PG_MODES], description: "a Pigsty mode (pgplay builds 'pgsql')" },
    pg_upstream: ipv4,
    pg_offline_query: { type: 'boolean' },
    pg_weight: { type: 'integer', minimum: 0, maximum: 255 },
});
