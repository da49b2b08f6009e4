/**
 * etcd: a static etcd cluster on the `etcd` group, the DCS of Patroni (Pigsty's etcd.yml).
 *   ./run etcd
 *   ./run etcd -l 10.10.10.13 -e etcd_init=existing   # add a member to a running cluster
 * Tags: etcd_assert, etcd_install, etcd_clean, etcd_dir, etcd_config (etcd_conf), etcd_member,
 * etcd_launch. See docs/etcd.md.
 */
import { play, playbook, withTags } from '../src/api/playbook.js';
import { nodeId } from '../roles/node_id/index.js';
import { etcd } from '../roles/etcd/index.js';

export const etcdPlay = play({
  name: 'ETCD INIT',
  hosts: 'etcd',
  become: true,
  roles: [withTags(nodeId, ['id', 'node-id']), withTags(etcd, ['etcd'])],
});

export default playbook('etcd', [etcdPlay], 'bootstrap the etcd cluster used by Patroni');
