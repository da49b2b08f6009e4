/**
 * [pgbackrest_config] The package, directories, /etc/pgbackrest/pgbackrest.conf (stanza =
 * pg_cluster, archive-async with the spool in /pg/spool, the repository of pgbackrest_method), the
 * /pg/bin scripts (pg-backup, pb, pg-pitr, pg-fork, pg-basebackup) and the dbsu's `pb` function.
 *
 * For a repository on another host (an entry with `host`, e.g. `central`), the same tag also sets
 * that host up through delegation: the package, its OS user, the repository directory, its config
 * (one stanza section per cluster of the inventory using it) and the ssh keys both ways
 * (instances -> repository for archive-push/get, restore and stanza commands; repository ->
 * instances for backups, which pgBackRest runs on the repository host).
 */
import fs from 'node:fs';
import path from 'node:path';
import { assert, block, fileBeside, local, task, type TaskSpec } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { apt, command, copy, file, group, lineinfile, shell, template, user } from '../../../src/operations/index.js';
import { q } from '../../../src/operations/shell-quote.js';
import type { PgbackrestVars } from '../defaults.js';
import { processMax, repoLines, repoStanzaLines, REPO_CONF_DIR, type ResolvedRepo } from '../lib/repo.js';
import { confVars, isRemote, PGBACKREST_CONF, remoteOf, repoOf, SECRET_OPTION, stanzasOf, type H } from './common.js';
import { ran } from '../../../src/api/results.js';

const filesDir = fileBeside(import.meta.url, '../files');
const scripts = () => fs.readdirSync(filesDir).filter((f) => !f.startsWith('.')).sort();
const tpl = (name: string) => fileBeside(import.meta.url, `../templates/${name}`);

const PROFILE = `# /etc/profile.d/pgbackrest.sh  (managed by pgplay, roles/pgbackrest)
# pb: pgbackrest with this host's stanza filled in (pb info, pb check, pb stanza-upgrade, ...)
pb() { /pg/bin/pb "$@"; }
alias pb-info='/pg/bin/pb info'
alias pb-log='tail -f /pg/log/pgbackrest/*.log'
`;

/**
 * The directory of a posix repository on this instance. /pg/backup is pg_dir's link to
 * pg_fs_backup/<cluster>-<version>/backup: its target is made here too (pgsql-rm -t pg_backup
 * removes it, and pgBackRest 2.45 crashes on a repository path that is a dangling link).
 */
function localRepoPath(h: H): string | undefined {
  const r = repoOf(h);
  if (r.remote || (r.entry.type !== undefined && r.entry.type !== 'posix' && r.entry.type !== 'cifs')) return undefined;
  const p = String(r.entry.path ?? '/var/lib/pgbackrest').split('${pg_cluster}').join(h.vars.pg_cluster);
  return p === '/pg/backup' ? `${h.vars.pg_fs_backup}/${h.vars.pg_cluster}-${h.vars.pg_version}/backup` : p;
}

const secretConf = (lines: string[]) => lines.some((l) => SECRET_OPTION.test(l));

/**
 * The repository host's part, delegated to it from one host of the play: the first play host that
 * uses the same repository (run_once would pick the first host of the play, which may use another
 * repository when the play spans clusters).
 */
export function repoLeader(h: H): string | undefined {
  return remoteOf(h) ? h.playHosts.find((m) => sameRepo(h, m)) : undefined;
}

/** Does play host `m` use the same repository host (and config) as `h`? */
function sameRepo(h: H, m: string): boolean {
  const mine = remoteOf(h);
  const r = (h.inventory.hostvars(m).pgbackrest_repo_resolved as ResolvedRepo | undefined)?.remote;
  return !!mine && !!r && r.host === mine.host && r.config === mine.config;
}

const repoKey = (h: H) => String(h.inventory.hostvars(repoLeader(h) ?? h.name).pgbackrest_repo_key ?? '');

function repoHost<I = unknown>(name: string, spec: TaskSpec<PgbackrestVars, I>) {
  const when = spec.when;
  return task<PgbackrestVars, I>(name, { ...spec, delegate_to: (h) => remoteOf(h)!.host, when: (h) => repoLeader(h) === h.name && (!when || when(h)) });
}

