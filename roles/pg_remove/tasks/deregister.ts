/**
 * [pg_monitor, pg_deregister] Remove the cluster's monitoring targets (metrics, datasources, logs,
 * exporters) from the infra host. Owned by the monitoring role: add its tasks here; pg_remove runs
 * them first, before the access layer and the instances go (Pigsty's order).
 */
import type { TaskNode } from '../../../src/api/types.js';
import type { PgRemoveVars } from '../defaults.js';

export const deregister: TaskNode<PgRemoveVars>[] = [];
