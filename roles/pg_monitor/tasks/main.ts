/**
 * pg_monitor: pg_exporter (prometheus-postgres-exporter), pgbouncer_exporter (when pgbouncer is
 * installed), pgbackrest_exporter (the backup/disk textfile collector), pg_register (the instance's
 * targets in <prometheus_sd_dir>/pgsql/<pg_instance>.yml on every infra host, via delegate_to).
 */
import { block, fileBeside, flushHandlers, handler, local, task } from '../../../src/api/playbook.js';
import type { HostCtx, TaskNode } from '../../../src/api/types.js';
import { apt, command, copy, cron, file, http, service, shell, wait_for } from '../../../src/operations/index.js';
import { ensureSdDir, registerTargets } from '../../infra/lib/register.js';
import { refs, type PgMonitorVars } from '../defaults.js';
import { COLLECTOR, COLLECTOR_CONF, COLLECTOR_CRON, PG_EXPORTER_DIR, PG_EXPORTER_ENV, PGB_EXPORTER_BIN, PGB_EXPORTER_ENV, PGB_EXPORTER_UNIT, QUERIES } from '../lib/paths.js';
import { collectorConfig, exporterEnv, parseProbe, pgTargets, pgbouncerExporterEnv, pgbouncerExporterUnit, queriesFile } from '../lib/exporter.js';

type H = HostCtx<PgMonitorVars>;

export { COLLECTOR, COLLECTOR_CONF, COLLECTOR_CRON, PG_EXPORTER_DIR, PG_EXPORTER_ENV, PGB_EXPORTER_BIN, PGB_EXPORTER_ENV, PGB_EXPORTER_UNIT, QUERIES };

const present = (h: H) => parseProbe(h.reg.pg_monitor_probe?.stdout);
const pgbouncerOn = (h: H) => refs(h.vars).pgbouncer && present(h).pgbouncer;

/** What is installed beside postgres (pgbouncer, HAProxy with its Prometheus endpoint): read-only. */
export const probe = task<PgMonitorVars>('probe pgbouncer and haproxy', {
  tags: ['pg_exporter', 'pgbouncer_exporter', 'pg_register'],
  check_mode: false,
  changed_when: () => false,
  register: 'pg_monitor_probe',
  do: (h) => {
    const r = refs(h.vars);
    return shell({
      cmd: [
        'pgb=0; hap=0',
        'if [ -x /usr/sbin/pgbouncer ] && systemctl cat pgbouncer.service >/dev/null 2>&1; then pgb=1; fi',
        `if command -v haproxy >/dev/null 2>&1 && curl -sf -m 3 -o /dev/null http://${h.name}:${r.haproxyPort}/metrics; then hap=1; fi`,
        'echo "pgbouncer=$pgb"; echo "haproxy=$hap"',
      ].join('\n'),
    });
  },
});

const pgExporter: TaskNode<PgMonitorVars>[] = [
  task<PgMonitorVars>('install prometheus-postgres-exporter', {
    tags: ['pg_exporter_install'],
    awaits: 'apt-get install prometheus-postgres-exporter',
    do: () => apt({ name: 'prometheus-postgres-exporter', state: 'present', update_cache: true, cache_valid_time: 3600, install_recommends: false }),
  }),
  task<PgMonitorVars>('ensure pg_exporter config dir', {
    tags: ['pg_exporter_config'],
    do: () => file({ path: PG_EXPORTER_DIR, state: 'directory', owner: 'root', group: 'prometheus', mode: '0755' }),
  }),
  task<PgMonitorVars>('render pg_exporter extra queries', {
    tags: ['pg_exporter_config'],
    notify: 'restart pg_exporter',
    do: (h) => copy({ dest: QUERIES, content: queriesFile(h.vars), owner: 'root', group: 'prometheus', mode: '0644' }),
  }),
  task<PgMonitorVars>('render pg_exporter environment', {
    tags: ['pg_exporter_config'],
    notify: 'restart pg_exporter',
    no_log: true,
    do: (h) => copy({ dest: PG_EXPORTER_ENV, content: exporterEnv(h.vars, QUERIES), owner: 'root', group: 'prometheus', mode: '0640', secret: true }),
  }),
  // Debian starts the exporter at install, unconfigured: it crash-loops into systemd's start limit.
  // The service module's start/restart flushes that limit (reset-failed) before it acts.
  task<PgMonitorVars>('launch pg_exporter', {
    tags: ['pg_exporter_launch'],
    do: () => service({ name: 'prometheus-postgres-exporter', state: 'started', enabled: true }),
  }),
  flushHandlers(['pg_exporter_launch', 'pg_exporter_config']),
  task<PgMonitorVars>('wait for pg_exporter', { tags: ['pg_exporter_launch'], do: (h) => wait_for({ port: h.vars.pg_exporter_port, timeout: 30 }) }),
  task<PgMonitorVars>('pg_exporter reaches postgres as the monitor user', {
    tags: ['pg_exporter_launch'],
    awaits: 'pg_up 1',
    check_mode: false,
    changed_when: () => false,
    retries: 15,
    delay: 2,
    until: (r) => /^pg_up 1$/m.test(String((r.data as { body?: string } | undefined)?.body ?? '')),
    failed_when: (r) => r.failed || !/^pg_up 1$/m.test(String((r.data as { body?: string } | undefined)?.body ?? '')),
    do: (h) => http({ url: `http://127.0.0.1:${h.vars.pg_exporter_port}/metrics`, timeout: 10 }),
  }),
];

