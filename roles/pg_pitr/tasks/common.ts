/** Helpers shared by the pg_pitr task files. */
import type { HostCtx } from '../../../src/api/types.js';
import { fileBeside } from '../../../src/api/playbook.js';
import type { Action } from '../../../src/api/types.js';
import type { CommandArgs } from '../../../src/operations/index.js';
import { q, sh } from '../../../src/operations/shell-quote.js';
import { script } from '../../lib/script.js';
import type { PgPitrVars } from '../defaults.js';

export type H = HostCtx<PgPitrVars>;

export const PATRONI_CONF = '/etc/patroni/patroni.yml';
export const RECOVERY_LOG = '/pg/tmp/recovery.log';
export const PITR_CONF = '/pg/conf/pitr.conf';

export const plan = (h: H) => h.vars.pitr;
export const isPrimary = (h: H) => h.vars.pg_role === 'primary';
/** A restore beside the cluster (pg_pitr.data): the cluster itself is left alone. */
export const side = (h: H) => !!h.vars.pitr?.side;
/** patronictl with its words quoted: patronictl(h, ['pause', cluster, '--wait']). */
export const patronictl = (_h: H, args: readonly string[]) => sh`/usr/bin/patronictl -c ${PATRONI_CONF} ${args}`;
export const bin = (h: H, tool: string) => q(`${h.vars.pg_bin_dir}/${tool}`);

/** psql over the local socket to the instance being restored (its port may be pg_pitr.port). */
export const psql = (h: H) => sh`${`${h.vars.pg_bin_dir}/psql`} -h ${h.vars.pg_localhost} -p ${plan(h).port} -AXtq -d postgres`;

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

/**
 * files/pitr-recovery.sh in MODE wait (print state=, stops=, tail=) or promote (promote at the
 * target, starting it again with `startOpts` when it stopped there, then stop it cleanly).
 */
export function recoveryScript(h: H, mode: 'wait' | 'promote', timeout: number, startOpts = ''): Action<CommandArgs> {
  return script(fileBeside(import.meta.url, '../files/pitr-recovery.sh'), [mode, h.vars.pg_bin_dir, plan(h).data, plan(h).port, h.vars.pg_localhost, RECOVERY_LOG, timeout, startOpts], {
    timeout: timeout + 60,
  });
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

export { dcsCleanup, dcsPrefix, etcdEndpoints } from '../../lib/dcs.js';
