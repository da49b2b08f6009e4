/**
 * What pg_monitor writes: the extra queries of prometheus-postgres-exporter, its environment file,
 * the pgbouncer exporter's config, the collector config, and the instance's Prometheus targets.
 */
import YAML from 'yaml';
import type { TargetGroup } from '../../infra/lib/config.js';
import type { PgMonitorVars } from '../defaults.js';
import { refs } from '../defaults.js';

interface Metric {
  usage: 'LABEL' | 'GAUGE' | 'COUNTER';
  description: string;
}

interface Query {
  query: string;
  /** Run once per exporter (not per auto-discovered database). */
  master: true;
  metrics: Record<string, Metric>[];
}

const g = (description: string): Metric => ({ usage: 'GAUGE', description });
const c = (description: string): Metric => ({ usage: 'COUNTER', description });
const l = (description: string): Metric => ({ usage: 'LABEL', description });

/** LSN "now" on a primary and on a replica (pg_current_wal_lsn() fails during recovery). */
const NOW_LSN = 'CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END';

/**
 * Extra queries (postgres_exporter `--extend.query-path`): replication lag, archiver status, slots,
 * backup recency as PostgreSQL sees it, and the instance's pg_rpo (the lag alert's threshold).
 * Metric names are `<key>_<column>`. Every query works on a primary and on a replica and needs only
 * the pg_monitor role.
 */
export function extraQueries(v: PgMonitorVars): Record<string, Query> {
  const rpo = Math.trunc(Number(refs(v).rpo));
  if (!Number.isFinite(rpo) || rpo < 0) throw new Error(`pg_rpo must be a non-negative number of bytes, got ${String(v.pg_rpo)}`);
  return {
    pg_downstream: {
      query: `SELECT application_name AS replica, COALESCE(host(client_addr), 'local') AS replica_ip, pg_wal_lsn_diff(${NOW_LSN}, replay_lsn)::float8 AS lag_bytes, COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)::float8 AS lag_seconds FROM pg_stat_replication WHERE replay_lsn IS NOT NULL`,
      master: true,
      metrics: [
        { replica: l('application_name of the replica (its instance name under Patroni)') },
        { replica_ip: l('address of the replica') },
        { lag_bytes: g('bytes of WAL the replica has not replayed yet, seen from its upstream') },
        { lag_seconds: g('replay_lag of pg_stat_replication in seconds') },
      ],
    },
    pg_recovery: {
      query: `SELECT pg_is_in_recovery()::int AS in_recovery, CASE WHEN pg_is_in_recovery() THEN COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0) ELSE 0 END::float8 AS replay_pending_bytes, CASE WHEN pg_is_in_recovery() THEN COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) ELSE 0 END::float8 AS replay_age_seconds`,
      master: true,
      metrics: [
        { in_recovery: g('1 on a replica (in recovery), 0 on a primary') },
        { replay_pending_bytes: g('on a replica: WAL received but not replayed yet (bytes)') },
        { replay_age_seconds: g('on a replica: seconds since the last replayed transaction committed on the primary') },
      ],
    },
    pg_archiver: {
      query: [
        'SELECT archived_count::float8 AS archived_count, failed_count::float8 AS failed_count,',
        'COALESCE(EXTRACT(EPOCH FROM last_archived_time), 0)::float8 AS last_archived_time,',
        'COALESCE(EXTRACT(EPOCH FROM last_failed_time), 0)::float8 AS last_failed_time,',
        "(COALESCE(last_failed_time, '-infinity') > COALESCE(last_archived_time, '-infinity'))::int AS failing,",
        "(SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready')::float8 AS ready_count,",
        "COALESCE((SELECT EXTRACT(EPOCH FROM now() - min(modification)) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'), 0)::float8 AS ready_oldest_age_seconds,",
        "(current_setting('archive_mode') <> 'off')::int AS enabled",
        'FROM pg_stat_archiver',
      ].join(' '),
      master: true,
      metrics: [
        { archived_count: c('WAL files archived successfully since the statistics reset') },
        { failed_count: c('failed archive_command runs since the statistics reset') },
        { last_archived_time: g('epoch of the last successful archive (0: never)') },
        { last_failed_time: g('epoch of the last failed archive (0: never)') },
        { failing: g('1 when the last archive attempt failed (after the last success)') },
        { ready_count: g('WAL segments waiting for archive_command (.ready files)') },
        { ready_oldest_age_seconds: g('age of the oldest segment waiting for archiving (0: none waiting)') },
        { enabled: g('1 when archive_mode is on (or always)') },
      ],
    },
    pg_slot: {
      query: `SELECT slot_name, slot_type, active::int AS active, COALESCE(pg_wal_lsn_diff(${NOW_LSN}, restart_lsn), 0)::float8 AS retained_bytes FROM pg_replication_slots`,
      master: true,
      metrics: [
        { slot_name: l('replication slot name') },
        { slot_type: l('physical or logical') },
        { active: g('1 when a consumer is connected to the slot') },
        { retained_bytes: g('WAL bytes the slot keeps from being removed') },
      ],
    },
    pg_backup_history: {
      query: "SELECT COALESCE(EXTRACT(EPOCH FROM max(modification)), 0)::float8 AS last_time, count(*)::float8 AS files FROM pg_ls_waldir() WHERE name LIKE '%.backup'",
      master: true,
      metrics: [
        { last_time: g('epoch of the newest backup history file in pg_wal: the end of the last base backup of any tool (pgBackRest, pg_basebackup of a new replica), 0 if none') },
        { files: g('backup history files in pg_wal') },
      ],
    },
    pg_rpo: {
      query: `SELECT ${rpo}::float8 AS bytes`,
      master: true,
      metrics: [{ bytes: g('pg_rpo of this instance (bytes of WAL a failover may lose): the replication lag alert threshold') }] ,
    },
  };
}

