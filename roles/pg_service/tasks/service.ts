/**
 * [pg_service_config] One file per service in /etc/haproxy/conf.d (<cluster>-<service>.cfg),
 * each validated with `haproxy -c` against the rest of the config before it replaces the live one;
 * files of services this cluster no longer has are removed (only files marked with this cluster).
 * [pg_service_reload] A whole-config check, then a reload (never a restart) when a file is newer
 * than what the running HAProxy has read.
 */
import { fileBeside, local, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { command, file, shell, template } from '../../../src/operations/index.js';
import type { PgServiceVars } from '../defaults.js';
import type { ServiceView } from '../lib/services.js';
import { CONF_D, HAPROXY_CFG, serviceFile, services, validateService } from './common.js';
import { sh } from '../../../src/operations/shell-quote.js';

const tpl = fileBeside(import.meta.url, '../templates/service.cfg.hbs');

export const config: TaskNode<PgServiceVars>[] = [
  local<PgServiceVars>('plan postgres services', {
    run: (h) => {
      const list = services(h);
      return { set: { pg_service_views: list }, msg: list.map((s) => `${s.id}:${s.port} -> ${s.servers.map((x) => `${x.address}:${x.port}${x.backup ? '(backup)' : ''}`).join(' ') || 'no server'}`).join('; ') };
    },
  }),
  task<PgServiceVars, ServiceView>('render haproxy service config', {
    register: 'pg_service_files',
    loop: (h) => h.vars.pg_service_views ?? [],
    do: (h, s) => template({ src: tpl, dest: serviceFile(s), vars: { s, host: h.name }, owner: 'root', group: 'root', mode: '0644', validate: validateService(serviceFile(s)) }),
  }),
  task<PgServiceVars>('find stale service files of this cluster', {
    check_mode: false,
    changed_when: () => false,
    register: 'pg_service_existing',
    do: (h) => shell({ cmd: sh`grep -l -x -F ${`# pgplay-cluster: ${h.vars.pg_cluster}`} ${CONF_D}/*.cfg 2>/dev/null || true` }),
  }),
  task<PgServiceVars, string>('remove stale service files', {
    register: 'pg_service_removed',
    loop: (h) => {
      const want = new Set((h.vars.pg_service_views ?? []).map(serviceFile));
      return (h.reg.pg_service_existing?.stdout ?? '').split('\n').map((l) => l.trim()).filter((f) => f && !want.has(f));
    },
    do: (_h, path) => file({ path, state: 'absent' }),
  }),
];

/** Full check of the config HAProxy would load (read-only; also in check mode). */
export const check: TaskNode<PgServiceVars>[] = [
  task<PgServiceVars>('check haproxy config', {
    when: (h) => !h.check, // in check mode nothing was written: the live files say nothing about the new ones
    changed_when: () => false,
    do: () => command({ cmd: ['/usr/sbin/haproxy', '-c', '-q', '-f', HAPROXY_CFG, '-f', CONF_D] }),
  }),
];

export const configChanged = (h: { reg: Record<string, { changed?: boolean } | undefined> }) =>
  ['haproxy_cfg', 'pg_service_files', 'pg_service_removed'].some((k) => !!h.reg[k]?.changed);
