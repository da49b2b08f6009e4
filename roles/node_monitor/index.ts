/**
 * node_monitor: prometheus-node-exporter (9100, textfile collector in node_exporter_textfile_dir)
 * on every node and its registration with Prometheus on the infra hosts.
 * Tags: node_exporter (node_exporter_install, node_exporter_config, node_exporter_launch),
 * node_register. See docs/monitoring.md.
 */
import { role } from '../../src/api/playbook.js';
import { defaults, type NodeMonitorVars } from './defaults.js';
import { schema } from './schema.js';
import { handlers, tasks } from './tasks/main.js';

export const nodeMonitor = role<NodeMonitorVars>({ name: 'node_monitor', defaults: defaults as Partial<NodeMonitorVars>, schema, tasks, handlers });
export default nodeMonitor;
export type { NodeMonitorVars, NodeMonitorParams } from './defaults.js';
