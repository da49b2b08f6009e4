/**
 * pgsql-status: a one-screen summary per cluster, from Patroni and Prometheus: members, roles,
 * state, timeline and lag (Patroni's /cluster), which targets are up, last backups and the alerts
 * firing (Prometheus on the first infra host). Read-only: runs the same under --check.
 *   ./run pgsql-status                 # every cluster of the inventory
 *   ./run pgsql-status -l pg-test      # one cluster
 * The first member of each cluster (in play order) asks Patroni (any member that answers) and, by
 * delegation, the infra host's Prometheus; it prints the summary. See docs/monitoring.md.
 */
import { debug, play, playbook, task, withTags } from '../src/api/playbook.js';
import type { HostCtx, TaskResult } from '../src/api/types.js';
import { http, shell } from '../src/operations/index.js';
import { sh } from '../src/operations/shell-quote.js';
import { pgId } from '../roles/pg_id/index.js';
import type { PgIdVars } from '../roles/pg_id/defaults.js';

type V = PgIdVars & Record<string, unknown>;
type H = HostCtx<V>;

const hasCluster = (vars: Record<string, unknown>) => vars.pg_cluster !== undefined && vars.pg_cluster !== null && vars.pg_cluster !== '';

/** Is h the first host of its cluster among the play's hosts? (the one that reports) */
export const reporter = (h: H) => h.playHosts.find((x) => h.inventory.hostvars(x).pg_cluster === h.vars.pg_cluster) === h.name;
const infraHost = (h: H) => h.inventory.hosts('infra')[0];

/** The PromQL queries of the summary, by key. */
export function statusQueries(cls: string): Record<string, string> {
  const c = `cls="${cls.replace(/["\\]/g, '')}"`;
  return {
    up: `up{${c}}`,
    lag: `pg_downstream_lag_bytes{${c}}`,
    backup: `pgbackrest_backup_last_time_seconds{${c}}`,
    backup_size: `pgbackrest_backup_last_size_bytes{${c}}`,
    stanza: `pgbackrest_stanza_status{${c}}`,
    archive: `pg_archiver_failing{${c}} or pg_archiver_ready_oldest_age_seconds{${c}}`,
    alerts: `ALERTS{${c},alertstate="firing"}`,
  };
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Parses the `key<TAB>json` lines of the Prometheus probe. */
export function parseProm(stdout: string | undefined): Record<string, Sample[]> {
  const out: Record<string, Sample[]> = {};
  for (const line of (stdout ?? '').split('\n')) {
    const i = line.indexOf('\t');
    if (i < 0) continue;
    try {
      const j = JSON.parse(line.slice(i + 1)) as { status: string; data?: { result?: Sample[] } };
      if (j.status === 'success') out[line.slice(0, i)] = j.data?.result ?? [];
    } catch {
      /* a query that failed is left out */
    }
  }
  return out;
}

interface PatroniMember {
  name: string;
  host: string;
  role: string;
  state: string;
  timeline?: number;
  lag?: number | string;
}

const bytes = (n: number) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : n < 1073741824 ? `${(n / 1048576).toFixed(1)} MiB` : `${(n / 1073741824).toFixed(2)} GiB`);
const ago = (sec: number) => (sec < 120 ? `${Math.round(sec)}s` : sec < 7200 ? `${Math.round(sec / 60)}m` : sec < 172800 ? `${(sec / 3600).toFixed(1)}h` : `${(sec / 86400).toFixed(1)}d`);
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The summary text of a cluster (pure: fed with the registered results). */
export function summary(cls: string, patroni: TaskResult | undefined, prom: TaskResult | undefined, now = Date.now() / 1000): string {
  const lines: string[] = [];
  const answer = (patroni?.results ?? []).find((r) => !r.failed && !r.skipped && (r.data as { json?: unknown } | undefined)?.json);
  const members = ((answer?.data as { json?: { members?: PatroniMember[] } } | undefined)?.json?.members ?? []).slice().sort((a, b) => a.name.localeCompare(b.name));
  const q = prom && !prom.skipped && !prom.failed ? parseProm(prom.stdout) : undefined;
  const leader = members.find((m) => m.role === 'leader' || m.role === 'standby_leader');
  lines.push(`== ${cls}: ${members.length ? `${members.length} member(s), leader ${leader ? leader.name : 'NONE'}${leader?.timeline !== undefined ? `, timeline ${leader.timeline}` : ''}` : 'Patroni does not answer on any member'}${answer ? ` (patroni via ${String(answer.item)})` : ''}`);
  const up = q?.up ?? [];
  const lag = q?.lag ?? [];
  lines.push(`   ${pad('MEMBER', 12)} ${pad('HOST', 14)} ${pad('ROLE', 14)} ${pad('STATE', 10)} ${pad('LAG', 10)} TARGETS (up / down)`);
  for (const m of members) {
    const ip = m.host;
    const t = up.filter((s) => s.metric.ip === ip);
    const ups = t.filter((s) => s.value[1] === '1').map((s) => s.metric.job).sort();
    const downs = t.filter((s) => s.value[1] !== '1').map((s) => s.metric.job).sort();
    const pl = lag.find((s) => s.metric.replica === m.name);
    const lagText = m.role === 'leader' ? '-' : pl ? bytes(Number(pl.value[1])) : m.lag !== undefined && m.lag !== '' ? (typeof m.lag === 'number' ? bytes(m.lag) : String(m.lag)) : '?';
    const targets = q ? `${ups.join(' ') || '-'}${downs.length ? ` / DOWN: ${downs.join(' ')}` : ''}` : '(no prometheus)';
    lines.push(`   ${pad(m.name, 12)} ${pad(ip, 14)} ${pad(m.role, 14)} ${pad(m.state, 10)} ${pad(lagText, 10)} ${targets}`);
  }
  if (q) {
    const backups = (q.backup ?? []).filter((s) => s.metric.type !== 'any').sort((a, b) => (a.metric.type < b.metric.type ? -1 : 1));
    const stanza = q.stanza?.[0];
    const size = (type: string) => q.backup_size?.find((s) => s.metric.type === type);
    const stanzaText = stanza ? (stanza.value[1] === '0' ? 'stanza ok' : stanza.value[1] === '-1' ? 'pgbackrest not configured' : `stanza status ${stanza.value[1]}`) : 'no backup metrics';
    const bText = backups.map((s) => `${s.metric.type} ${ago(now - Number(s.value[1]))} ago${size(s.metric.type) ? ` (${bytes(Number(size(s.metric.type)!.value[1]))})` : ''}`).join(', ');
    lines.push(`   last backup: ${bText || 'none'} | ${stanzaText}`);
    const failing = (q.archive ?? []).filter((s) => s.metric.__name__ === 'pg_archiver_failing' && s.value[1] === '1').map((s) => s.metric.ins);
    const ready = (q.archive ?? []).filter((s) => s.metric.__name__ === 'pg_archiver_ready_oldest_age_seconds' && Number(s.value[1]) > 0);
    lines.push(`   wal archiving: ${failing.length ? `FAILING on ${failing.join(', ')}` : 'ok'}${ready.length ? `, oldest waiting segment ${ago(Math.max(...ready.map((s) => Number(s.value[1]))))}` : ''}`);
    const alerts = (q.alerts ?? []).map((s) => `${s.metric.severity ?? '?'} ${s.metric.alertname}${s.metric.ins ? ` ${s.metric.ins}` : ''}`).sort();
    lines.push(`   alerts firing: ${alerts.length ? alerts.join('; ') : 'none'}`);
  } else {
    lines.push(`   prometheus: ${prom?.skipped ? 'no infra host in the inventory' : `unreachable (${prom?.msg ?? 'no answer'})`}`);
  }
  return lines.join('\n');
}

