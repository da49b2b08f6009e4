/**
 * install: everything, in order, for the whole inventory (Pigsty's install.yml / deploy.yml):
 * NODE INIT (all) -> ETCD INIT (etcd) -> PGSQL INIT (hosts with pg_cluster).
 *   ./run install
 *   ./run install -l pg-test     # limit applies to every play
 */
import { playbook } from '../src/api/playbook.js';
import { nodePlay } from './node.js';
import { etcdPlay } from './etcd.js';
import { pgsqlPlay } from './pgsql.js';

export default playbook('install', [nodePlay, etcdPlay, { ...pgsqlPlay, name: 'PGSQL INIT' }], 'node, etcd and pgsql for the whole inventory');
