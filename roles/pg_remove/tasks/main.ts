/**
 * pg_remove's task tree, tagged as Pigsty's pgsql-rm.yml:
 *
 *   pg_safeguard (always)    refuse when pg_safeguard is set
 *   pg_monitor, pg_deregister  monitoring targets (tasks/deregister.ts, owned by the monitoring role)
 *   pg_access                pgbouncer stopped, disabled, its config removed
 *   pg_crontab               the dbsu's crontab block (pg_crontab)
 *   postgres                 pg_replica: replicas first; pg_primary: then the primary;
 *                            pg_meta: the cluster's DCS keys in etcd (with the primary)
 *   pg_backup                pg_rm_backup: the stanza (from the primary), local repositories, config
 *   pg_data                  pg_rm_data: the cluster directory (/pg -> pg_fs_main/<cluster>-<version>)
 *   pg_pkg                   pg_rm_pkg: PostgreSQL packages (pg_ext: extensions only)
 */
import { assert, block, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { apt, cron, file, service, shell } from '../../../src/operations/index.js';
import { q, raw, sh } from '../../../src/operations/shell-quote.js';
import type { PgRemoveVars } from '../defaults.js';
import { asBool, PGBACKREST_CONF, INITIAL_MARKER, resolveRepo } from '../../pgbackrest/lib/repo.js';
import { expandPackages } from '../../lib/package-lists.js';
import { dcsCleanup, dcsPrefix, etcdEndpoints } from '../../lib/dcs.js';
import { deregister } from './deregister.js';
import type { HostCtx } from '../../../src/api/types.js';

type H = HostCtx<PgRemoveVars>;
const dbsu = (h: H) => h.vars.pg_dbsu;
const isPrimary = (h: H) => h.vars.pg_role === 'primary';
const clusterDir = (h: H) => `${h.vars.pg_fs_main}/${h.vars.pg_cluster}-${h.vars.pg_version}`;
const backupDir = (h: H) => `${h.vars.pg_fs_backup}/${h.vars.pg_cluster}-${h.vars.pg_version}`;
const ctl = (h: H) => q(`${h.vars.pg_bin_dir}/pg_ctl`);

/** Is this host the repository host of some repository in use (keep pgbackrest installed there)? */
function isRepoHost(h: H): boolean {
  let infra: string[] = [];
  try {
    infra = h.inventory.hosts('infra');
  } catch {
    infra = [];
  }
  const all = h.inventory.hosts('all');
  return all.some((m) => {
    const v = h.inventory.hostvars(m);
    if (!v.pg_cluster) return false;
    const r = resolveRepo(String(v.pgbackrest_method ?? 'local'), v.pgbackrest_repo as never, infra, all);
    return typeof r !== 'string' && r.remote?.host === h.name;
  });
}

/** Stop Patroni (gently, then killed) and whatever PostgreSQL is left in the data directory. */
function stopInstance(name: string, tag: string, when: (h: H) => boolean): TaskNode<PgRemoveVars>[] {
  return [
    block<PgRemoveVars>({
      name,
      tags: [tag],
      when,
      tasks: [
        task<PgRemoveVars>(`${name}: stop patroni`, {
          do: () => service({ name: 'patroni', state: 'stopped', enabled: false }),
        }),
        task<PgRemoveVars>(`${name}: stop postgres`, {
          become_user: dbsu,
          changed_when: (r) => /stopped/.test(r.stdout ?? ''),
          do: (h) =>
            shell({
              cmd: sh`d=${h.vars.pg_data}; if [ -d "$d" ] && ${raw(ctl(h))} -D "$d" status >/dev/null 2>&1; then ${raw(ctl(h))} -D "$d" stop -m fast -w -t 60 || ${raw(ctl(h))} -D "$d" stop -m immediate -w; echo stopped; fi`,
              timeout: 180,
            }),
        }),
      ],
    }),
  ];
}

export const tasks: TaskNode<PgRemoveVars>[] = [
  assert<PgRemoveVars>('abort when pg_safeguard is set', (h) => !asBool(h.vars.pg_safeguard), {
    tags: ['always', 'pg_safeguard'],
    msg: (h) => `pg_safeguard is set for ${h.vars.pg_instance} @ ${h.name}: nothing was removed. Override with -e pg_safeguard=false`,
  }),

  block<PgRemoveVars>({ name: 'deregister monitoring', tags: ['pg_monitor', 'pg_deregister'], tasks: deregister }),

  block<PgRemoveVars>({
    name: 'remove access',
    tags: ['pg_access'],
    tasks: [
      // the access layer (haproxy services, vip, dns) adds its own removals here
      // the service module is ok when asked to stop a unit that is not installed
      task<PgRemoveVars>('stop and disable pgbouncer', { tags: ['pgbouncer'], do: () => service({ name: 'pgbouncer', state: 'stopped', enabled: false }) }),
      task<PgRemoveVars>('remove the pgbouncer config', { tags: ['pgbouncer'], do: () => file({ path: '/etc/pgbouncer', state: 'absent' }) }),
    ],
  }),

  task<PgRemoveVars>('remove the dbsu crontab block', {
    tags: ['pg_crontab'],
    failed_when: (r) => r.failed && !/no such user|does not exist|unknown user/i.test(r.msg ?? ''),
    do: (h) => cron({ name: 'pg_crontab', user: dbsu(h), entries: [], state: 'absent' }),
  }),

  block<PgRemoveVars>({
    name: 'remove postgres',
    tags: ['postgres'],
    tasks: [
      // replicas first, so stopping the primary triggers no failover
      ...stopInstance('remove replica', 'pg_replica', (h) => !isPrimary(h)),
      ...stopInstance('remove primary', 'pg_primary', (h) => isPrimary(h)),
      task<PgRemoveVars>('remove the cluster state from etcd', {
        tags: ['pg_meta'],
        when: (h) => isPrimary(h) && etcdEndpoints(h).length > 0,
        changed_when: (r) => /^deleted/m.test(r.stdout ?? ''),
        do: (h) => dcsCleanup(dcsPrefix(h.vars), etcdEndpoints(h)),
      }),
    ],
  }),

  block<PgRemoveVars>({
    name: 'remove backups',
    tags: ['pg_backup'],
    when: (h) => asBool(h.vars.pg_rm_backup),
    tasks: [
      task<PgRemoveVars>('delete the stanza', {
        when: isPrimary,
        become_user: dbsu,
        register: 'pg_rm_stanza',
        changed_when: (r) => /deleted/.test(r.stdout ?? ''),
        do: (h) =>
          shell({
            cmd: [
              `[ -f ${PGBACKREST_CONF} ] || { echo 'no pgbackrest config'; exit 0; }`,
              `s=${q(h.vars.pg_cluster)}`,
              // a missing stanza is fine: removal is idempotent
              'info=$(pgbackrest --stanza="$s" --output=json info 2>&1) || { echo "$info" >&2; exit 1; }',
              `if echo "$info" | grep -q '"code":1,'; then echo 'no stanza'; exit 0; fi`,
              'pgbackrest --stanza="$s" --force stop >/dev/null 2>&1',
              'out=$(pgbackrest --stanza="$s" --force stanza-delete 2>&1); rc=$?',
              'pgbackrest --stanza="$s" start >/dev/null 2>&1',
              '[ $rc -eq 0 ] || { echo "$out" >&2; exit $rc; }',
              'echo "stanza $s deleted"',
            ].join('\n'),
            timeout: 600,
          }),
      }),
      task<PgRemoveVars>('remove the local repository', {
        when: (h) => {
          const e = (h.vars.pgbackrest_repo as Record<string, Record<string, unknown>> | undefined)?.[String(h.vars.pgbackrest_method)];
          return !!e && !('host' in e) && (e.type === undefined || e.type === 'posix');
        },
        do: (h) => file({ path: backupDir(h), state: 'absent' }),
      }),
      task<PgRemoveVars, string>('remove the pgbackrest config', {
        loop: () => [PGBACKREST_CONF, INITIAL_MARKER],
        do: (_h, p) => file({ path: p, state: 'absent' }),
      }),
    ],
  }),

  block<PgRemoveVars>({
    name: 'remove data',
    tags: ['pg_data'],
    when: (h) => asBool(h.vars.pg_rm_data),
    tasks: [
      task<PgRemoveVars>('postgres is stopped', {
        become_user: dbsu,
        check_mode: false,
        changed_when: () => false,
        // check mode only pretends the postgres step stopped it
        failed_when: (r, h) => r.rc !== 0 && !h.check,
        do: (h) => shell({ cmd: sh`d=${h.vars.pg_data}; if [ -d "$d" ] && ${raw(ctl(h))} -D "$d" status >/dev/null 2>&1; then echo "postgres still runs in $d: remove it with -t postgres first" >&2; exit 1; fi` }),
      }),
      task<PgRemoveVars, string>('remove the cluster directory', {
        loop: (h) => ['/pg', clusterDir(h)],
        do: (_h, p) => file({ path: p, state: 'absent' }),
      }),
    ],
  }),

  block<PgRemoveVars>({
    name: 'remove packages',
    tags: ['pg_pkg'],
    when: (h) => asBool(h.vars.pg_rm_pkg),
    tasks: [
      task<PgRemoveVars, string>('remove the postgres environment', {
        loop: () => ['/etc/profile.d/pgsql.sh', '/etc/profile.d/pg-alias.sh', '/etc/profile.d/pgbackrest.sh'],
        do: (_h, p) => file({ path: p, state: 'absent' }),
      }),
      task<PgRemoveVars>('uninstall postgres extensions', {
        tags: ['pg_ext'],
        when: (h) => expandPackages(h.vars.pg_extensions, h.vars.pg_version).length > 0,
        do: (h) => apt({ name: expandPackages(h.vars.pg_extensions, h.vars.pg_version), state: 'absent' }),
      }),
      task<PgRemoveVars>('uninstall postgres packages', {
        awaits: 'apt-get remove',
        do: (h) =>
          apt({
            name: [...expandPackages(h.vars.pg_packages, h.vars.pg_version), ...(isRepoHost(h) ? [] : h.vars.pgbackrest_packages.filter((p) => p === 'pgbackrest'))],
            state: 'absent',
          }),
      }),
    ],
  }),
];