export const tasks: TaskNode<PgbackrestVars>[] = [
  task<PgbackrestVars>('install pgbackrest', {
    tags: ['pgbackrest_install'],
    awaits: 'apt-get install pgbackrest',
    do: (h) => apt({ name: h.vars.pgbackrest_packages, state: 'present', install_recommends: false }),
  }),
  task<PgbackrestVars, { path: string; mode: string }>('create pgbackrest directories', {
    loop: (h) => [
      { path: '/etc/pgbackrest', mode: '0750' },
      { path: h.vars.pgbackrest_log_dir, mode: '0750' },
      ...(localRepoPath(h)?.endsWith(`/${h.vars.pg_cluster}-${h.vars.pg_version}/backup`) ? [{ path: localRepoPath(h)!.replace(/\/backup$/, ''), mode: '0700' }] : []),
      ...(localRepoPath(h) ? [{ path: localRepoPath(h)!, mode: '0700' }] : []),
    ],
    do: (h, d) => file({ path: d.path, state: 'directory', owner: h.vars.pg_dbsu, group: 'postgres', mode: d.mode }),
  }),
  task<PgbackrestVars>('render pgbackrest config', {
    register: 'pgbackrest_conf',
    do: (h) => {
      const vars = confVars(h);
      return template({
        src: tpl('pgbackrest.conf.hbs'),
        dest: PGBACKREST_CONF,
        vars,
        owner: h.vars.pg_dbsu,
        group: 'postgres',
        mode: '0640',
        secret: secretConf(vars.repo_lines),
      });
    },
  }),
  task<PgbackrestVars, string>('copy pgbackrest scripts to /pg/bin', {
    loop: () => scripts(),
    do: (_h, f) => copy({ src: path.join(filesDir, f), dest: `/pg/bin/${f}`, owner: 'root', group: 'postgres', mode: '0755' }),
  }),
  task<PgbackrestVars>('add the pb shell function', {
    do: () => copy({ dest: '/etc/profile.d/pgbackrest.sh', content: PROFILE, owner: 'root', group: 'root', mode: '0644' }),
  }),

  block<PgbackrestVars>({
    name: 'repository host',
    tags: ['pgbackrest_repo'],
    when: (h) => isRemote(h),
    tasks: [
      repoHost('repository host: install pgbackrest', {
        awaits: 'apt-get install pgbackrest on the repository host',
        do: () => apt({ name: ['pgbackrest'], state: 'present', install_recommends: false }),
      }),
      repoHost('repository host: group', { do: (h) => group({ name: remoteOf(h)!.user, system: true }) }),
      repoHost('repository host: user', {
        do: (h) => user({ name: remoteOf(h)!.user, group: remoteOf(h)!.user, system: true, home: `/home/${remoteOf(h)!.user}`, shell: '/bin/bash', create_home: true }),
      }),
      repoHost('repository host: directories', {
        loop: (h) => [REPO_CONF_DIR, String(repoOf(h).entry.path), remoteOf(h)!.logPath, `/home/${remoteOf(h)!.user}/.ssh`],
        do: (h, p) => file({ path: p, state: 'directory', owner: remoteOf(h)!.user, group: remoteOf(h)!.user, mode: '0750' }),
      }),
      repoHost('repository host: ssh key', {
        become_user: (h) => remoteOf(h)!.user,
        do: (h) => {
          const u = remoteOf(h)!.user;
          return command({ cmd: ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${u}@${remoteOf(h)!.host}`, '-f', `/home/${u}/.ssh/id_ed25519`], creates: `/home/${u}/.ssh/id_ed25519` });
        },
      }),
      repoHost('repository host: ssh client config', {
        do: (h) =>
          copy({
            dest: `/home/${remoteOf(h)!.user}/.ssh/config`,
            content: '# managed by pgplay: the repository host reaches the instances for backups\nHost *\n  StrictHostKeyChecking accept-new\n  LogLevel ERROR\n  ServerAliveInterval 30\n',
            owner: remoteOf(h)!.user,
            group: remoteOf(h)!.user,
            mode: '0600',
          }),
      }),
      repoHost('repository host: render repository config', {
        do: (h) => {
          const r = repoOf(h);
          const lines = repoLines(r.entry, h.vars.pg_cluster);
          return template({
            src: tpl('repo.conf.hbs'),
            dest: r.remote!.config,
            vars: { method: r.name, remote: r.remote, repo_lines: lines, stanzas: stanzasOf(h).map((s) => ({ name: s.name, lines: repoStanzaLines(s.hosts) })), pm: processMax(h.facts.cpu_count) },
            owner: r.remote!.user,
            group: r.remote!.user,
            mode: '0640',
            secret: secretConf(lines),
          });
        },
      }),
      repoHost('repository host: read its public key', {
        check_mode: false,
        changed_when: () => false,
        failed_when: (r, h) => r.rc !== 0 && !h.check,
        register: 'pgbackrest_repo_pubkey',
        do: (h) => command({ cmd: ['cat', `/home/${remoteOf(h)!.user}/.ssh/id_ed25519.pub`] }),
      }),
      local<PgbackrestVars>('share the repository host public key', {
        when: (h) => repoLeader(h) === h.name,
        run: (h) => ({ set: { pgbackrest_repo_key: ran(h.reg.pgbackrest_repo_pubkey) ? (h.reg.pgbackrest_repo_pubkey.stdout ?? '').trim() : '' } }),
      }),
      task<PgbackrestVars>('read the dbsu public key', {
        check_mode: false,
        changed_when: () => false,
        failed_when: () => false,
        register: 'pgbackrest_dbsu_pubkey',
        do: (h) => command({ cmd: ['cat', `${h.vars.pg_dbsu_home}/.ssh/id_ed25519.pub`] }),
      }),
      assert<PgbackrestVars>('the dbsu has an ssh key', (h) => h.check || h.reg.pgbackrest_dbsu_pubkey?.rc === 0, {
        msg: (h) => `${h.name}: ${h.vars.pg_dbsu} has no ssh key (${h.vars.pg_dbsu_home}/.ssh/id_ed25519.pub); create it with: ./run pgsql -l ${h.vars.pg_cluster} -t pg_ssh`,
      }),
      local<PgbackrestVars>('share the dbsu public key', {
        run: (h) => ({ set: { pgbackrest_dbsu_key: ran(h.reg.pgbackrest_dbsu_pubkey) ? (h.reg.pgbackrest_dbsu_pubkey.stdout ?? '').trim() : '' } }),
      }),
      repoHost('repository host: authorize the instances', {
        loop: (h) =>
          [...new Set(h.playHosts.filter((m) => sameRepo(h, m)).map((m) => String(h.inventory.hostvars(m).pgbackrest_dbsu_key ?? '')).filter((k) => k.startsWith('ssh-')))].sort(),
        do: (h, key) => lineinfile({ path: `/home/${remoteOf(h)!.user}/.ssh/authorized_keys`, line: `restrict ${key}`, create: true, owner: remoteOf(h)!.user, group: remoteOf(h)!.user, mode: '0600' }),
      }),
      task<PgbackrestVars>('authorize the repository host on the instance', {
        when: (h) => repoKey(h).startsWith('ssh-'),
        do: (h) =>
          lineinfile({
            path: `${h.vars.pg_dbsu_home}/.ssh/authorized_keys`,
            line: `restrict ${repoKey(h)}`,
            create: true,
            owner: h.vars.pg_dbsu,
            group: 'postgres',
            mode: '0600',
          }),
      }),
      task<PgbackrestVars>('check ssh from the instance to the repository host', {
        check_mode: false,
        changed_when: () => false,
        become_user: (h) => h.vars.pg_dbsu,
        register: 'pgbackrest_ssh_to_repo',
        failed_when: () => false,
        do: (h) => shell({ cmd: `ssh -o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=accept-new ${q(`${remoteOf(h)!.user}@${remoteOf(h)!.host}`)} pgbackrest version`, timeout: 30 }),
      }),
      task<PgbackrestVars>('check ssh from the repository host to the instance', {
        check_mode: false,
        changed_when: () => false,
        delegate_to: (h) => remoteOf(h)!.host,
        become_user: (h) => remoteOf(h)!.user,
        register: 'pgbackrest_ssh_from_repo',
        failed_when: () => false,
        do: (h) => shell({ cmd: `ssh -o BatchMode=yes -o ConnectTimeout=10 ${q(`${h.vars.pg_dbsu}@${h.name}`)} pgbackrest version`, timeout: 30 }),
      }),
      assert<PgbackrestVars>('ssh works both ways between the instance and the repository host', (h) => {
        if (h.check) return true;
        const bad: string[] = [];
        const r = remoteOf(h)!;
        if (h.reg.pgbackrest_ssh_to_repo?.rc !== 0) bad.push(`${h.vars.pg_dbsu}@${h.name} -> ${r.user}@${r.host}: ${(h.reg.pgbackrest_ssh_to_repo?.stderr ?? '').trim() || 'failed'}`);
        if (h.reg.pgbackrest_ssh_from_repo?.rc !== 0) bad.push(`${r.user}@${r.host} -> ${h.vars.pg_dbsu}@${h.name}: ${(h.reg.pgbackrest_ssh_from_repo?.stderr ?? '').trim() || 'failed'}`);
        return bad.length ? `ssh between the instance and the repository host fails (pgBackRest needs both directions): ${bad.join('; ')}` : true;
      }),
    ],
  }),
];
