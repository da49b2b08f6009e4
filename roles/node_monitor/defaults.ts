/**
 * node_monitor: prometheus-node-exporter on every node (Pigsty's node_monitor role, node_exporter
 * part) and the node's registration with Prometheus on the infra hosts.
 */
import { pick } from '../../src/api/params.js';
import { defaults as nodeId, type NodeIdParams } from '../node_id/defaults.js';

export interface NodeMonitorParams {
  node_exporter_enabled: boolean;
  node_exporter_port: number;
  /** Extra node_exporter options (Pigsty: --no-collector.softnet --no-collector.nvme --collector.tcpstat --collector.processes). */
  node_exporter_options: string;
  /** The textfile collector reads `*.prom` here; our collectors (pg_monitor) write into it. */
  node_exporter_textfile_dir: string;
}

/** Identity, read from the node_id role. */
export type NodeMonitorRefs = Pick<NodeIdParams, 'nodename' | 'node_cluster'>;

export type NodeMonitorVars = NodeMonitorParams & NodeMonitorRefs;

export const defaults: NodeMonitorParams & NodeMonitorRefs = {
  node_exporter_enabled: true,
  node_exporter_port: 9100,
  node_exporter_options: '--no-collector.softnet --no-collector.nvme --collector.tcpstat --collector.processes',
  node_exporter_textfile_dir: '/var/lib/pgplay/textfile',
  ...pick(nodeId, ['node_cluster']),
};
