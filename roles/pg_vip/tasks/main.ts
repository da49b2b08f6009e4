/**
 * [pg_vip] vip-manager on every member binds pg_vip_address on the member whose name is in
 * Patroni's leader key (<pg_namespace>/<pg_cluster>/leader in etcd).
 * [pg_vip_config] interface, package, config and unit, and a check that the leader key is readable
 * the way vip-manager reads it (etcd v2 keys API); [pg_vip_launch] start it, restart it when its
 * config changed (vip-manager has no reload).
 */
import { assert, block, fileBeside, local, task } from '../../../src/api/playbook.js';
import type { HostCtx, TaskNode } from '../../../src/api/types.js';
import { apt, http, service, shell, template } from '../../../src/operations/index.js';
import { etcdEndpoints } from '../../pgsql/lib/patroni.js';
import { sh } from '../../../src/operations/shell-quote.js';
import type { PgVipVars } from '../defaults.js';

type H = HostCtx<PgVipVars>;
const tpl = (name: string) => fileBeside(import.meta.url, `../templates/${name}`);

export const leaderKey = (v: Pick<PgVipVars, 'pg_namespace' | 'pg_cluster'>) => `${String(v.pg_namespace).replace(/\/+$/, '')}/${v.pg_cluster}/leader`;
const vip = (h: H) => String(h.vars.pg_vip_address).split('/');
const wantsAuto = (h: H) => ['', 'auto'].includes(String(h.vars.pg_vip_interface ?? 'auto').trim().toLowerCase());
const iface = (h: H) => (wantsAuto(h) ? String(h.vars.pg_vip_iface_resolved ?? '') : String(h.vars.pg_vip_interface));

/** awk over `ip -o -4 addr show`: the interface holding ADDR. */
export function resolveIfaceScript(addr: string): string {
  return sh`ip -o -4 addr show | awk -v ip=${addr} '$3 == "inet" { split($4, a, "/"); if (a[1] == ip) { sub(/@.*/, "", $2); print $2; found = 1; exit } } END { exit found ? 0 : 1 }'`;
}

const config: TaskNode<PgVipVars>[] = [
  assert<PgVipVars>('vip address is set', (h) => /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(String(h.vars.pg_vip_address)) && !String(h.vars.pg_vip_address).startsWith('127.'), {
    msg: (h) => `pg_vip_enabled is true but pg_vip_address is '${h.vars.pg_vip_address}': set it to a free address of the members' subnet, e.g. 10.10.10.3/24`,
  }),
  task<PgVipVars>('resolve vip interface', {
    when: (h) => wantsAuto(h),
    check_mode: false,
    changed_when: () => false,
    register: 'pg_vip_iface',
    do: (h) => shell({ cmd: resolveIfaceScript(h.name) }),
  }),
  local<PgVipVars>('choose vip interface', {
    when: (h) => wantsAuto(h),
    run: (h) => {
      const name = (h.reg.pg_vip_iface?.stdout ?? '').trim();
      if (!name) return { failed: true, msg: `no interface of ${h.name} holds ${h.name}: set pg_vip_interface` };
      return { set: { pg_vip_iface_resolved: name }, msg: name };
    },
  }),
  task<PgVipVars>('install vip-manager', { do: () => apt({ name: ['vip-manager'], state: 'present' }) }),
  task<PgVipVars>('render vip-manager config', {
    register: 'pg_vip_conf',
    do: (h) =>
      template({
        src: tpl('vip-manager.yml.hbs'),
        dest: '/etc/default/vip-manager.yml',
        vars: { v: h.vars, host: h.name, ip: vip(h)[0], netmask: vip(h)[1] ?? '24', iface: iface(h), key: leaderKey(h.vars), endpoints: etcdEndpoints(h), version: '1.0.2' },
        owner: 'root',
        group: 'root',
        mode: '0600',
      }),
  }),
  task<PgVipVars>('render vip-manager unit', {
    register: 'pg_vip_unit',
    do: (h) => template({ src: tpl('vip-manager.service.hbs'), dest: '/etc/systemd/system/vip-manager.service', vars: { v: h.vars, vip: h.vars.pg_vip_address }, owner: 'root', group: 'root', mode: '0644' }),
  }),
  task<PgVipVars>('read the leader key as vip-manager does', {
    check_mode: false,
    failed_when: () => false,
    register: 'pg_vip_key',
    do: (h) => http({ url: `http://${etcdEndpoints(h)[0] ?? '127.0.0.1:2379'}/v2/keys${leaderKey(h.vars)}`, status: [200, 404], timeout: 5 }),
  }),
  local<PgVipVars>('check the leader key', {
    run: (h) => {
      const r = h.reg.pg_vip_key;
      const data = r?.data as { status?: number; json?: { node?: { value?: string } } } | undefined;
      const leader = data?.json?.node?.value;
      if (data?.status === 200 && leader) return { msg: `leader ${leader} (${leaderKey(h.vars)})` };
      return {
        msg: 'leader key not readable',
        warnings: [
          `${h.vars.pg_instance}: ${leaderKey(h.vars)} is not readable through etcd's v2 keys API (${r?.msg ?? `HTTP ${data?.status}`}). ` +
            `Debian's vip-manager 1.0.2 only reads that API: Patroni must use its etcd (v2) client and etcd run with enable-v2, or the VIP is never bound.`,
        ],
      };
    },
  }),
];

const loaded = (h: H) => (h.reg.pg_vip_unit_state?.stdout ?? '').trim() === 'loaded';

const launch: TaskNode<PgVipVars>[] = [
  task<PgVipVars>('probe vip-manager unit', {
    check_mode: false,
    changed_when: () => false,
    register: 'pg_vip_unit_state',
    do: () => shell({ cmd: 'systemctl show -p LoadState --value vip-manager 2>/dev/null || echo not-found' }),
  }),
  local<PgVipVars>('launch vip-manager (check mode, not installed yet)', {
    when: (h) => h.check && !loaded(h),
    run: () => ({ changed: true, msg: 'would install vip-manager and start it' }),
  }),
  task<PgVipVars>('launch vip-manager', {
    when: (h) => !(h.check && !loaded(h)),
    register: 'pg_vip_started',
    do: (h) => service({ name: 'vip-manager', state: 'started', enabled: true, daemon_reload: !!h.reg.pg_vip_unit?.changed }),
  }),
  task<PgVipVars>('restart vip-manager on a config change', {
    // vip-manager reads its config only at start; a restart on the leader drops the VIP for about a second
    when: (h) => h.vars.pg_reload && !(h.check && !loaded(h)) && !h.reg.pg_vip_started?.changed && (!!h.reg.pg_vip_conf?.changed || !!h.reg.pg_vip_unit?.changed),
    do: () => service({ name: 'vip-manager', state: 'restarted', daemon_reload: true }),
  }),
];

export const tasks: TaskNode<PgVipVars>[] = [
  block<PgVipVars>({
    name: 'vip',
    tags: ['pg_vip'],
    when: (h) => h.vars.pg_vip_enabled,
    tasks: [
      block<PgVipVars>({ name: 'vip-manager config', tags: ['pg_vip_config'], tasks: config }),
      block<PgVipVars>({ name: 'launch vip-manager', tags: ['pg_vip_launch'], tasks: launch }),
    ],
  }),
];
