/**
 * Our Prometheus alert rules, as data: one place for the expression, its `for:` window, severity and
 * the summary (which always names the cluster `cls` and the instance `ins`). Rendered to YAML by
 * `rulesFile()` and validated with `promtool check rules` before it is installed. The metric names
 * are the ones our exporters and collectors produce (roles/pg_monitor, docs/monitoring.md).
 */
import YAML from 'yaml';

export type Severity = 'CRIT' | 'WARN' | 'INFO';

export interface AlertRule {
  alert: string;
  expr: string;
  /** Default window (before prometheus_rule_for_scale and overrides). */
  for: string;
  severity: Severity;
  category: 'node' | 'pgsql' | 'etcd' | 'infra';
  summary: string;
  description: string;
  /** What the alert watches and its threshold, for docs/monitoring.md. */
  threshold: string;
}

/** What the thresholds are made of (the infra role's parameters). */
export interface RuleParams {
  prometheus_rule_for_scale: number;
  prometheus_rule_for: Record<string, string>;
  prometheus_archive_max_age: number;
  prometheus_slot_retained_bytes: number;
  prometheus_backup_grace: number;
  prometheus_disk_free_ratio: number;
  prometheus_pgbouncer_waiting: number;
}

const LEVEL: Record<Severity, number> = { CRIT: 0, WARN: 1, INFO: 2 };

/** Seconds in a Prometheus duration such as `1m30s` (throws on anything else). */
export function durationSeconds(d: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const re = /([0-9]+)(ms|s|m|h|d|w|y)/g;
  let total = 0;
  let seen = '';
  for (const m of d.matchAll(re)) {
    total += Number(m[1]) * units[m[2]];
    seen += m[0];
  }
  if (!d || seen !== d) throw new Error(`not a Prometheus duration: ${JSON.stringify(d)}`);
  return total;
}

/** `for` scaled by `scale`, in whole seconds, at least 1 s. */
export function scaleFor(d: string, scale: number): string {
  return `${Math.max(1, Math.round(durationSeconds(d) * scale))}s`;
}

/** The window an alert gets: its override, else its default scaled. */
export function forOf(rule: Pick<AlertRule, 'alert' | 'for'>, p: Pick<RuleParams, 'prometheus_rule_for_scale' | 'prometheus_rule_for'>): string {
  const o = p.prometheus_rule_for?.[rule.alert];
  if (o !== undefined) {
    durationSeconds(o);
    return o;
  }
  return p.prometheus_rule_for_scale === 1 ? rule.for : scaleFor(rule.for, p.prometheus_rule_for_scale);
}

const L = (name: string) => `{{ $labels.${name} }}`;
const at = `${L('cls')}/${L('ins')} @ ${L('ip')}`;

