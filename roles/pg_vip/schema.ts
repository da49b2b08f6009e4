/** JSON schema (ajv) of the pg_vip parameters. */
import { ipv4Cidr, paramSchema } from '../../src/api/params.js';
import type { PgVipParams } from './defaults.js';
export const schema = paramSchema<PgVipParams>({
    pg_vip_enabled: { type: 'boolean' },
    pg_vip_address: ipv4Cidr,
    pg_vip_interface: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]+$' },
    pg_vip_interval: { type: 'integer', minimum: 100 },
});
