/**
 * install: everything, in order, for the whole inventory (Pigsty's install.yml / deploy.yml):
 * NODE INIT (all) -> INFRA INIT (infra) -> NODE MONITOR (all) -> ETCD INIT (etcd) -> PGSQL INIT
 * (hosts with pg_cluster), Pigsty's deploy.yml order.
 *   ./run install
 *   ./run install -l pg-test     # limit applies to every play
 */
import { playbook } from '../src/api/playbook.js';
import { nodeMonitorPlay, nodePlayAhead } from './node.js';
import { infraPlay } from './infra.js';
import { etcdPlay } from './etcd.js';
import { pgsqlPlay } from './pgsql.js';

// NODE INIT's node_pkg installs each host's packages of all the plays in one apt transaction.
const later = [infraPlay, nodeMonitorPlay, etcdPlay, { ...pgsqlPlay, name: 'PGSQL INIT' }];

export default playbook('install', [nodePlayAhead(later), ...later], 'node, infra (monitoring), node monitor, etcd and pgsql for the whole inventory');
