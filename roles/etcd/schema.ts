/** JSON schema of the etcd parameters. */
export const schema = {
  type: 'object',
  properties: {
    etcd_seq: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+$' }] },
    etcd_cluster: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
    etcd_safeguard: { type: 'boolean' },
    etcd_clean: { type: 'boolean' },
    etcd_data: { type: 'string', pattern: '^/.+' },
    etcd_port: { type: 'integer', minimum: 1, maximum: 65535 },
    etcd_peer_port: { type: 'integer', minimum: 1, maximum: 65535 },
    etcd_init: { enum: ['new', 'existing'] },
    etcd_election_timeout: { type: 'integer', minimum: 100 },
    etcd_heartbeat_interval: { type: 'integer', minimum: 10 },
    etcd_learner: { type: 'boolean' },
  },
} as const;
