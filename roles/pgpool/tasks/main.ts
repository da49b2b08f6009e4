/**
 * [pgpool] pgpool-II on every member when pgpool_enabled (pgpool_install, pgpool_config,
 * pgpool_launch, pgpool_reload); when it is not, a pgpool2 left running by an earlier run is
 * stopped and disabled (pgpool_stop). Files with passwords are 0600 and never shown in diffs.
 */
import { block, fileBeside, local, task } from '../../../src/api/playbook.js';
import type { HostCtx, TaskNode } from '../../../src/api/types.js';
import { apt, copy, file, service, shell, template } from '../../../src/operations/index.js';
import { daemonTasks } from '../../pgbouncer/lib/daemon.js';
import type { PgpoolVars } from '../defaults.js';
import { backends, checkUser, pcpConf, poolHba, poolPasswd } from '../lib/pgpool.js';

type H = HostCtx<PgpoolVars>;
const DIR = '/etc/pgpool2';
const STAMP = '/run/postgresql/pgpool.pgplay-loaded';
const tpl = (name: string) => fileBeside(import.meta.url, `../templates/${name}`);
const owned = (h: H, mode: string) => ({ owner: h.vars.pg_dbsu, group: 'postgres', mode });

const members = (h: H) =>
  (h.vars.pg_cluster_members ?? []).map((ip) => ({ ...(ip === h.name ? { ...h.vars } : h.inventory.hostvars(ip)), inventory_hostname: ip }));

const install: TaskNode<PgpoolVars>[] = [task<PgpoolVars>('install pgpool2', { do: () => apt({ name: ['pgpool2'], state: 'present' }) })];

const config: TaskNode<PgpoolVars>[] = [
  task<PgpoolVars>('create pgpool dir', { do: (h) => file({ path: DIR, state: 'directory', owner: 'root', group: 'postgres', mode: '0750' }) }),
  task<PgpoolVars>('render pgpool unit', {
    register: 'pgpool_unit',
    do: (h) => template({ src: tpl('pgpool2.service.hbs'), dest: '/etc/systemd/system/pgpool2.service', vars: { v: h.vars, stamp: STAMP }, owner: 'root', group: 'root', mode: '0644' }),
  }),
  task<PgpoolVars>('render pgpool.conf', {
    register: 'pgpool_conf',
    no_log: true,
    do: (h) => template({ src: tpl('pgpool.conf.hbs'), dest: `${DIR}/pgpool.conf`, vars: { v: h.vars, host: h.name, backends: backends(members(h)), check: checkUser(h.vars) }, ...owned(h, '0600'), secret: true }),
  }),
  task<PgpoolVars>('render pool_hba.conf', {
    register: 'pgpool_hba',
    do: (h) => copy({ dest: `${DIR}/pool_hba.conf`, content: poolHba(h.vars), ...owned(h, '0600') }),
  }),
  task<PgpoolVars>('render pool_passwd', {
    register: 'pgpool_passwd',
    no_log: true,
    do: (h) => copy({ dest: `${DIR}/pool_passwd`, content: poolPasswd(h.vars).text, ...owned(h, '0600'), secret: true }),
  }),
  local<PgpoolVars>('report pgpool users', {
    run: (h) => {
      const p = poolPasswd(h.vars);
      return {
        msg: `users: ${p.users.join(', ') || 'none'}`,
        warnings: p.skipped.length ? [`pgpool: ${p.skipped.join(', ')} have their password given as a verifier; pgpool needs the plain text for SCRAM, so they cannot log in through pgpool`] : undefined,
      };
    },
  }),
  task<PgpoolVars>('render pcp.conf', {
    register: 'pgpool_pcp',
    no_log: true,
    do: (h) => copy({ dest: `${DIR}/pcp.conf`, content: pcpConf(h.vars.pgpool_pcp_username, h.vars.pgpool_pcp_password), ...owned(h, '0600'), secret: true }),
  }),
];

const configChanged = (h: H) => ['pgpool_conf', 'pgpool_hba', 'pgpool_passwd', 'pgpool_pcp'].some((k) => !!h.reg[k]?.changed);

const daemon = daemonTasks<PgpoolVars>(
  {
    unit: 'pgpool2',
    id: 'pgpool',
    stamp: STAMP,
    watch: () => ['pgpool.conf', 'pool_hba.conf', 'pool_passwd', 'pcp.conf'].map((f) => `${DIR}/${f}`),
    unitChanged: (h) => !!h.reg.pgpool_unit?.changed,
    configChanged,
    port: (h) => ({ host: '127.0.0.1', port: h.vars.pgpool_port }),
    reloadWhen: (h) => h.vars.pg_reload,
    restartHint: 'so do removed backends, ports and num_init_children',
  },
);

const stop: TaskNode<PgpoolVars>[] = [
  task<PgpoolVars>('probe pgpool2', {
    check_mode: false,
    changed_when: () => false,
    register: 'pgpool_unit_state',
    do: () => shell({ cmd: `systemctl show -p LoadState -p ActiveState -p UnitFileState pgpool2 2>/dev/null || true` }),
  }),
  task<PgpoolVars>('stop pgpool2 (pgpool_enabled is false)', {
    when: (h) => {
      const s = h.reg.pgpool_unit_state?.stdout ?? '';
      return /LoadState=loaded/.test(s) && (/ActiveState=(active|activating|reloading)/.test(s) || /UnitFileState=enabled/.test(s));
    },
    do: () => service({ name: 'pgpool2', state: 'stopped', enabled: false }),
  }),
];

export const tasks: TaskNode<PgpoolVars>[] = [
  block<PgpoolVars>({
    name: 'pgpool',
    tags: ['pgpool'],
    tasks: [
      block<PgpoolVars>({
        name: 'pgpool enabled',
        when: (h) => h.vars.pgpool_enabled,
        tasks: [
          block<PgpoolVars>({ name: 'pgpool package', tags: ['pgpool_install'], tasks: install }),
          block<PgpoolVars>({ name: 'pgpool config', tags: ['pgpool_config'], tasks: config }),
          block<PgpoolVars>({ name: 'launch pgpool', tags: ['pgpool_launch'], tasks: daemon.launch }),
          block<PgpoolVars>({ name: 'reload pgpool', tags: ['pgpool_reload'], tasks: daemon.reload }),
        ],
      }),
      block<PgpoolVars>({ name: 'pgpool disabled', tags: ['pgpool_stop'], when: (h) => !h.vars.pgpool_enabled, tasks: stop }),
    ],
  }),
];
