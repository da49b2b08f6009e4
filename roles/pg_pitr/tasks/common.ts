/** Helpers shared by the pg_pitr task files. */
import type { HostCtx } from '../../../src/api/types.js';
import { q } from '../../../src/operations/shell-quote.js';
import type { PgPitrVars } from '../defaults.js';

export type H = HostCtx<PgPitrVars>;

export const PATRONI_CONF = '/etc/patroni/patroni.yml';
export const RECOVERY_LOG = '/pg/tmp/recovery.log';
export const PITR_CONF = '/pg/conf/pitr.conf';

export const plan = (h: H) => h.vars.pitr;
export const isPrimary = (h: H) => h.vars.pg_role === 'primary';
/** A restore beside the cluster (pg_pitr.data): the cluster itself is left alone. */
export const side = (h: H) => !!h.vars.pitr?.side;
export const patronictl = (h: H, args: string) => `/usr/bin/patronictl -c ${PATRONI_CONF} ${args}`;
export const bin = (h: H, tool: string) => q(`${h.vars.pg_bin_dir}/${tool}`);

/** psql over the local socket to the instance being restored (its port may be pg_pitr.port). */
export const psql = (h: H) => `${bin(h, 'psql')} -h ${q(h.vars.pg_localhost)} -p ${plan(h).port} -AXtq -d postgres`;

/**
 * Options of the standalone PostgreSQL that replays WAL: its own port, no TCP listener (nobody
 * writes to it before Patroni has it), no archive_command (nothing leaves before the cluster's
 * own archive_command is back: with archive_mode on, WAL waits as .ready), hot standby for the
 * checks, and the log in /pg/tmp/recovery.log.
 */
