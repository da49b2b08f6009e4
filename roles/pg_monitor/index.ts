/**
 * pg_monitor: exporters of a PostgreSQL instance and its Prometheus registration.
 * Tags: pg_exporter (prometheus-postgres-exporter on pg_exporter_port 9630, extra queries),
 * pgbouncer_exporter (9631, only where pgbouncer.service exists), pgbackrest_exporter (backup and
 * /pg disk metrics for node_exporter's textfile collector, every minute), pg_register (targets on
 * the infra hosts). pgsql-rm uses roles/lib/pg-monitor-deregister.ts (pg_deregister). See docs/monitoring.md.
 */
import { role } from '../../src/api/playbook.js';
import { defaults, type PgMonitorVars } from './defaults.js';
import { schema } from './schema.js';
import { handlers, tasks } from './tasks/main.js';

export const pgMonitor = role<PgMonitorVars>({ name: 'pg_monitor', defaults: defaults as Partial<PgMonitorVars>, schema, tasks, handlers });
export default pgMonitor;
export { pgDeregister, pgMonitorRemove } from '../lib/pg-monitor-deregister.js';
export type { PgMonitorVars, PgMonitorParams } from './defaults.js';