const pgbouncerExporter: TaskNode<PgMonitorVars>[] = [
  local<PgMonitorVars>('pgbouncer is not installed: skip its exporter', {
    when: (h) => refs(h.vars).pgbouncer && !present(h).pgbouncer,
    run: (h) => ({ msg: `${h.vars.pg_instance}: no pgbouncer.service on ${h.name}; pgbouncer_exporter skipped (run -t pgbouncer_exporter,pg_register once pgbouncer is there)` }),
  }),
  block<PgMonitorVars>({
    name: 'pgbouncer exporter',
    when: pgbouncerOn,
    tasks: [
      task<PgMonitorVars>('remove Debian prometheus-pgbouncer-exporter (broken with pgbouncer >= 1.8)', {
        tags: ['pgbouncer_exporter_install'],
        do: () => apt({ name: 'prometheus-pgbouncer-exporter', state: 'absent' }),
      }),
      task<PgMonitorVars>('install pgbouncer_exporter', {
        tags: ['pgbouncer_exporter_install'],
        notify: 'restart pgbouncer_exporter',
        do: () => copy({ dest: PGB_EXPORTER_BIN, src: fileBeside(import.meta.url, '../files/pgplay-pgbouncer-exporter'), owner: 'root', group: 'root', mode: '0755' }),
      }),
      task<PgMonitorVars>('render pgbouncer_exporter environment', {
        tags: ['pgbouncer_exporter_config'],
        notify: 'restart pgbouncer_exporter',
        no_log: true,
        do: (h) => copy({ dest: PGB_EXPORTER_ENV, content: pgbouncerExporterEnv(h.vars), owner: 'root', group: 'root', mode: '0600', secret: true }),
      }),
      task<PgMonitorVars>('render pgbouncer_exporter unit', {
        tags: ['pgbouncer_exporter_config'],
        notify: 'restart pgbouncer_exporter',
        register: 'pgb_exporter_unit',
        do: () => copy({ dest: PGB_EXPORTER_UNIT, content: pgbouncerExporterUnit(PGB_EXPORTER_ENV, PGB_EXPORTER_BIN), owner: 'root', group: 'root', mode: '0644' }),
      }),
      task<PgMonitorVars>('launch pgbouncer_exporter', {
        tags: ['pgbouncer_exporter_launch'],
        do: (h) => service({ name: 'pgbouncer_exporter', state: 'started', enabled: true, daemon_reload: !!h.reg.pgb_exporter_unit?.changed }),
      }),
      flushHandlers(['pgbouncer_exporter_launch', 'pgbouncer_exporter_config']),
      task<PgMonitorVars>('wait for pgbouncer_exporter', { tags: ['pgbouncer_exporter_launch'], do: (h) => wait_for({ port: h.vars.pgbouncer_exporter_port, timeout: 30 }) }),
    ],
  }),
];

const collector: TaskNode<PgMonitorVars>[] = [
  task<PgMonitorVars>('ensure textfile and collector config dirs', {
    loop: (h) => [h.vars.node_exporter_textfile_dir, '/etc/pgplay'],
    do: (_h, dir) => file({ path: String(dir), state: 'directory', owner: 'root', group: 'root', mode: '0755' }),
  }),
  task<PgMonitorVars>('install pg metrics collector', {
    notify: 'collect pg metrics',
    do: () => copy({ dest: COLLECTOR, src: fileBeside(import.meta.url, '../files/pgplay-pg-metrics'), owner: 'root', group: 'root', mode: '0755' }),
  }),
  task<PgMonitorVars>('render pg metrics collector config', {
    notify: 'collect pg metrics',
    do: (h) => copy({ dest: COLLECTOR_CONF, content: collectorConfig(h.vars), owner: 'root', group: 'root', mode: '0644' }),
  }),
  task<PgMonitorVars>('collect pg metrics every minute', {
    do: () => cron({ name: COLLECTOR_CRON, entries: [`* * * * * root ${COLLECTOR} --config ${COLLECTOR_CONF} 2>&1 | logger -t pgplay-pg-metrics`] }),
  }),
];

export const tasks: TaskNode<PgMonitorVars>[] = [
  probe,
  block<PgMonitorVars>({ name: 'postgres exporter', tags: ['pg_exporter'], when: (h) => h.vars.pg_exporter_enabled, tasks: pgExporter }),
  block<PgMonitorVars>({ name: 'pgbouncer exporter', tags: ['pgbouncer_exporter'], when: (h) => refs(h.vars).pgbouncer, tasks: pgbouncerExporter }),
  block<PgMonitorVars>({ name: 'backup and disk metrics', tags: ['pgbackrest_exporter'], tasks: collector }),
  flushHandlers(['pgbackrest_exporter']),
  block<PgMonitorVars>({
    name: 'register postgres to prometheus',
    tags: ['pg_register'],
    tasks: [
      ensureSdDir<PgMonitorVars>('pgsql'),
      registerTargets<PgMonitorVars>(
        'register postgres to prometheus',
        'pgsql',
        (h) => h.vars.pg_instance,
        (h) => `${h.vars.pg_instance} [${h.vars.pg_role}] @ ${h.name}`,
        (h) => pgTargets(h, present(h)),
      ),
    ],
  }),
];

export const handlers = [
  handler<PgMonitorVars>('restart pg_exporter', { do: () => service({ name: 'prometheus-postgres-exporter', state: 'restarted' }) }),
  handler<PgMonitorVars>('restart pgbouncer_exporter', { do: () => service({ name: 'pgbouncer_exporter', state: 'restarted', daemon_reload: true }) }),
  handler<PgMonitorVars>('collect pg metrics', { do: () => command({ cmd: [COLLECTOR, '--config', COLLECTOR_CONF] }) }),
];
