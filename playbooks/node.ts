/**
 * node: prepare nodes for PostgreSQL (Pigsty's node.yml, trimmed to Debian).
 *   ./run node                 # every host of the inventory
 *   ./run node -l pg-test      # one cluster
 *   ./run node -t node_crontab # only re-apply node_crontab
 * Tags: node-id (always), node_name, node_hosts, node_pkg, node_tune, node_sysctl, node_profile,
 * node_alias, node_ulimit, node_data, node_admin, node_timezone, node_crontab; node_monitor
 * (node_exporter, node_register: see docs/monitoring.md). See docs/node.md.
 */
import { play, playbook, withTags } from '../src/api/playbook.js';
import type { Play } from '../src/api/types.js';
import { nodeId } from '../roles/node_id/index.js';
import { node, nodeInstallingAhead } from '../roles/node/index.js';
import { nodeMonitor } from '../roles/node_monitor/index.js';
import { laterPlays } from '../roles/install-ahead.js';

export const nodePlay = play({
  name: 'NODE INIT',
  hosts: 'all',
  become: true,
  roles: [withTags(nodeId, ['id', 'node-id']), withTags(node, ['node'])],
});

/** NODE INIT whose node_pkg step installs, in the same apt transaction, what the `later` plays will install on each host. */
export const nodePlayAhead = (later: Play[]): Play => ({
  ...nodePlay,
  roles: [withTags(nodeId, ['id', 'node-id']), withTags(nodeInstallingAhead(laterPlays(later)), ['node'])],
});

/** NODE MONITOR: node_exporter and registration with Prometheus (after infra in install). */
export const nodeMonitorPlay = play({
  name: 'NODE MONITOR',
  hosts: 'all',
  become: true,
  roles: [withTags(nodeId, ['id', 'node-id']), withTags(nodeMonitor, ['node_monitor'])],
});

export default playbook('node', [nodePlayAhead([nodeMonitorPlay]), nodeMonitorPlay], 'prepare nodes: hostname, hosts, packages, kernel tuning, limits, /data, admin user, time, crontab');
