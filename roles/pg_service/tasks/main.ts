/**
 * The pg_service role's task tree (Pigsty's pg_access/pg_service, with node.yml's haproxy role
 * folded in): pg_service (haproxy (haproxy_install, haproxy_config, haproxy_launch),
 * pg_service_config, pg_service_reload).
 */
import { assert, block } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import type { PgServiceVars } from '../defaults.js';
import { daemonTasks } from '../../pgbouncer/lib/daemon.js';
import { CONF_D, HAPROXY_CFG, HAPROXY_STAMP } from './common.js';
import { config as haproxyConfig, install } from './haproxy.js';
import { check, config as serviceConfig, configChanged } from './service.js';

const daemon = daemonTasks<PgServiceVars>(
  {
    unit: 'haproxy',
    id: 'haproxy',
    stamp: HAPROXY_STAMP,
    watch: () => [HAPROXY_CFG, CONF_D],
    unitChanged: (h) => !!h.reg.haproxy_unit?.changed,
    configChanged,
    port: (h) => ({ host: h.name, port: h.vars.haproxy_exporter_port }),
    reloadWhen: (h) => h.vars.pg_reload && h.vars.haproxy_reload,
  },
);

export const tasks: TaskNode<PgServiceVars>[] = [
  block<PgServiceVars>({
    name: 'postgres services',
    tags: ['pg_service'],
    when: (h) => h.vars.haproxy_enabled,
    tasks: [
      assert<PgServiceVars>('services are provided by the members', (h) => h.vars.pg_service_provider === '' || h.vars.pg_service_provider === undefined, {
        msg: (h) => `pg_service_provider '${h.vars.pg_service_provider}': only '' (HAProxy on every member) is supported; see docs/access.md`,
      }),
      block<PgServiceVars>({
        name: 'haproxy',
        tags: ['haproxy'],
        tasks: [
          block<PgServiceVars>({ name: 'haproxy package', tags: ['haproxy_install'], tasks: install }),
          block<PgServiceVars>({ name: 'haproxy config', tags: ['haproxy_config'], tasks: haproxyConfig }),
          block<PgServiceVars>({ name: 'launch haproxy', tags: ['haproxy_launch'], tasks: daemon.launch }),
        ],
      }),
      block<PgServiceVars>({ name: 'service config', tags: ['pg_service_config'], tasks: serviceConfig }),
      block<PgServiceVars>({ name: 'reload haproxy', tags: ['pg_service_reload'], tasks: [...check, ...daemon.reload] }),
    ],
  }),
];
