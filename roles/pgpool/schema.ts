/** JSON schema (ajv) of the pgpool parameters. */
import { int, paramSchema, port } from '../../src/api/params.js';
import type { PgpoolParams } from './defaults.js';

export const schema = paramSchema<PgpoolParams>({
    pgpool_enabled: { type: 'boolean' },
    pgpool_port: port,
    pgpool_pcp_port: port,
    pgpool_pcp_username: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
    pgpool_pcp_password: { type: 'string', minLength: 1 },
    pgpool_num_init_children: int(1),
    pgpool_max_pool: int(1),
    pgpool_load_balance: { type: 'boolean' },
    pgpool_redirect_preference: { type: 'string', pattern: "^[^'\\n]*$" },
    pgpool_write_function_list: { type: 'string', pattern: "^[^'\\n]*$" },
    pgpool_health_check_period: int(0),
    pgpool_health_check_timeout: int(0),
    pgpool_sr_check_period: int(0),
    pgpool_auto_failback: { type: 'boolean' },
    pgpool_check_user: { type: 'string' },
});
