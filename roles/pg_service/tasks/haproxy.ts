/**
 * [haproxy_install, haproxy_config, haproxy_launch] HAProxy itself on every member: the Debian
 * package, pgplay's unit (haproxy.cfg + conf.d, stamp on start/reload), the global config with the
 * admin/stats page on haproxy_exporter_port (validated with `haproxy -c` before it replaces the
 * live one). Pigsty does this in node.yml's haproxy role; see docs/access.md for why it is here.
 */
import { fileBeside, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { apt, file, template } from '../../../src/operations/index.js';
import type { PgServiceVars } from '../defaults.js';
import { CONF_D, HAPROXY_CFG, HAPROXY_STAMP, type H } from './common.js';

const tpl = (name: string) => fileBeside(import.meta.url, `../templates/${name}`);
export const nodename = (h: H) => String(h.vars.nodename || h.facts.hostname || h.name);

export const install: TaskNode<PgServiceVars>[] = [task<PgServiceVars>('install haproxy', { do: () => apt({ name: ['haproxy'], state: 'present' }) })];

export const config: TaskNode<PgServiceVars>[] = [
  task<PgServiceVars, string>('create haproxy config dirs', {
    loop: () => ['/etc/haproxy', CONF_D],
    do: (_h, path) => file({ path, state: 'directory', owner: 'root', group: 'root', mode: '0755' }),
  }),
  task<PgServiceVars>('render haproxy unit', {
    register: 'haproxy_unit',
    do: () => template({ src: tpl('haproxy.service.hbs'), dest: '/etc/systemd/system/haproxy.service', vars: { stamp: HAPROXY_STAMP }, owner: 'root', group: 'root', mode: '0644' }),
  }),
  task<PgServiceVars>('render haproxy global config', {
    register: 'haproxy_cfg',
    do: (h) =>
      template({
        src: tpl('haproxy.cfg.hbs'),
        dest: HAPROXY_CFG,
        vars: { v: h.vars, host: h.name, nodename: nodename(h) },
        owner: 'root',
        group: 'haproxy',
        mode: '0640',
        secret: true,
        validate: '/usr/sbin/haproxy -c -q -f %s',
      }),
  }),
];

