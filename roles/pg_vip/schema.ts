/** JSON schema (ajv) of the pg_vip parameters. */
import { paramSchema } from '../../src/api/params.js';
import type { PgVipParams } from './defaults.js';
export const schema = paramSchema<PgVipParams>({
    pg_vip_enabled: { type: 'boolean' },
    pg_vip_address: {
      type: 'string',
      pattern: '^([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[1-2][0-9]|3[0-2])$',
      description: 'an IPv4 address with its prefix length, e.g. 10.10.10.3/24',
    },
    pg_vip_interface: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]+$' },
    pg_vip_interval: { type: 'integer', minimum: 100 },
});
