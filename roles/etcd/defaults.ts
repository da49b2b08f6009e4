/** etcd: the DCS of the Patroni clusters (Pigsty's ETCD parameters). */
import { pick } from '../../src/api/params.js';
import { defaults as node, type NodeParams } from '../node/defaults.js';

export interface EtcdParams {
  /** Instance number, required on every member, an integer unique in the cluster. */
  etcd_seq?: number | string;
  /** Cluster name, which is also the inventory group of its members. */
  etcd_cluster: string;
  /** Refuse to purge a running etcd instance (overrides etcd_clean). */
  etcd_safeguard: boolean;
  /** Purge an existing etcd instance during init. DEVIATION: false by default (Pigsty 2.x: true) so re-runs are safe. */
  etcd_clean: boolean;
  etcd_data: string;
  etcd_port: number;
  etcd_peer_port: number;
  /** `new` to bootstrap a cluster, `existing` to add a member to a running one. */
  etcd_init: 'new' | 'existing';
  etcd_election_timeout: number;
  etcd_heartbeat_interval: number;
  etcd_learner: boolean;
}

/** Read from the node role. */
export type EtcdRefs = Pick<NodeParams, 'node_data'>;

/** Computed by the prepare hook. */
export interface EtcdDerived {
  etcd_instance: string;
  /** `name=http://ip:peer_port` of every member, sorted by IP. */
  etcd_initial_cluster: string;
  /** `http://ip:port` of every member. */
  etcd_endpoints: string[];
  etcd_members: string[];
}

export type EtcdVars = EtcdParams & EtcdDerived & EtcdRefs;

export const defaults: EtcdParams & EtcdRefs = {
  etcd_cluster: 'etcd',
  etcd_safeguard: false,
  etcd_clean: false,
  etcd_data: '/data/etcd',
  etcd_port: 2379,
  etcd_peer_port: 2380,
  etcd_init: 'new',
  etcd_election_timeout: 1000,
  etcd_heartbeat_interval: 100,
  etcd_learner: false,
  ...pick(node, ['node_data']),
};
