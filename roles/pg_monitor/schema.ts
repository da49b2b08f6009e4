/** JSON schema of the pg_monitor parameters. */
import { absPath, paramSchema, port } from '../../src/api/params.js';
import type { PgMonitorParams } from './defaults.js';

export const schema = paramSchema<PgMonitorParams>({
    pg_exporter_enabled: { type: 'boolean' },
    pg_exporter_port: port,
    pg_exporter_params: { type: 'string', pattern: '^[^\\s"\'\\\\$`]*$' },
    pg_exporter_url: { type: 'string' },
    pg_exporter_options: { type: 'string', pattern: '^[^"\\\\$`]*$' },
    pgbouncer_exporter_enabled: { type: 'boolean' },
    pgbouncer_exporter_port: port,
    pgbackrest_exporter_enabled: { type: 'boolean' },
    pgbackrest_backup_interval: { type: 'integer', minimum: 60 },
    pg_monitor_paths: { type: 'array', items: absPath },
});
