/** JSON schema of the pg_monitor parameters. */
const port = { type: 'integer', minimum: 1, maximum: 65535 };

export const schema = {
  type: 'object',
  properties: {
    pg_exporter_enabled: { type: 'boolean' },
    pg_exporter_port: port,
    pg_exporter_params: { type: 'string', pattern: '^[^\\s"\'\\\\$`]*$' },
    pg_exporter_url: { type: 'string' },
    pg_exporter_options: { type: 'string', pattern: '^[^"\\\\$`]*$' },
    pgbouncer_exporter_enabled: { type: 'boolean' },
    pgbouncer_exporter_port: port,
    pgbackrest_exporter_enabled: { type: 'boolean' },
    pgbackrest_backup_interval: { type: 'integer', minimum: 60 },
    pg_monitor_paths: { type: 'array', items: { type: 'string', pattern: '^/[^\\s]*$' } },
    node_exporter_textfile_dir: { type: 'string', pattern: '^/[^\\s"\\\\$`]+$' },
  },
} as const;
