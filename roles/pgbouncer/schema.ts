/** JSON schema (ajv) of the pgbouncer parameters. */
import { absPath, int, paramSchema, port, strList } from '../../src/api/params.js';
import type { PgbouncerParams } from './defaults.js';
import { hbaRuleSchema } from '../pgsql/schema.js';

export const schema = paramSchema<PgbouncerParams>({
    pgbouncer_enabled: { type: 'boolean' },
    pgbouncer_port: port,
    pgbouncer_log_dir: absPath,
    pgbouncer_auth_query: { type: 'boolean' },
    pgbouncer_poolmode: { enum: ['transaction', 'session', 'statement'] },
    pgbouncer_sslmode: { enum: ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] },
    pgbouncer_ignore_param: strList,
    pgbouncer_max_client_conn: int(1),
    pgbouncer_default_pool_size: int(1),
    pgbouncer_min_pool_size: int(0),
    pgbouncer_reserve_pool_size: int(0),
    pgbouncer_max_db_connections: int(0),
    pgbouncer_max_user_connections: int(0),
    pgbouncer_server_lifetime: int(0),
    pgb_default_hba_rules: { type: 'array', items: hbaRuleSchema },
    pgb_hba_rules: { type: 'array', items: hbaRuleSchema },
});
