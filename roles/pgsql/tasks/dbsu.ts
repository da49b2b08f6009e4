/**
 * [pg_install, pg_dbsu] The database superuser: OS user and group (created before the packages so
 * Debian's postgresql-common reuses them), sudo rules, and an ssh key shared with the cluster.
 */
import { block, local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { command, copy, file, group, lineinfile, user } from '../../../src/operations/index.js';
import type { PgsqlVars } from '../defaults.js';
import type { H } from './common.js';

const SERVICES = ['postgres', 'patroni', 'pgbouncer', 'pgbackrest', 'pg_exporter', 'vip-manager'];

/** /etc/sudoers.d/<dbsu> for pg_dbsu_sudo: none, limit (service control only), all, nopass. */
export function sudoers(v: Pick<PgsqlVars, 'pg_dbsu' | 'pg_dbsu_sudo'>): string {
  const u = v.pg_dbsu;
  const lines = [`# managed by pgplay: pg_dbsu_sudo = ${v.pg_dbsu_sudo}`];
  if (v.pg_dbsu_sudo === 'nopass') lines.push(`${u} ALL=(ALL) NOPASSWD: ALL`);
  else if (v.pg_dbsu_sudo === 'all') lines.push(`${u} ALL=(ALL) ALL`);
  else if (v.pg_dbsu_sudo === 'limit') {
    for (const s of SERVICES) {
      for (const verb of ['start', 'stop', 'status', 'reload', 'restart']) lines.push(`${u} ALL=NOPASSWD: /bin/systemctl ${verb} ${s}`);
      lines.push(`${u} ALL=NOPASSWD: /usr/bin/journalctl -u ${s}`);
    }
  }
  return lines.join('\n') + '\n';
}

const home = (h: H) => h.vars.pg_dbsu_home;

export const tasks: TaskNode<PgsqlVars>[] = [
  block<PgsqlVars>({
    name: 'create postgres dbsu',
    tags: ['pg_dbsu_create'],
    tasks: [
      task<PgsqlVars>('create os group postgres', { do: (h) => group({ name: 'postgres', gid: h.vars.pg_dbsu_uid }) }),
      task<PgsqlVars>('create postgres dbsu', {
        do: (h) => user({ name: h.vars.pg_dbsu, uid: h.vars.pg_dbsu_uid, group: 'postgres', home: home(h), shell: '/bin/bash', create_home: true }),
      }),
      task<PgsqlVars>('own the dbsu home', { do: (h) => file({ path: home(h), state: 'directory', owner: h.vars.pg_dbsu, group: 'postgres', mode: '0755' }) }),
    ],
  }),
  task<PgsqlVars>('grant postgres dbsu sudo privilege', {
    tags: ['pg_dbsu_sudo'],
    do: (h) =>
      h.vars.pg_dbsu_sudo === 'none'
        ? file({ path: `/etc/sudoers.d/${h.vars.pg_dbsu}`, state: 'absent' })
        : copy({ dest: `/etc/sudoers.d/${h.vars.pg_dbsu}`, content: sudoers(h.vars), owner: 'root', group: 'root', mode: '0440', validate: '/usr/sbin/visudo -cf %s' }),
  }),
  block<PgsqlVars>({
    name: 'postgres dbsu ssh key',
    tags: ['pg_ssh'],
    tasks: [
      task<PgsqlVars>('create dbsu ssh dir', { do: (h) => file({ path: `${home(h)}/.ssh`, state: 'directory', owner: h.vars.pg_dbsu, group: 'postgres', mode: '0700' }) }),
      task<PgsqlVars>('generate dbsu ssh key', {
        become_user: (h) => h.vars.pg_dbsu,
        do: (h) => command({ cmd: ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${h.vars.pg_dbsu}@${h.vars.pg_instance}`, '-f', `${home(h)}/.ssh/id_ed25519`], creates: `${home(h)}/.ssh/id_ed25519` }),
      }),
      task<PgsqlVars>('config dbsu ssh no host checking', {
        do: (h) => copy({ dest: `${home(h)}/.ssh/config`, content: 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n', owner: h.vars.pg_dbsu, group: 'postgres', mode: '0600' }),
      }),
      task<PgsqlVars>('fetch dbsu public key', {
        check_mode: false,
        register: 'pg_dbsu_pubkey',
        failed_when: () => false,
        changed_when: () => false,
        do: (h) => command({ cmd: ['cat', `${home(h)}/.ssh/id_ed25519.pub`] }),
      }),
      local<PgsqlVars>('share dbsu public key', {
        run: (h) => ({ set: { pg_dbsu_ssh_pubkey: h.reg.pg_dbsu_pubkey?.rc === 0 ? (h.reg.pg_dbsu_pubkey.stdout ?? '').trim() : '' } }),
      }),
      task<PgsqlVars, string>('exchange dbsu ssh keys among the cluster', {
        when: (h) => h.vars.pg_dbsu_ssh_exchange,
        loop: (h) =>
          [...new Set((h.vars.pg_cluster_members ?? []).map((m) => String(h.inventory.hostvars(m).pg_dbsu_ssh_pubkey ?? '')).filter((k) => k.startsWith('ssh-')))].sort(),
        do: (h, key) => lineinfile({ path: `${home(h)}/.ssh/authorized_keys`, line: key, create: true, owner: h.vars.pg_dbsu, group: 'postgres', mode: '0600' }),
      }),
    ],
  }),
];
