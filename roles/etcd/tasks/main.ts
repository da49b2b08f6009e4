/**
 * etcd: etcd_assert, etcd_install, etcd_clean (etcd_safeguard), etcd_dir, etcd_config,
 * etcd_member (etcd_init=existing), etcd_launch (wait for health).
 */
import { assert, block, fileBeside, local, task } from '../../../src/api/playbook.js';
import type { HostCtx, TaskNode } from '../../../src/api/types.js';
import { apt, command, file, service, shell, template } from '../../../src/operations/index.js';
import { sh } from '../../../src/operations/shell-quote.js';
import type { EtcdVars } from '../defaults.js';

type H = HostCtx<EtcdVars>;
const tpl = (f: string) => fileBeside(import.meta.url, `../templates/${f}`);
const local127 = (h: H) => `http://127.0.0.1:${h.vars.etcd_port}`;
const exists = (h: H) => h.reg.etcd_exists?.rc === 0 && (h.reg.etcd_exists.stdout ?? '').includes('member');

export const tasks: TaskNode<EtcdVars>[] = [
  local<EtcdVars>('etcd identity', {
    tags: ['etcd_assert'],
    run: (h) => ({ msg: `${h.vars.etcd_instance} @ ${h.name}, cluster ${h.vars.etcd_cluster}: ${h.vars.etcd_endpoints.join(',')}` }),
  }),
  task<EtcdVars>('install etcd', {
    tags: ['etcd_install'],
    awaits: 'apt-get install etcd-server etcd-client',
    do: () => apt({ name: ['etcd-server', 'etcd-client'], state: 'present', update_cache: true, cache_valid_time: 3600, install_recommends: false }),
  }),
  block<EtcdVars>({
    name: 'clean existing etcd',
    tags: ['etcd_clean'],
    tasks: [
      task<EtcdVars>('check etcd exists', {
        check_mode: false,
        changed_when: () => false,
        failed_when: () => false,
        register: 'etcd_exists',
        do: (h) => command({ cmd: ['ls', h.vars.etcd_data] }),
      }),
      assert<EtcdVars>('etcd safeguard', (h) => !(exists(h) && h.vars.etcd_clean && h.vars.etcd_safeguard), {
        msg: (h) => `abort: etcd ${h.vars.etcd_instance} @ ${h.name} has data in ${h.vars.etcd_data} and etcd_safeguard is on; set etcd_safeguard: false to allow etcd_clean to purge it`,
      }),
      task<EtcdVars>('purge existing etcd (etcd_clean)', {
        when: (h) => exists(h) && h.vars.etcd_clean && !h.vars.etcd_safeguard,
        do: (h) => shell({ cmd: sh`systemctl stop etcd || true; rm -rf ${h.vars.etcd_data}/member` }),
      }),
    ],
  }),
  block<EtcdVars>({
    name: 'create etcd directories',
    tags: ['etcd_dir'],
    tasks: [
      task<EtcdVars>('ensure node data dir exists', {
        when: (h) => h.vars.etcd_data.startsWith(h.vars.node_data + '/'),
        do: (h) => file({ path: h.vars.node_data, state: 'directory', owner: 'root', group: 'root', mode: '0755' }),
      }),
      task<EtcdVars>('ensure etcd data dir exists', { do: (h) => file({ path: h.vars.etcd_data, state: 'directory', owner: 'etcd', group: 'etcd', mode: '0700' }) }),
      task<EtcdVars>('ensure etcd config dir exists', { do: () => file({ path: '/etc/etcd', state: 'directory', owner: 'etcd', group: 'etcd', mode: '0750' }) }),
    ],
  }),
  block<EtcdVars>({
    name: 'config etcd',
    tags: ['etcd_config'],
    tasks: [
      task<EtcdVars>('render etcd config', {
        tags: ['etcd_conf'],
        register: 'etcd_conf',
        do: (h) => template({ src: tpl('etcd.conf.yml.hbs'), dest: '/etc/etcd/etcd.conf.yml', vars: { v: h.vars, host: h.name }, owner: 'etcd', group: 'etcd', mode: '0644' }),
      }),
      task<EtcdVars>('render etcd unit', {
        tags: ['etcd_conf'],
        register: 'etcd_unit',
        do: (h) => template({ src: tpl('etcd.service.hbs'), dest: '/etc/systemd/system/etcd.service', vars: { v: h.vars }, owner: 'root', group: 'root', mode: '0644' }),
      }),
      task<EtcdVars>('render etcdctl environment', {
        tags: ['etcd_conf'],
        do: (h) => template({ src: tpl('etcdctl.sh.hbs'), dest: '/etc/profile.d/etcdctl.sh', vars: { endpoints: h.vars.etcd_endpoints.join(',') }, owner: 'root', group: 'root', mode: '0644' }),
      }),
    ],
  }),
  task<EtcdVars>('add new member to etcd cluster', {
    tags: ['etcd_member'],
    when: (h) => h.vars.etcd_init === 'existing' && !exists(h),
    register: 'etcd_member_add',
    failed_when: (r) => r.rc !== 0 && !/already exists/i.test(r.stderr ?? ''),
    changed_when: (r) => r.rc === 0,
    do: (h) =>
      command({
        cmd: ['etcdctl', 'member', 'add', h.vars.etcd_instance, `--peer-urls=http://${h.name}:${h.vars.etcd_peer_port}`, ...(h.vars.etcd_learner ? ['--learner=true'] : [])],
        env: { ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: h.vars.etcd_endpoints.filter((e) => !e.includes(`//${h.name}:`)).join(',') },
      }),
  }),
  block<EtcdVars>({
    name: 'launch etcd',
    tags: ['etcd_launch'],
    tasks: [
      task<EtcdVars>('launch etcd server', {
        register: 'etcd_launch',
        failed_when: (r, h) => r.failed && !h.check,
        awaits: 'etcd members find each other',
        do: (h) =>
          service({
            name: 'etcd',
            state: h.reg.etcd_conf?.changed || h.reg.etcd_unit?.changed || h.reg.etcd_member_add?.changed ? 'restarted' : 'started',
            enabled: true,
            daemon_reload: true,
          }),
      }),
      task<EtcdVars>('wait for etcd to be healthy', {
        when: (h) => !(h.check && h.reg.etcd_launch?.changed),
        check_mode: false,
        changed_when: () => false,
        awaits: 'etcd endpoint health',
        until: (r) => r.rc === 0,
        retries: 30,
        delay: 2,
        do: (h) => command({ cmd: ['etcdctl', `--endpoints=${local127(h)}`, 'endpoint', 'health'], env: { ETCDCTL_API: '3' } }),
      }),
    ],
  }),
];