export function alertRules(p: RuleParams): AlertRule[] {
  const ratio = p.prometheus_disk_free_ratio;
  return [
    // ---- aliveness
    {
      alert: 'NodeDown', category: 'node', severity: 'CRIT', for: '1m',
      expr: 'up{job="node"} == 0',
      summary: `CRIT NodeDown ${at}: node_exporter does not answer`,
      description: `node_exporter on ${L('instance')} (cluster ${L('cls')}, instance ${L('ins')}) has not been scraped successfully for the alert window.`,
      threshold: 'node_exporter scrape fails (up == 0)',
    },
    {
      alert: 'PgInstanceDown', category: 'pgsql', severity: 'CRIT', for: '1m',
      expr: 'up{job="pgsql"} == 0 or pg_up == 0',
      summary: `CRIT PgInstanceDown ${at}: PostgreSQL instance is down or unreachable for its exporter`,
      description: `Either postgres_exporter on ${L('instance')} does not answer (up == 0) or it cannot connect to PostgreSQL (pg_up == 0).`,
      threshold: 'postgres_exporter scrape fails or pg_up == 0',
    },
    {
      alert: 'PatroniDown', category: 'pgsql', severity: 'CRIT', for: '1m',
      expr: 'up{job="patroni"} == 0',
      summary: `CRIT PatroniDown ${at}: Patroni REST API does not answer`,
      description: `Patroni's /metrics on ${L('instance')} cannot be scraped: the HA agent of ${L('ins')} is down.`,
      threshold: "Patroni's /metrics scrape fails (up == 0)",
    },
    {
      alert: 'PatroniNoLeader', category: 'pgsql', severity: 'CRIT', for: '30s',
      expr: 'max by (cls) (patroni_cluster_unlocked) > 0',
      summary: `CRIT PatroniNoLeader ${L('cls')}: no instance holds the leader lock`,
      description: `Patroni members of cluster ${L('cls')} report the cluster unlocked (no leader key in the DCS): writes are unavailable until an instance becomes leader.`,
      threshold: 'patroni_cluster_unlocked == 1 on any member',
    },
    {
      alert: 'PgbouncerDown', category: 'pgsql', severity: 'CRIT', for: '1m',
      expr: 'up{job="pgbouncer"} == 0 or pgbouncer_up == 0',
      summary: `CRIT PgbouncerDown ${at}: pgbouncer (or its exporter) is down`,
      description: `The pgbouncer exporter on ${L('instance')} does not answer, or pgbouncer's admin console does not (pgbouncer_up == 0).`,
      threshold: 'pgbouncer exporter scrape fails or pgbouncer_up == 0',
    },
    {
      alert: 'HaproxyDown', category: 'pgsql', severity: 'CRIT', for: '1m',
      expr: 'up{job="haproxy"} == 0',
      summary: `CRIT HaproxyDown ${at}: HAProxy does not answer`,
      description: `HAProxy's built-in Prometheus endpoint ${L('instance')} cannot be scraped.`,
      threshold: "HAProxy's /metrics scrape fails (up == 0)",
    },
    {
      alert: 'EtcdDown', category: 'etcd', severity: 'CRIT', for: '1m',
      expr: 'up{job="etcd"} == 0',
      summary: `CRIT EtcdDown ${at}: etcd member does not answer`,
      description: `etcd's /metrics on ${L('instance')} cannot be scraped.`,
      threshold: "etcd's /metrics scrape fails (up == 0)",
    },
    {
      alert: 'EtcdNoLeader', category: 'etcd', severity: 'CRIT', for: '30s',
      expr: 'etcd_server_has_leader < 1',
      summary: `CRIT EtcdNoLeader ${at}: etcd member sees no leader`,
      description: `etcd member ${L('ins')} of cluster ${L('cls')} has no leader: the DCS of Patroni is unavailable (Patroni falls back to failsafe mode).`,
      threshold: 'etcd_server_has_leader == 0',
    },
    // ---- replication
    {
      alert: 'PgReplicationLag', category: 'pgsql', severity: 'WARN', for: '1m',
      expr: [
        'pg_downstream_lag_bytes > on (cls, ins) group_left () pg_rpo_bytes',
        'or pg_recovery_replay_pending_bytes > on (cls, ins) group_left () pg_rpo_bytes',
      ].join('\n'),
      summary: `WARN PgReplicationLag ${at}: replica {{ if $labels.replica }}${L('replica')} {{ end }}lags {{ $value | humanize1024 }}B, above pg_rpo`,
      description: `Seen from ${L('ins')}: replication lag of {{ $value | humanize1024 }}B is above the cluster's pg_rpo (bytes a failover may lose). On a primary the replica is named by its application_name.`,
      threshold: 'lag bytes (primary: current LSN - replay LSN per replica; replica: received - replayed) > pg_rpo of the instance (default 1 MiB)',
    },
    {
      alert: 'PgSlotRetainingWal', category: 'pgsql', severity: 'WARN', for: '5m',
      expr: `pg_slot_retained_bytes > ${p.prometheus_slot_retained_bytes}`,
      summary: `WARN PgSlotRetainingWal ${at}: slot ${L('slot_name')} retains {{ $value | humanize1024 }}B of WAL`,
      description: `Replication slot ${L('slot_name')} (${L('slot_type')}) on ${L('ins')} holds back {{ $value | humanize1024 }}B of WAL (threshold ${p.prometheus_slot_retained_bytes} bytes); an abandoned slot fills the disk.`,
      threshold: `WAL retained by a slot > prometheus_slot_retained_bytes (${p.prometheus_slot_retained_bytes})`,
    },
    // ---- archiving and backups
    {
      alert: 'PgArchivingFailing', category: 'pgsql', severity: 'CRIT', for: '1m',
      expr: `pg_archiver_failing > 0 or pg_archiver_ready_oldest_age_seconds > ${p.prometheus_archive_max_age}`,
      summary: `CRIT PgArchivingFailing ${at}: WAL archiving fails or lags behind`,
      description: `On ${L('ins')} the last archive_command failed after the last success, or the oldest WAL segment waiting for archiving is older than ${p.prometheus_archive_max_age}s: point-in-time recovery is at risk.`,
      threshold: `last archive attempt failed, or oldest .ready segment older than prometheus_archive_max_age (${p.prometheus_archive_max_age}s)`,
    },
    {
      alert: 'PgBackupMissing', category: 'pgsql', severity: 'WARN', for: '5m',
      expr: `time() - pgbackrest_backup_last_time_seconds{type="any"} > on (cls, ins, stanza) group_left () (pgbackrest_backup_interval_seconds + ${p.prometheus_backup_grace})`,
      summary: `WARN PgBackupMissing ${at}: no successful backup of stanza ${L('stanza')} within its interval + ${Math.round(p.prometheus_backup_grace / 3600)}h`,
      description: `The newest successful pgBackRest backup of ${L('cls')} (stanza ${L('stanza')}, seen from primary ${L('ins')}) is {{ $value | humanizeDuration }} old.`,
      threshold: `age of the newest full/diff/incr backup > pgbackrest_backup_interval (per cluster, default 24h) + prometheus_backup_grace (${p.prometheus_backup_grace}s)`,
    },
    {
      alert: 'PgDiskSpaceLow', category: 'pgsql', severity: 'WARN', for: '5m',
      expr: `pg_path_avail_bytes / pg_path_size_bytes < ${ratio}`,
      summary: `WARN PgDiskSpaceLow ${at}: ${L('path')} has {{ $value | humanizePercentage }} free`,
      description: `The filesystem of ${L('path')} (mounted at ${L('mountpoint')}) on ${L('ins')} has less than ${ratio * 100}% free space.`,
      threshold: `free space of the filesystems holding /pg/data and /pg/backup < prometheus_disk_free_ratio (${ratio})`,
    },
    // ---- access
    {
      alert: 'PgbouncerPoolSaturated', category: 'pgsql', severity: 'WARN', for: '1m',
      expr: `sum by (cls, ins, ip, instance, database) (pgbouncer_pools_cl_waiting) > ${p.prometheus_pgbouncer_waiting}`,
      summary: `WARN PgbouncerPoolSaturated ${at}: {{ $value }} clients wait for a server connection to ${L('database')}`,
      description: `pgbouncer on ${L('ins')} queues clients of database ${L('database')}: its pool is saturated (pool_size reached).`,
      threshold: `clients waiting in pgbouncer per database > prometheus_pgbouncer_waiting (${p.prometheus_pgbouncer_waiting})`,
    },
    {
      alert: 'HaproxyBackendDown', category: 'pgsql', severity: 'CRIT', for: '1m',
      expr: [
        '(haproxy_backend_active_servers + haproxy_backend_backup_servers) == 0',
        'and on (cls, ins, proxy) count by (cls, ins, proxy) (haproxy_server_status) > 0',
      ].join('\n'),
      summary: `CRIT HaproxyBackendDown ${at}: service ${L('proxy')} has no healthy server`,
      description: `HAProxy on ${L('ins')} has no server in UP state for ${L('proxy')}: connections to this service fail.`,
      threshold: 'active + backup servers UP == 0 in a proxy that has servers',
    },
  ];
}

/** Recording rules that the status playbook and the docs use. */
export function recordingRules(): { record: string; expr: string }[] {
  return [
    { record: 'pg:ins:backup_age_seconds', expr: 'time() - pgbackrest_backup_last_time_seconds' },
    { record: 'pg:ins:lag_bytes', expr: 'max by (cls, ins, replica) (pg_downstream_lag_bytes)' },
  ];
}

/** The rule file (YAML), with `for:` windows scaled or overridden. */
export function rulesFile(p: RuleParams): string {
  const alerts = alertRules(p).map((r) => ({
    alert: r.alert,
    expr: r.expr,
    for: forOf(r, p),
    labels: { level: String(LEVEL[r.severity]), severity: r.severity, category: r.category },
    annotations: { summary: r.summary, description: r.description },
  }));
  const doc = {
    groups: [
      { name: 'pgplay-record', rules: recordingRules() },
      { name: 'pgplay-alert', rules: alerts },
    ],
  };
  return `# Alert rules of pgplay (managed by roles/infra, tag prometheus_rules): see docs/monitoring.md\n${YAML.stringify(doc, { lineWidth: 0 })}`;
}
