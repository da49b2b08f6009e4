/**
 * [pg_monitor, pg_deregister] Remove the cluster's monitoring targets (metrics, datasources, logs,
 * exporters) from the infra host. Owned by the monitoring role: add its tasks here; pg_remove runs
 * them first, before the access layer and the instances go (Pigsty's order).
 * pg_monitor's tasks (roles/pg_monitor/tasks/deregister.ts): the instance's target file on every
 * infra host (rm_metrics), then its exporters and backup/disk collector (pg_exporter,
 * pgbouncer_exporter, pgbackrest_exporter). They read only pg_id's identity, with fallbacks for
 * pg_monitor's parameters, so the casts below are safe.
 */
import type { TaskNode } from '../../../src/api/types.js';
import { pgDeregister, pgMonitorRemove } from '../../lib/pg-monitor-deregister.js';
import type { PgRemoveVars } from '../defaults.js';

export const deregister: TaskNode<PgRemoveVars>[] = [
  ...(pgDeregister as unknown as TaskNode<PgRemoveVars>[]),
  ...(pgMonitorRemove as unknown as TaskNode<PgRemoveVars>[]),
];
