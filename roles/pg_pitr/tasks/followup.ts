/**
 * [up, followup] After the recovery the new history is not backed up yet. With `archive: false`
 * (the default) archiving stays off and the steps are printed; with `archive: true` (or
 * `-t followup -e '{"pg_pitr": {..., "archive": true}}'` later) they are done:
 *   1. the stanza of this cluster is moved to the restored database system (pb stanza-upgrade) when
 *      it belongs to another one (a restore from another cluster), or created when missing;
 *   2. archive_mode back on (ALTER SYSTEM RESET on every member, restart through Patroni);
 *   3. the new timeline's history file pushed to the repository (it was made while archiving was off);
 *   4. a full backup (pg-backup full) on the primary.
 */
import { local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { pg_query, shell } from '../../../src/operations/index.js';
import { sh } from '../../../src/operations/shell-quote.js';
import type { PgPitrVars } from '../defaults.js';
import { stanzaProbe } from '../../lib/stanza.js';
import { stanzaState } from '../../pgbackrest/lib/repo.js';
import { describeTarget } from '../lib/pitr.js';
import { isPrimary, patronictl, plan, type H } from './common.js';
import { kv } from '../../../src/api/results.js';

const archive = (h: H) => plan(h).archive;
const dbsu = (h: H) => h.vars.pg_dbsu;
const info = (h: H) => (h.reg.pitr_stanza?.stdout ?? '').split('---info---\n')[1] ?? '';
const stanza = (h: H) => {
  const p = kv(h.reg.pitr_stanza);
  return p.info_rc === '0' && p.sysid ? stanzaState(info(h), h.vars.pg_cluster, p.sysid, p.version) : undefined;
};
/** The cluster's own repository: per host when local (no repo1-host in its pgbackrest.conf). */
const sharedRepo = (h: H) => (h.reg.pitr_stanza?.stdout ?? '').includes('repo_host=1');
const mine = (h: H) => !sharedRepo(h) || isPrimary(h);

function printed(h: H): string {
  const p = plan(h);
  const cls = h.vars.pg_cluster;
  const again = JSON.stringify({ pg_pitr: { ...(h.vars.pg_pitr ?? {}), archive: true } });
  return [
    `${cls} is back at ${describeTarget(p)}${p.crossCluster ? ` from ${p.cluster}'s backup` : ''}, with WAL archiving OFF (pg_pitr.archive false), so its new history cannot reach the repository before you check it.`,
    `When the data is right, either run: ./run pgsql-pitr -l ${cls} -t followup -e '${again}'`,
    `or by hand, as ${h.vars.pg_dbsu} on ${h.vars.pg_primary_ip ?? 'the primary'}:`,
    ...(p.crossCluster ? [`  pb stanza-upgrade                                   # the stanza ${cls} now belongs to the system restored from ${p.cluster}`] : []),
    `  psql -c 'ALTER SYSTEM RESET archive_mode'           # on every member`,
    `  ${patronictl(h, ['restart', cls, '--force'])}   # archive_mode needs a restart`,
    sh`  pb --no-archive-async archive-push $(ls ${h.vars.pg_data}/pg_wal/*.history | tail -n1)   # the new timeline's history`,
    `  pg-backup full`,
  ].join('\n');
}

export const followup: TaskNode<PgPitrVars>[] = [
  local<PgPitrVars>('follow-up', {
    tags: ['followup'],
    when: (h) => !archive(h) && isPrimary(h),
    print: true,
    run: (h) => ({ msg: printed(h) }),
  }),
  task<PgPitrVars>('read the stanza of the cluster', {
    tags: ['followup'],
    when: archive,
    check_mode: false,
    changed_when: () => false,
    failed_when: () => false,
    become_user: dbsu,
    register: 'pitr_stanza',
    do: (h) => stanzaProbe(h.vars),
  }),
  task<PgPitrVars>('move the stanza to the restored database system', {
    tags: ['followup'],
    when: (h) => archive(h) && mine(h) && stanza(h)?.state === 'mismatch',
    become_user: dbsu,
    do: (h) => shell({ cmd: sh`pgbackrest --stanza=${h.vars.pg_cluster} stanza-upgrade`, timeout: 300 }),
  }),
  task<PgPitrVars>('create the stanza', {
    tags: ['followup'],
    when: (h) => archive(h) && mine(h) && stanza(h)?.state === 'missing',
    become_user: dbsu,
    do: (h) => shell({ cmd: sh`pgbackrest --stanza=${h.vars.pg_cluster} start >/dev/null 2>&1; pgbackrest --stanza=${h.vars.pg_cluster} --no-online stanza-create`, timeout: 300 }),
  }),
  local<PgPitrVars>('the stanza is usable', {
    tags: ['followup'],
    when: (h) => archive(h) && !h.check,
    run: (h) => {
      const p = kv(h.reg.pitr_stanza);
      if (p.info_rc !== '0') return { failed: true, msg: `pgbackrest info failed: ${info(h).trim().split('\n').slice(-2).join(' ')}` };
      const st = stanza(h);
      if (st?.state === 'error') return { failed: true, msg: st.message };
      return { msg: `stanza ${h.vars.pg_cluster}: ${st?.state ?? 'unknown'} before the follow-up` };
    },
  }),
  task<PgPitrVars>('turn archive_mode back on', {
    tags: ['followup'],
    when: archive,
    become_user: dbsu,
    register: 'pitr_archive_reset',
    changed_when: (r) => /reset/.test(r.stdout ?? ''),
    do: (h) =>
      shell({
        cmd: sh`if grep -qE '^archive_mode[[:space:]]*=' ${h.vars.pg_data}/postgresql.auto.conf; then psql -h ${h.vars.pg_localhost} -p ${h.vars.pg_port} -AXtq -d postgres -c 'ALTER SYSTEM RESET archive_mode' && echo reset; fi`,
      }),
  }),
  local<PgPitrVars>('note the archive_mode reset', {
    tags: ['followup'],
    when: archive,
    run: (h) => ({ set: { pitr_archive_was_reset: !!h.reg.pitr_archive_reset?.changed } }),
  }),
  task<PgPitrVars>('restart the cluster for archive_mode', {
    tags: ['followup'],
    when: (h) => archive(h) && isPrimary(h) && h.playHosts.some((m) => h.inventory.hostvars(m).pg_cluster === h.vars.pg_cluster && !!h.inventory.hostvars(m).pitr_archive_was_reset),
    become_user: dbsu,
    awaits: 'patronictl restart (archive_mode)',
    do: (h) => shell({ cmd: `${patronictl(h, ['restart', h.vars.pg_cluster, '--force'])} 2>&1`, timeout: 600 }),
  }),
  task<PgPitrVars>('wait until archive_mode is on', {
    tags: ['followup'],
    when: (h) => archive(h) && !h.check,
    check_mode: false,
    failed_when: () => false,
    until: (r) => ((r.data as { rows?: Record<string, string>[] })?.rows?.[0]?.archive_mode ?? '') === 'on',
    retries: 90,
    delay: 2,
    do: (h) => pg_query({ port: h.vars.pg_port, dbsu: dbsu(h), sql: 'SHOW archive_mode' }),
  }),
  task<PgPitrVars>("push the new timeline's history file", {
    tags: ['followup'],
    when: (h) => archive(h) && isPrimary(h),
    become_user: dbsu,
    changed_when: (r) => /pushed/.test(r.stdout ?? ''),
    do: (h) =>
      shell({
        cmd: sh`f=$(ls ${h.vars.pg_data}/pg_wal/*.history 2>/dev/null | sort | tail -n1); if [ -n "$f" ]; then out=$(pgbackrest --stanza=${h.vars.pg_cluster} --no-archive-async archive-push "$f" 2>&1) || { echo "$out" >&2; exit 1; }; echo "$out" | grep -q 'already exists' || echo "pushed $f"; fi`,
        timeout: 300,
      }),
  }),
  task<PgPitrVars>('take a full backup of the new history', {
    tags: ['followup'],
    when: (h) => archive(h) && isPrimary(h),
    become_user: dbsu,
    awaits: 'pg-backup full',
    do: () => shell({ cmd: '/pg/bin/pg-backup full', timeout: 6 * 3600 }),
  }),
];
