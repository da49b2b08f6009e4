/**
 * [pg_install] Packages (pg_pkg), binary link (pg_link), PATH (pg_path), Pigsty's directory layout
 * (pg_dir), helper scripts (pg_bin) and shell aliases (pg_alias).
 */
import fs from 'node:fs';
import path from 'node:path';
import { block, fileBeside, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { apt, copy, file, service, shell, template, user } from '../../../src/operations/index.js';
import type { PgsqlVars } from '../defaults.js';
import { failedUnlessCheck, type H } from './common.js';
import { sh } from '../../../src/operations/shell-quote.js';

export { expandPackages } from '../../lib/package-lists.js';
import { expandPackages } from '../../lib/package-lists.js';

export const clusterDir = (h: H) => `${h.vars.pg_fs_main}/${h.vars.pg_cluster}-${h.vars.pg_version}`;
export const backupDir = (h: H) => `${h.vars.pg_fs_backup}/${h.vars.pg_cluster}-${h.vars.pg_version}`;
/** Where Debian installs PostgreSQL N (pg_bin_dir's parent links here). */
export const pgHome = (h: H) => `/usr/lib/postgresql/${h.vars.pg_version}`;

const filesDir = fileBeside(import.meta.url, '../files');
const binFiles = () => fs.readdirSync(filesDir).filter((f) => !f.startsWith('.')).sort();

interface Dir {
  path: string;
  mode: string;
  owner?: string;
}

function directories(h: H): Dir[] {
  const c = clusterDir(h);
  return [
    { path: h.vars.pg_fs_main, mode: '0700' },
    { path: h.vars.pg_fs_backup, mode: '0700' },
    { path: c, mode: '0700' },
    { path: `${c}/bin`, mode: '0700' },
    { path: `${c}/log`, mode: '0750' },
    { path: `${c}/tmp`, mode: '0700' },
    { path: `${c}/cert`, mode: '0700' },
    { path: `${c}/conf`, mode: '0700' },
    { path: `${c}/data`, mode: '0700' },
    { path: `${c}/spool`, mode: '0700' },
    { path: `${backupDir(h)}/backup`, mode: '0700' },
    { path: '/etc/patroni', mode: '0750' },
  ];
}

const CREATECLUSTER = '/etc/postgresql-common/createcluster.d/00-pgplay.conf';

export const tasks: TaskNode<PgsqlVars>[] = [
  block<PgsqlVars>({
    name: 'install postgres packages',
    tags: ['pg_pkg'],
    tasks: [
      task<PgsqlVars>('prevent the debian main cluster: dir', { tags: ['pg_pre'], do: () => file({ path: '/etc/postgresql-common/createcluster.d', state: 'directory', mode: '0755' }) }),
      task<PgsqlVars>('prevent the debian main cluster', {
        tags: ['pg_pre'],
        do: () => copy({ dest: CREATECLUSTER, content: '# managed by pgplay: clusters are created by Patroni, not by the package\ncreate_main_cluster = false\n', mode: '0644' }),
      }),
      task<PgsqlVars>('install postgres packages', {
        awaits: 'apt-get install (postgres, patroni)',
        do: (h) => apt({ name: expandPackages(h.vars.pg_packages, h.vars.pg_version), state: 'present', update_cache: true, cache_valid_time: 3600, install_recommends: false }),
      }),
      task<PgsqlVars>('install postgres extensions', {
        tags: ['pg_extension', 'pg_ext'],
        when: (h) => expandPackages(h.vars.pg_extensions, h.vars.pg_version).length > 0,
        do: (h) => apt({ name: expandPackages(h.vars.pg_extensions, h.vars.pg_version), state: 'present', install_recommends: false }),
      }),
      task<PgsqlVars>('let the dbsu read the snakeoil ssl key', {
        tags: ['pg_post'],
        do: (h) => user({ name: h.vars.pg_dbsu, groups: ['ssl-cert'], append: true }),
      }),
      task<PgsqlVars>('disable the debian postgresql service', {
        tags: ['pg_post'],
        failed_when: failedUnlessCheck,
        do: () => service({ name: 'postgresql', state: 'stopped', enabled: false }),
      }),
      task<PgsqlVars>('drop a debian main cluster if one was created', {
        tags: ['pg_post'],
        changed_when: (r) => /dropped/.test(r.stdout ?? ''),
        do: (h) =>
          shell({
            cmd: sh`if [ -d /etc/postgresql/${h.vars.pg_version}/main ]; then pg_dropcluster --stop ${h.vars.pg_version} main && echo dropped; fi`,
            removes: `/etc/postgresql/${h.vars.pg_version}/main`,
          }),
      }),
    ],
  }),
  task<PgsqlVars>('link postgres home', {
    tags: ['pg_link'],
    do: (h) => file({ path: path.posix.dirname(h.vars.pg_bin_dir), src: pgHome(h), state: 'link' }),
  }),
  task<PgsqlVars>('setup pgsql path', {
    tags: ['pg_path'],
    do: (h) =>
      copy({
        dest: '/etc/profile.d/pgsql.sh',
        owner: 'root',
        group: 'root',
        mode: '0644',
        content: [
          '# managed by pgplay (tag pg_path)',
          sh`export PATH=${h.vars.pg_bin_dir}:/pg/bin:"$PATH"`,
          sh`export PGHOME=${path.posix.dirname(h.vars.pg_bin_dir)}`,
          sh`export PGDATA=${h.vars.pg_data}`,
          sh`export PGPORT=${h.vars.pg_port}`,
          sh`export PGDATABASE=${h.vars.pg_primary_db}`,
          '',
        ].join('\n'),
      }),
  }),
  block<PgsqlVars>({
    name: 'create pgsql directories',
    tags: ['pg_dir'],
    tasks: [
      task<PgsqlVars, Dir>('create pgsql directories', {
        loop: directories,
        do: (h, d) => file({ path: d.path, state: 'directory', owner: d.owner ?? h.vars.pg_dbsu, group: 'postgres', mode: d.mode }),
      }),
      task<PgsqlVars, { src: string; dest: string }>('link pgsql directories', {
        loop: (h) => [
          { src: `${backupDir(h)}/backup`, dest: `${clusterDir(h)}/backup` },
          { src: clusterDir(h), dest: '/pg' },
        ],
        do: (_h, l) => file({ path: l.dest, src: l.src, state: 'link' }),
      }),
      task<PgsqlVars, string>('create log directories', {
        loop: (h) => [...new Set([h.vars.pg_log_dir, h.vars.patroni_log_dir])],
        do: (h, d) => file({ path: d, state: 'directory', owner: h.vars.pg_dbsu, group: 'postgres', mode: '0750' }),
      }),
      task<PgsqlVars>('create the socket directory', {
        do: (h) => file({ path: h.vars.pg_localhost, state: 'directory', owner: h.vars.pg_dbsu, group: 'postgres' }),
      }),
    ],
  }),
  task<PgsqlVars, string>('copy /pg/bin scripts', {
    tags: ['pg_bin'],
    loop: () => binFiles(),
    do: (_h, f) => copy({ src: path.join(filesDir, f), dest: `/pg/bin/${f}`, owner: 'root', group: 'postgres', mode: '0755' }),
  }),
  task<PgsqlVars, { src: string; dest: string; owner: string; group: string; mode: string }>('copy pgsql/psql alias', {
    tags: ['pg_alias'],
    loop: (h) => [
      { src: 'pg-alias.sh.hbs', dest: '/etc/profile.d/pg-alias.sh', owner: 'root', group: 'root', mode: '0644' },
      { src: 'psqlrc.hbs', dest: `${h.vars.pg_dbsu_home}/.psqlrc`, owner: h.vars.pg_dbsu, group: 'postgres', mode: '0600' },
    ],
    do: (h, t) => template({ src: fileBeside(import.meta.url, `../templates/${t.src}`), dest: t.dest, vars: { v: h.vars }, owner: t.owner, group: t.group, mode: t.mode }),
  }),
];
