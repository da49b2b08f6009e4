/** JSON schema of the etcd parameters. */
import { absPath, paramSchema, port, seq } from '../../src/api/params.js';
import type { EtcdParams } from './defaults.js';
export const schema = paramSchema<EtcdParams>({
    etcd_seq: seq,
    etcd_cluster: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
    etcd_safeguard: { type: 'boolean' },
    etcd_clean: { type: 'boolean' },
    etcd_data: absPath,
    etcd_port: port,
    etcd_peer_port: port,
    etcd_init: { enum: ['new', 'existing'] },
    etcd_election_timeout: { type: 'integer', minimum: 100 },
    etcd_heartbeat_interval: { type: 'integer', minimum: 10 },
    etcd_learner: { type: 'boolean' },
});