export function standaloneOpts(h: H, extra = ''): string {
  return [
    `-c port=${plan(h).port}`,
    `-c listen_addresses=''`,
    `-c archive_command=''`,
    '-c hot_standby=on',
    '-c logging_collector=on',
    '-c log_destination=stderr',
    '-c log_directory=/pg/tmp',
    '-c log_filename=recovery.log',
    '-c log_rotation_age=0',
    '-c log_rotation_size=0',
    extra,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The script that waits until the standalone instance is paused at the target, promoted, or stopped. */
export function waitScript(h: H, timeout: number): string {
  const d = q(plan(h).data);
  return [
    `deadline=$(( $(date +%s) + ${timeout} ))`,
    'state=""',
    'while [ -z "$state" ]; do',
    `  if ${bin(h, 'pg_ctl')} -D ${d} status >/dev/null 2>&1; then`,
    `    s=$(${psql(h)} -c "SELECT CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() ELSE 'promoted' END" 2>/dev/null)`,
    '    case "$s" in paused|promoted) state=$s ;; esac',
    '  else',
    `    if grep -q 'recovery ended before configured recovery target was reached' ${RECOVERY_LOG}; then state=not_reached`,
    `    elif grep -q 'requested recovery stop point is before consistent recovery point' ${RECOVERY_LOG}; then state=before_backup`,
    `    elif grep -q 'shutdown at recovery target' ${RECOVERY_LOG}; then state=shutdown`,
    `    elif grep -qE 'database system is shut down|aborting startup due to startup process failure' ${RECOVERY_LOG}; then state=down`,
    '    fi',
    '  fi',
    '  if [ -z "$state" ] && [ "$(date +%s)" -ge "$deadline" ]; then state=timeout; fi',
    '  [ -n "$state" ] || sleep 1',
    'done',
    'echo "state=$state"',
    `echo "stops=$(grep -E 'recovery stopping|redo done at|consistent recovery state reached|last completed transaction' ${RECOVERY_LOG} | sed 's/^.*LOG: *//' | tr '\\n' ';')"`,
    `echo "tail=$(grep -E 'FATAL|PANIC|ERROR' ${RECOVERY_LOG} | grep -v 'the database system is starting up' | tail -n 3 | sed 's/^.*\\(FATAL\\|PANIC\\|ERROR\\)/\\1/' | tr '\\n' ';')"`,
  ].join('\n');
}

/** What each end state of the recovery means. */
export function recoveryVerdict(state: string, h: H): { ok: boolean; msg: string } {
  const p = plan(h);
  switch (state) {
    case 'paused':
      return { ok: true, msg: 'paused at the target (recovery_target_action pause): check the data; the up step promotes it' };
    case 'promoted':
      return { ok: true, msg: p.type === 'latest' ? 'replayed to the end of the archive and promoted' : 'promoted at the target' };
    case 'shutdown':
      return { ok: true, msg: 'stopped at the target (action shutdown): the up step starts and promotes it there' };
    case 'not_reached':
      return {
        ok: false,
        msg:
          `recovery ended before the target was reached: the archive of stanza ${p.cluster} has no WAL up to it ` +
          (p.type === 'time'
            ? '(recovery to a time stops at the first transaction committed after it: none is archived after this time yet, or the time is past the archive'
            : `(an ${p.type === 'lsn' ? 'LSN past the archive' : p.type === 'name' ? 'restore point that is not in the archive of this timeline' : 'xid that never committed in the archive of this timeline'}`) +
          `; WAL not archived yet? SELECT pg_switch_wal() on the source and wait for pg_stat_archiver). PostgreSQL stopped here, nothing was promoted: run again with another target (or {} for the latest state)`,
      };
    case 'before_backup':
      return { ok: false, msg: `the target is before the end of the backup that was restored: pick an older backup with pg_pitr.set (pb info lists them), or a later target` };
    case 'timeout':
      return { ok: false, msg: `recovery is still replaying after the wait: it continues; see ${RECOVERY_LOG} and run -t recovery,verify again` };
    default:
      return { ok: false, msg: `PostgreSQL stopped during recovery: see ${RECOVERY_LOG}` };
  }
}

/** etcd endpoints of the DCS (the `etcd_cluster` group), host:port. */
export function etcdEndpoints(h: H): string[] {
  let hosts: string[] = [];
  try {
    hosts = h.inventory.hosts(h.vars.etcd_cluster || 'etcd');
  } catch {
    hosts = [];
  }
  return [...hosts].sort().map((ip) => `${ip}:${h.vars.etcd_port ?? 2379}`);
}

/** The etcd v3 JSON body deleting every key under `prefix`. */
export function deleteRangeBody(prefix: string): string {
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return JSON.stringify({ key: Buffer.from(prefix).toString('base64'), range_end: Buffer.from(end).toString('base64') });
}

/**
 * Deletes Patroni's keys of a cluster from etcd, through the v2 API (Patroni's `etcd`, what
 * Debian's etcd 3.4 serves: it lacks the v3 JSON gateway) and the v3 gateway (Patroni's `etcd3`),
 * whichever the server answers. Prints `deleted` when something was removed.
 */
export function dcsCleanupScript(prefix: string, endpoints: readonly string[]): string {
  const v2 = prefix.replace(/\/+$/, '');
  return [
    `body=${q(deleteRangeBody(prefix))}`,
    'ok=""',
    `for e in ${endpoints.map(q).join(' ')}; do`,
    `  r=$(curl -sS -m 10 -X DELETE "http://$e/v2/keys${v2}?recursive=true" -w ' HTTP%{http_code}' 2>&1)`,
    '  case "$r" in',
    `    *' HTTP200') echo "deleted ${v2} (v2)"; ok=1 ;;`,
    `    *'"errorCode":100'*) echo "no ${v2} (v2)"; ok=1 ;;`,
    '  esac',
    `  r=$(curl -sS -m 10 -X POST "http://$e/v3/kv/deleterange" -d "$body" -w ' HTTP%{http_code}' 2>&1)`,
    '  case "$r" in',
    `    *'"deleted"'*' HTTP200') echo "deleted ${prefix} (v3)"; ok=1 ;;`,
    `    *' HTTP200') echo "no ${prefix} (v3)"; ok=1 ;;`,
    '  esac',
    '  [ -n "$ok" ] && exit 0',
    'done',
    'echo "no etcd endpoint answered: $r" >&2; exit 1',
  ].join('\n');
}

/** Patroni's keys of the cluster: <namespace>/<scope>/ */
export const dcsPrefix = (h: H) => `${String(h.vars.pg_namespace || '/pg').replace(/\/+$/, '')}/${h.vars.pg_cluster}/`;
