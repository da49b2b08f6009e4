/**
 * node: node_name, node_hosts, node_pkg, node_tune, node_sysctl, node_profile, node_alias,
 * node_ulimit, node_data, node_admin, node_timezone, node_crontab (Pigsty's task order).
 */
import { block, fileBeside, task } from '../../../src/api/playbook.js';
import type { HostCtx, TaskNode } from '../../../src/api/types.js';
import { apt, blockinfile, command, copy, cron, file, group, lineinfile, service, shell, sysctl, user } from '../../../src/operations/index.js';
import { expandPackages } from '../../lib/package-lists.js';
import { sh } from '../../../src/operations/shell-quote.js';
import type { NodeVars } from '../defaults.js';
import { sysctlFile } from '../tune.js';

type H = HostCtx<NodeVars>;
const TUNE_FILE = '/etc/sysctl.d/90-pgplay-node-tune.conf';

export function etcHosts(v: Pick<NodeVars, 'node_default_etc_hosts' | 'node_etc_hosts' | 'admin_ip'>): string {
  return [...(v.node_default_etc_hosts ?? []), ...(v.node_etc_hosts ?? [])].map((l) => l.replace(/\$\{admin_ip\}/g, v.admin_ip)).join('\n');
}

function adminSudo(v: NodeVars): string {
  if (v.node_admin_sudo === 'all') return '%admin ALL=(ALL) ALL\n';
  if (v.node_admin_sudo === 'limit') return '%admin ALL=(ALL) NOPASSWD: /bin/systemctl, /usr/bin/journalctl, /bin/cat, /bin/less, /bin/tail, /bin/head\n';
  return '%admin ALL=(ALL) NOPASSWD: ALL\n';
}

const nodename = (h: H) => String(h.vars.nodename ?? h.facts.hostname);

/**
 * `<address> <nodename>` of every play host with a nodename (nodename_exchange), in play order; the
 * address is ansible_host or the inventory name. Hosts left out by --limit keep their lines.
 */
export function exchangedNames(h: Pick<H, 'playHosts' | 'inventory'>): Array<{ address: string; name: string }> {
  const out: Array<{ address: string; name: string }> = [];
  for (const p of h.playHosts) {
    const v = h.inventory.hostvars(p);
    const name = v.nodename === undefined || v.nodename === null ? '' : String(v.nodename);
    if (name) out.push({ address: String(v.ansible_host ?? p), name });
  }
  return out;
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The /etc/hosts line of one exchanged name: replaces that name's line, except 127.x (the host's own). */
export const exchangeLine = (e: { address: string; name: string }) => ({ regexp: `^(?!127\\.)\\S+\\s+${reEscape(e.name)}$`, line: `${e.address} ${e.name}` });

