/**
 * pg_deregister and the removal of pg_monitor's pieces, for pgsql-rm (roles/pg_remove) to include:
 *
 *   import { pgDeregister, pgMonitorRemove } from '../../lib/pg-monitor-deregister.js';
 *   block({ tags: ['pg_monitor'], tasks: [...pgDeregister, ...pgMonitorRemove] })
 *
 * pgDeregister removes <prometheus_sd_dir>/pgsql/<pg_instance>.yml from every infra host (through
 * delegate_to), so Prometheus stops scraping the instance within its sd refresh (inotify: at once).
 * pgMonitorRemove stops the exporters and the collector of the instance and removes their files.
 * Both need only pg_cluster/pg_seq identity (pg_instance from pg_id) and work in check mode.
 */
import { block, task } from '../../src/api/playbook.js';
import type { TaskNode } from '../../src/api/types.js';
import { cron, file, shell } from '../../src/operations/index.js';
import { sh } from '../../src/operations/shell-quote.js';
import { deregisterTargets } from '../infra/lib/register.js';
import type { PgMonitorVars } from '../pg_monitor/defaults.js';
import { COLLECTOR_CONF, COLLECTOR_CRON, PGB_EXPORTER_BIN, PGB_EXPORTER_ENV, PGB_EXPORTER_UNIT, PG_EXPORTER_ENV, QUERIES } from '../pg_monitor/lib/paths.js';

const instance = (v: PgMonitorVars) => v.pg_instance ?? `${v.pg_cluster}-${v.pg_seq}`;

export const pgDeregister: TaskNode<PgMonitorVars>[] = [
  block<PgMonitorVars>({
    name: 'deregister postgres from prometheus',
    tags: ['pg_deregister', 'rm_metrics'],
    tasks: [deregisterTargets<PgMonitorVars>('remove postgres targets from prometheus', 'pgsql', (h) => instance(h.vars))],
  }),
];

const units = ['pgbouncer_exporter', 'prometheus-postgres-exporter'];

export const pgMonitorRemove: TaskNode<PgMonitorVars>[] = [
  task<PgMonitorVars, string>('stop and disable exporters', {
    tags: ['pg_exporter', 'pgbouncer_exporter'],
    loop: () => units,
    // present-and-active/enabled units only: a truthful changed
    changed_when: (r) => /stopped/.test(r.stdout ?? ''),
    do: (h, unit) =>
      shell({
        cmd: h.check
          ? sh`if systemctl is-active --quiet ${unit} || systemctl is-enabled --quiet ${unit} 2>/dev/null; then echo "would be stopped"; fi`
          : sh`if systemctl is-active --quiet ${unit} || systemctl is-enabled --quiet ${unit} 2>/dev/null; then systemctl disable --now ${unit} >/dev/null 2>&1; echo stopped; fi`,
      }),
    check_mode: false,
  }),
  task<PgMonitorVars>('remove collector cron', { tags: ['pgbackrest_exporter'], do: () => cron({ name: COLLECTOR_CRON, entries: [], state: 'absent' }) }),
  task<PgMonitorVars, string>('remove exporter and collector files', {
    tags: ['pg_exporter', 'pgbouncer_exporter', 'pgbackrest_exporter'],
    loop: (h) => [QUERIES, PG_EXPORTER_ENV, PGB_EXPORTER_ENV, PGB_EXPORTER_UNIT, PGB_EXPORTER_BIN, COLLECTOR_CONF, `${h.vars.node_exporter_textfile_dir ?? '/var/lib/pgplay/textfile'}/pgplay_pg.prom`],
    do: (_h, path) => file({ path, state: 'absent' }),
  }),
];
