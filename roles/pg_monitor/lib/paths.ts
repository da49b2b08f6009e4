/** Where pg_monitor's exporters and collector live on a host (the role installs them; pgsql-rm removes them). */
export const PG_EXPORTER_DIR = '/etc/prometheus-postgres-exporter';
export const QUERIES = `${PG_EXPORTER_DIR}/queries.yaml`;
export const PG_EXPORTER_ENV = '/etc/default/prometheus-postgres-exporter';
export const PGB_EXPORTER_BIN = '/usr/local/bin/pgplay-pgbouncer-exporter';
export const PGB_EXPORTER_ENV = '/etc/default/pgbouncer_exporter';
export const PGB_EXPORTER_UNIT = '/etc/systemd/system/pgbouncer_exporter.service';
export const COLLECTOR = '/usr/local/bin/pgplay-pg-metrics';
export const COLLECTOR_CONF = '/etc/pgplay/pg_metrics.json';
export const COLLECTOR_CRON = 'pgplay_pg_metrics';