export const tasks: TaskNode<NodeVars>[] = [
  // 1. name
  block<NodeVars>({
    name: 'set hostname to nodename',
    tags: ['node_name'],
    when: (h) => h.vars.nodename_overwrite && !!h.vars.nodename,
    tasks: [
      task<NodeVars>('write /etc/hostname', { do: (h) => copy({ dest: '/etc/hostname', content: `${nodename(h)}\n`, mode: '0644' }) }),
      task<NodeVars>('set hostname', {
        when: (h) => h.facts.hostname !== nodename(h),
        failed_when: () => false,
        do: (h) => command({ cmd: ['hostname', nodename(h)] }),
      }),
      task<NodeVars>('resolve nodename locally', {
        do: (h) => lineinfile({ path: '/etc/hosts', regexp: '^127\\.0\\.1\\.1\\s', line: `127.0.1.1 ${nodename(h)}` }),
      }),
    ],
  }),
  task<NodeVars, { address: string; name: string }>('exchange nodenames among play hosts', {
    // Pigsty's nodename_exchange: each play host's `<ip> <nodename>` in every play host's /etc/hosts
    tags: ['node_name'],
    when: (h) => h.vars.nodename_exchange,
    loop: (h) => exchangedNames(h),
    do: (_h, e) => lineinfile({ path: '/etc/hosts', ...exchangeLine(e) }),
  }),
  // 2. hosts
  task<NodeVars>('write static etc hosts entries', {
    tags: ['node_hosts'],
    when: (h) => h.vars.node_write_etc_hosts,
    do: (h) => blockinfile({ path: '/etc/hosts', block: etcHosts(h.vars), marker: '# {mark} pgplay node_hosts' }),
  }),
  // 5. packages
  task<NodeVars>('install node packages', {
    tags: ['node_pkg'],
    awaits: 'apt-get install (node packages)',
    do: (h) => apt({ name: expandPackages([...(h.vars.node_default_packages ?? []), ...(h.vars.node_packages ?? [])], 0), state: 'present', update_cache: true, cache_valid_time: 3600, install_recommends: false }),
  }),
  // 6. tune
  block<NodeVars>({
    name: 'tune node kernel',
    tags: ['node_tune'],
    when: (h) => h.vars.node_tune !== 'none',
    tasks: [
      task<NodeVars>('render tune sysctl profile', { register: 'node_tune_file', do: (h) => copy({ dest: TUNE_FILE, content: sysctlFile(h.vars.node_tune), mode: '0644' }) }),
      task<NodeVars>('apply tune sysctl profile', {
        when: (h) => !!h.reg.node_tune_file?.changed,
        // keys that are read-only in containers (vm.*, kernel.*) are reported and skipped
        do: () => shell({ cmd: `sysctl -e -p ${TUNE_FILE} 2>&1 | grep -iE 'read-only|permission denied' >&2; true` }),
      }),
    ],
  }),
  task<NodeVars, [string, string | number]>('change sysctl parameters', {
    tags: ['node_sysctl'],
    loop: (h) => Object.entries(h.vars.node_sysctl_params ?? {}),
    do: (_h, [k, v]) => sysctl({ name: k, value: v, sysctl_file: '/etc/sysctl.d/95-pgplay-node.conf', tolerate_readonly: true }),
  }),
  // 7. admin
  task<NodeVars>('write node etc profile', {
    tags: ['node_profile'],
    do: () => copy({ src: fileBeside(import.meta.url, '../files/node.sh'), dest: '/etc/profile.d/node.sh', mode: '0644' }),
  }),
  task<NodeVars>('write node aliases', {
    tags: ['node_alias'],
    when: (h) => Object.keys(h.vars.node_aliases ?? {}).length > 0,
    do: (h) => copy({ dest: '/etc/profile.d/node.alias.sh', mode: '0644', content: Object.entries(h.vars.node_aliases).map(([k, v]) => sh`alias ${k}=${v}`).join('\n') + '\n' }),
  }),
  task<NodeVars>('set pam ulimit', {
    tags: ['node_ulimit'],
    do: () => copy({ src: fileBeside(import.meta.url, '../files/limits.conf'), dest: '/etc/security/limits.d/limits.conf', mode: '0644' }),
  }),
  task<NodeVars>('assure node data dir exists', {
    tags: ['node_data'],
    when: (h) => !!h.vars.node_data && h.vars.node_data !== '/',
    do: (h) => file({ path: h.vars.node_data, state: 'directory', owner: 'root', group: 'root', mode: '0755' }),
  }),
  block<NodeVars>({
    name: 'create node admin user',
    tags: ['node_admin'],
    when: (h) => h.vars.node_admin_enabled,
    tasks: [
      task<NodeVars>('create os user group admin', { do: (h) => group({ name: 'admin', gid: h.vars.node_admin_uid }) }),
      task<NodeVars>('create os user admin', {
        do: (h) => user({ name: h.vars.node_admin_username, uid: h.vars.node_admin_uid, group: 'admin', home: `/home/${h.vars.node_admin_username}`, shell: '/bin/bash', create_home: true }),
      }),
      task<NodeVars>('grant admin user sudo privilege', {
        do: (h) => copy({ dest: `/etc/sudoers.d/${h.vars.node_admin_username}`, content: adminSudo(h.vars), owner: 'root', group: 'root', mode: '0440', validate: '/usr/sbin/visudo -cf %s' }),
      }),
      task<NodeVars>('create admin ssh dir', {
        when: (h) => (h.vars.node_admin_pk_list ?? []).length > 0,
        do: (h) => file({ path: `/home/${h.vars.node_admin_username}/.ssh`, state: 'directory', owner: h.vars.node_admin_username, group: 'admin', mode: '0700' }),
      }),
      task<NodeVars, string>('add admin public keys', {
        loop: (h) => h.vars.node_admin_pk_list ?? [],
        do: (h, key) => lineinfile({ path: `/home/${h.vars.node_admin_username}/.ssh/authorized_keys`, line: key, create: true, owner: h.vars.node_admin_username, group: 'admin', mode: '0600' }),
      }),
    ],
  }),
  // 8. time
  block<NodeVars>({
    name: 'setup node timezone',
    tags: ['node_timezone'],
    when: (h) => !!h.vars.node_timezone,
    tasks: [
      task<NodeVars>('link /etc/localtime', { do: (h) => file({ path: '/etc/localtime', src: `/usr/share/zoneinfo/${h.vars.node_timezone}`, state: 'link' }) }),
      task<NodeVars>('write /etc/timezone', { do: (h) => copy({ dest: '/etc/timezone', content: `${h.vars.node_timezone}\n`, mode: '0644' }) }),
    ],
  }),
  block<NodeVars>({
    name: 'setup node crontab',
    tags: ['node_crontab'],
    tasks: [
      task<NodeVars>('launch cron service', { do: () => service({ name: 'cron', state: 'started', enabled: true }) }),
      task<NodeVars>('setup node crontab', {
        when: (h) => (h.vars.node_crontab ?? []).length > 0,
        do: (h) => cron({ name: 'node_crontab', entries: h.vars.node_crontab }),
      }),
    ],
  }),
];