export function queriesFile(v: PgMonitorVars): string {
  return `# prometheus-postgres-exporter extra queries of ${v.pg_instance} (managed by pgplay roles/pg_monitor)\n${YAML.stringify(extraQueries(v), { lineWidth: 0 })}`;
}

/** A libpq URL through the local socket as the monitor user (password percent-encoded). */
export function exporterUrl(v: PgMonitorVars): string {
  if (v.pg_exporter_url) return v.pg_exporter_url;
  const r = refs(v);
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const params = [v.pg_exporter_params, `host=${enc(r.socketDir)}`].filter(Boolean).join('&');
  return `postgresql://${enc(r.monitorUser)}:${enc(r.monitorPassword)}@:${r.pgPort}/postgres?${params}`;
}

/** A systemd EnvironmentFile value: double-quoted, with \ " $ ` escaped. */
export function envValue(s: string): string {
  if (/[\n\r]/.test(s)) throw new Error('environment values cannot contain line breaks');
  return `"${s.replace(/[\\"$`]/g, (ch) => `\\${ch}`)}"`;
}

/** /etc/default/prometheus-postgres-exporter (secret: holds the monitor password). */
export function exporterEnv(v: PgMonitorVars, queriesPath: string): string {
  const args = [`--web.listen-address=:${v.pg_exporter_port}`, `--extend.query-path=${queriesPath}`, '--disable-settings-metrics', v.pg_exporter_options].filter(Boolean).join(' ');
  if (/["\\$`]/.test(args)) throw new Error(`pg_exporter_options must not contain quotes, backslashes or $: ${args}`);
  return [
    `# prometheus-postgres-exporter of ${v.pg_instance} (managed by pgplay roles/pg_monitor)`,
    `DATA_SOURCE_NAME=${envValue(exporterUrl(v))}`,
    `ARGS="${args}"`,
    '',
  ].join('\n');
}

/** /etc/default/pgbouncer_exporter (secret: holds the monitor password) for pgplay-pgbouncer-exporter. */
export function pgbouncerExporterEnv(v: PgMonitorVars): string {
  const r = refs(v);
  return [
    `# pgbouncer_exporter of ${v.pg_instance} (managed by pgplay roles/pg_monitor)`,
    `PGBOUNCER_EXPORTER_LISTEN=${envValue(`:${v.pgbouncer_exporter_port}`)}`,
    `PGBOUNCER_HOST=${envValue(r.socketDir)}`,
    `PGBOUNCER_PORT=${envValue(String(r.pgbouncerPort))}`,
    `PGBOUNCER_USER=${envValue(r.monitorUser)}`,
    `PGPASSWORD=${envValue(r.monitorPassword)}`,
    '',
  ].join('\n');
}

/** The pgbouncer_exporter unit: stays up while pgbouncer is down (pgbouncer_up 0). */
export function pgbouncerExporterUnit(envFile: string, bin: string): string {
  return [
    '# /etc/systemd/system/pgbouncer_exporter.service (managed by pgplay roles/pg_monitor)',
    '[Unit]',
    'Description=Prometheus exporter of the local pgbouncer (pgplay)',
    'After=network.target pgbouncer.service',
    '',
    '[Service]',
    'User=prometheus',
    `EnvironmentFile=${envFile}`,
    `ExecStart=${bin}`,
    'Restart=always',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The collector's config (/etc/pgplay/pg_metrics.json): no secrets. */
export function collectorConfig(v: PgMonitorVars): string {
  const r = refs(v);
  return `${JSON.stringify(
    {
      cls: v.pg_cluster,
      ins: v.pg_instance,
      stanza: v.pg_cluster,
      textfile_dir: v.node_exporter_textfile_dir,
      dbsu: r.dbsu,
      psql: `${r.binDir}/psql`,
      socket_dir: r.socketDir,
      port: r.pgPort,
      backup_interval: v.pgbackrest_backup_interval,
      backup_metrics: v.pgbackrest_exporter_enabled,
      paths: v.pg_monitor_paths,
    },
    null,
    2,
  )}\n`;
}

/** What the probe found on the host. */
export interface Present {
  pgbouncer: boolean;
  haproxy: boolean;
}

/** The instance's targets: postgres exporter, Patroni, pgbouncer exporter and HAProxy when present. */
export function pgTargets(h: { name: string; vars: PgMonitorVars }, present: Present): TargetGroup[] {
  const v = h.vars;
  const r = refs(v);
  const base = { cls: v.pg_cluster, ins: v.pg_instance, ip: h.name };
  const out: TargetGroup[] = [];
  if (v.pg_exporter_enabled) out.push({ labels: { job: 'pgsql', ...base }, targets: [`${h.name}:${v.pg_exporter_port}`] });
  if (r.patroni) out.push({ labels: { job: 'patroni', ...base }, targets: [`${h.name}:${r.patroniPort}`] });
  if (r.pgbouncer && present.pgbouncer) out.push({ labels: { job: 'pgbouncer', ...base }, targets: [`${h.name}:${v.pgbouncer_exporter_port}`] });
  if (r.haproxy && present.haproxy) out.push({ labels: { job: 'haproxy', ...base }, targets: [`${h.name}:${r.haproxyPort}`] });
  return out;
}

/** Parses the probe's `key=value` lines. */
export function parseProbe(stdout: string | undefined): Present {
  const kv = Object.fromEntries((stdout ?? '').split('\n').map((l) => l.trim().split('=', 2)).filter((p) => p.length === 2));
  return { pgbouncer: kv.pgbouncer === '1', haproxy: kv.haproxy === '1' };
}
