/**
 * node_monitor: prometheus-node-exporter on every node (Pigsty's node_monitor role, node_exporter
 * part) and the node's registration with Prometheus on the infra hosts.
 */
export interface NodeMonitorParams {
  node_exporter_enabled: boolean;
  node_exporter_port: number;
  /** Extra node_exporter options (Pigsty: --no-collector.softnet --no-collector.nvme --collector.tcpstat --collector.processes). */
  node_exporter_options: string;
  /** The textfile collector reads `*.prom` here; our collectors (pg_monitor) write into it. */
  node_exporter_textfile_dir: string;
  /** Identity (node_id role). */
  nodename?: string;
  node_cluster: string;
}

export type NodeMonitorVars = NodeMonitorParams & Record<string, unknown>;

export const defaults: NodeMonitorParams = {
  node_exporter_enabled: true,
  node_exporter_port: 9100,
  node_exporter_options: '--no-collector.softnet --no-collector.nvme --collector.tcpstat --collector.processes',
  node_exporter_textfile_dir: '/var/lib/pgplay/textfile',
  node_cluster: 'nodes',
};
