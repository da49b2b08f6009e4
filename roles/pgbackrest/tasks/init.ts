/**
 * [pgbackrest_init] The stanza (= pg_cluster): read what the repository holds, compare its database
 * system (system-id, version) with this instance's, create the stanza when it is missing, fail with
 * the fix when it belongs to another system. A local repository is per host, so every member gets
 * its stanza (the next primary archives into its own); a shared one is created from the primary.
 * Also [pgbackrest_backup]: the state read here decides the initial backup.
 */
import { local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { shell } from '../../../src/operations/index.js';
import { q } from '../../../src/operations/shell-quote.js';
import type { PgbackrestVars } from '../defaults.js';
import { mismatchMessage, stanzaState } from '../lib/repo.js';
import { stanzaProbe } from '../../lib/stanza.js';
import { isRemote, repoOf, type H } from './common.js';
import { kv, ran } from '../../../src/api/results.js';

export const infoOf = (h: H) => (h.reg.pgbackrest_state?.stdout ?? '').split('---info---\n')[1] ?? '';
export const probe = (h: H) => kv(h.reg.pgbackrest_state);
export const stanzaOf = (h: H) => h.vars.pgbackrest_stanza;
/** This instance is the primary right now (not only in the inventory). */
export const livePrimary = (h: H) => probe(h).role === 'primary';

/** Shared with the backup tasks (tags pgbackrest_init and pgbackrest_backup). */
export const probeTasks: TaskNode<PgbackrestVars>[] = [
  task<PgbackrestVars>('read the stanza in the repository', {
    tags: ['pgbackrest_init', 'pgbackrest_backup'],
    check_mode: false,
    changed_when: () => false,
    failed_when: () => false,
    become_user: (h) => h.vars.pg_dbsu,
    register: 'pgbackrest_state',
    do: (h) => stanzaProbe(h.vars),
  }),
  local<PgbackrestVars>('compare the stanza with this instance', {
    tags: ['pgbackrest_init', 'pgbackrest_backup'],
    run: (h) => {
      const p = probe(h);
      const r = repoOf(h);
      const where = r.remote ? `${r.remote.config} on ${r.remote.host}` : `${String(r.entry.path ?? '')} on ${h.name}`;
      if (!ran(h.reg.pgbackrest_state) || !p.sysid) {
        if (h.check) return { msg: 'cannot read the instance or the repository yet (check mode)' };
        return { failed: true, msg: `${h.name}: cannot read the system identifier of ${h.vars.pg_data} (pg_controldata): is the instance initialised? ${(h.reg.pgbackrest_state?.stderr ?? '').trim()}` };
      }
      if (p.info_rc !== '0') {
        const text = infoOf(h).trim().split('\n').slice(-3).join(' ');
        if (h.check) return { set: { pgbackrest_stanza: { state: 'missing', message: text } }, msg: `repository not readable yet (check mode): ${text}` };
        const hint = r.remote ? ` (the repository host ${r.remote.host} over ssh as ${r.remote.user}: see the ssh checks above)` : '';
        return { failed: true, msg: `${h.name}: pgbackrest info failed${hint}: ${text}` };
      }
      const st = stanzaState(infoOf(h), h.vars.pg_cluster, p.sysid, p.version);
      const msg = st.state === 'ok' ? `stanza ${h.vars.pg_cluster} ok (system-id ${st.systemId}, ${st.backups} backup(s))` : st.state === 'missing' ? `stanza ${h.vars.pg_cluster} missing: ${st.message}` : st.state;
      if (st.state === 'error') return { failed: true, msg: `${h.name}: ${st.message}` };
      // a shared repository's stanza is the primary's business; a local one is every member's
      if (st.state === 'mismatch' && (!isRemote(h) || livePrimary(h))) {
        return { failed: true, msg: mismatchMessage({ stanza: h.vars.pg_cluster, method: r.name, where, host: h.name, dbsu: h.vars.pg_dbsu, cluster: h.vars.pg_cluster, st }) };
      }
      return { set: { pgbackrest_stanza: st }, msg };
    },
  }),
];

export const tasks: TaskNode<PgbackrestVars>[] = [
  task<PgbackrestVars>('create the stanza', {
    when: (h) => stanzaOf(h)?.state === 'missing' && (!isRemote(h) || livePrimary(h)),
    become_user: (h) => h.vars.pg_dbsu,
    register: 'pgbackrest_created',
    do: (h) =>
      shell({
        // `start` lifts a stop left by pgsql-rm (pgbackrest stop); harmless otherwise
        cmd: `pgbackrest --stanza=${q(h.vars.pg_cluster)} start >/dev/null 2>&1; pgbackrest --stanza=${q(h.vars.pg_cluster)} --no-online stanza-create`,
        timeout: 300,
      }),
  }),
  task<PgbackrestVars>('check that WAL reaches the repository', {
    // once, when the stanza was just made: archive_command, archive-push and the repository end to end
    when: (h) => ran(h.reg.pgbackrest_created) && livePrimary(h),
    become_user: (h) => h.vars.pg_dbsu,
    awaits: 'pgbackrest check: switch WAL and wait until it is archived',
    changed_when: () => false,
    failed_when: () => false,
    register: 'pgbackrest_check',
    do: (h) => shell({ cmd: `pgbackrest --stanza=${q(h.vars.pg_cluster)} check`, timeout: 180 }),
  }),
  local<PgbackrestVars>('archiving works', {
    when: (h) => ran(h.reg.pgbackrest_created) && livePrimary(h),
    run: (h) => {
      const r = h.reg.pgbackrest_check;
      if (!r || r.skipped || r.rc === 0) return { msg: 'WAL is archived into the repository' };
      const ac = probe(h).archive_command ?? '';
      const fix = ac.includes('archive-push')
        ? `see ${h.vars.pgbackrest_log_dir} and the PostgreSQL log`
        : `archive_command is '${ac}', not pgbackrest archive-push: apply it with ./run pgsql -l ${h.vars.pg_cluster} -t pg_config`;
      return { failed: true, msg: `${h.name}: WAL does not reach the repository (pgbackrest check): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-2).join(' ')}; ${fix}` };
    },
  }),
];