export default playbook('pgsql-status', [
  play({
    name: 'PGSQL STATUS',
    hosts: 'all',
    become: true,
    gather_facts: false,
    host_filter: (vars) => hasCluster(vars),
    roles: [withTags(pgId, ['id', 'pg-id'])],
    tasks: [
      task<V, string>('ask patroni for the cluster', {
        when: reporter,
        check_mode: false,
        changed_when: () => false,
        failed_when: () => false,
        register: 'status_patroni',
        loop: (h) => h.vars.pg_cluster_members,
        do: (h, m) => http({ url: `http://${m}:${Number(h.inventory.hostvars(m).patroni_port ?? 8008)}/cluster`, timeout: 5 }),
      }),
      task<V>('ask prometheus for targets, lag, backups and alerts', {
        when: (h) => reporter(h) && !!infraHost(h),
        delegate_to: (h) => infraHost(h),
        check_mode: false,
        changed_when: () => false,
        failed_when: () => false,
        register: 'status_prom',
        do: (h) => {
          const port = Number(h.inventory.hostvars(infraHost(h)).prometheus_port ?? 9090);
          const cmds = Object.entries(statusQueries(h.vars.pg_cluster)).map(
            ([k, query]) => sh`printf '%s\\t' ${k}; curl -sS -m 5 -G --data-urlencode ${`query=${query}`} ${`http://127.0.0.1:${port}/api/v1/query`}; echo`,
          );
          return shell({ cmd: cmds.join('\n') });
        },
      }),
      debug<V>('cluster status', (h) => summary(h.vars.pg_cluster, h.reg.status_patroni, h.reg.status_prom), { when: reporter }),
    ],
  }),
], 'one-screen status of each cluster from Patroni and Prometheus');
