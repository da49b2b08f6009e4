/**
 * node_monitor: node_exporter (node_exporter_install, node_exporter_config, node_exporter_launch)
 * and node_register (targets/node/<ip>.yml on every infra host).
 */
import { block, flushHandlers, handler, task } from '../../../src/api/playbook.js';
import type { HostCtx, TaskNode } from '../../../src/api/types.js';
import { apt, copy, file, service, wait_for } from '../../../src/operations/index.js';
import { defaultsFile, type TargetGroup } from '../../infra/lib/config.js';
import { ensureSdDir, registerTargets } from '../../infra/lib/register.js';
import type { NodeMonitorVars } from '../defaults.js';

type H = HostCtx<NodeMonitorVars>;

export const nodeExporterArgs = (v: NodeMonitorVars): string[] => [
  `--web.listen-address=:${v.node_exporter_port}`,
  '--collector.textfile',
  `--collector.textfile.directory=${v.node_exporter_textfile_dir}`,
  v.node_exporter_options,
];

/** The node's targets: node_exporter, labelled with the node identity. */
export function nodeTargets(h: H): TargetGroup[] {
  if (!h.vars.node_exporter_enabled) return [];
  const ins = String(h.vars.nodename ?? h.facts.hostname ?? h.name);
  return [{ labels: { job: 'node', cls: String(h.vars.node_cluster ?? 'nodes'), ins, ip: h.name }, targets: [`${h.name}:${h.vars.node_exporter_port}`] }];
}

export const tasks: TaskNode<NodeMonitorVars>[] = [
  block<NodeMonitorVars>({
    name: 'node_exporter',
    tags: ['node_exporter'],
    when: (h) => h.vars.node_exporter_enabled,
    tasks: [
      task<NodeMonitorVars>('install node_exporter', {
        tags: ['node_exporter_install'],
        awaits: 'apt-get install prometheus-node-exporter',
        do: () => apt({ name: 'prometheus-node-exporter', state: 'present', update_cache: true, cache_valid_time: 3600, install_recommends: false }),
      }),
      task<NodeMonitorVars>('ensure textfile collector dir', {
        tags: ['node_exporter_config'],
        do: (h) => file({ path: h.vars.node_exporter_textfile_dir, state: 'directory', owner: 'root', group: 'root', mode: '0755' }),
      }),
      task<NodeMonitorVars>('render node_exporter options', {
        tags: ['node_exporter_config'],
        notify: 'restart node_exporter',
        do: (h) => copy({ dest: '/etc/default/prometheus-node-exporter', content: defaultsFile('prometheus-node-exporter', nodeExporterArgs(h.vars)), owner: 'root', group: 'root', mode: '0644' }),
      }),
      task<NodeMonitorVars>('launch node_exporter', {
        tags: ['node_exporter_launch'],
        do: () => service({ name: 'prometheus-node-exporter', state: 'started', enabled: true }),
      }),
      flushHandlers(),
      task<NodeMonitorVars>('wait for node_exporter', {
        tags: ['node_exporter_launch'],
        awaits: 'node_exporter listening',
        do: (h) => wait_for({ port: h.vars.node_exporter_port, timeout: 30 }),
      }),
    ],
  }),
  block<NodeMonitorVars>({
    name: 'register node to prometheus',
    tags: ['node_register'],
    tasks: [
      ensureSdDir<NodeMonitorVars>('node'),
      registerTargets<NodeMonitorVars>('register node to prometheus', 'node', (h) => h.name, (h) => `node ${String(h.vars.nodename ?? h.name)} @ ${h.name}`, nodeTargets),
    ],
  }),
];

export const handlers = [handler<NodeMonitorVars>('restart node_exporter', { do: () => service({ name: 'prometheus-node-exporter', state: 'restarted' }) })];
