/**
 * infra: Prometheus and Alertmanager on the `infra` group (Pigsty's infra.yml, monitoring part).
 *   ./run infra                                   # install / converge
 *   ./run infra -t prometheus_rules               # re-render the alert rules only
 *   ./run infra -t etcd_register                  # refresh the etcd targets from the inventory
 *   ./run infra -e '{"prometheus_rule_for_scale": 0.1}'   # shorter alert windows (tests)
 * See docs/monitoring.md.
 */
import { play, playbook, withTags } from '../src/api/playbook.js';
import { nodeId } from '../roles/node_id/index.js';
import { infra } from '../roles/infra/index.js';

export const infraPlay = play({
  name: 'INFRA INIT',
  hosts: 'infra',
  become: true,
  roles: [withTags(nodeId, ['id', 'node-id']), withTags(infra, ['infra'])],
});

export default playbook('infra', [infraPlay], 'Prometheus and Alertmanager with our alert rules on the infra group');
