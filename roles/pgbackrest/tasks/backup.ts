/**
 * [pgbackrest_backup] The initial full backup, on the primary, once per stanza, repository and
 * database system (marker /etc/pgbackrest/initial.done, written after the backup succeeded), and
 * again when the repository holds no backup of this system any more. A
 * changed repository (pgbackrest_method) or system (a restore from another cluster) gets a new one:
 * the WAL archived elsewhere meanwhile is a gap in this repository's archive, and a full backup is
 * where recovery from it can start again.
 */
import { local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { copy, shell } from '../../../src/operations/index.js';
import type { PgbackrestVars } from '../defaults.js';
import { asBool, INITIAL_MARKER, markerLine } from '../lib/repo.js';
import { repoOf, type H } from './common.js';
import { livePrimary, probe, stanzaOf } from './init.js';

const want = (h: H) => markerLine(h.vars.pg_cluster, repoOf(h).name, probe(h).sysid ?? '');
/** Backups of this database system in the repository (0 when the stanza was missing). */
const backupsOfThisSystem = (h: H) => {
  const st = stanzaOf(h);
  return st?.state === 'ok' ? st.backups : 0;
};
/** A repository that lost its backups (deleted, or another repository at the same path) gets one again. */
const needed = (h: H) => asBool(h.vars.pgbackrest_init_backup) && livePrimary(h) && !!probe(h).sysid && (probe(h).marker !== want(h) || backupsOfThisSystem(h) === 0);
export const tasks: TaskNode<PgbackrestVars>[] = [
  task<PgbackrestVars>('take the initial full backup', {
    when: (h) => needed(h),
    register: 'pgbackrest_initial_backup',
    become_user: (h) => h.vars.pg_dbsu,
    awaits: 'pg-backup full',
    do: () => shell({ cmd: '/pg/bin/pg-backup full', timeout: 6 * 3600 }),
  }),
  task<PgbackrestVars>('write the initial backup marker', {
    when: (h) => needed(h) && (h.check || !!h.reg.pgbackrest_initial_backup?.changed),
    do: (h) => copy({ dest: INITIAL_MARKER, content: `${want(h)}\n`, owner: h.vars.pg_dbsu, group: 'postgres', mode: '0640' }),
  }),
  local<PgbackrestVars>('backup summary', {
    run: (h) => {
      const st = stanzaOf(h);
      const r = repoOf(h);
      const where = r.remote ? `${r.name} repository on ${r.remote.host}` : `${r.name} repository ${String(r.entry.path ?? '')}`;
      if (!livePrimary(h)) return { msg: `${h.vars.pg_instance}: ${probe(h).role ?? 'unknown'}; backups of ${h.vars.pg_cluster} are taken on the primary (${where})` };
      return { msg: `${h.vars.pg_instance}: stanza ${h.vars.pg_cluster} in the ${where}: ${st?.state === 'ok' ? `${st.backups} backup(s) before this run` : 'created'}; pb info lists them` };
    },
  }),
];
