/** node_id: node identity (Pigsty's NODE_ID parameters). */
export interface NodeIdParams {
  /** Node instance name; the hostname when missing (or `<pg_cluster>-<pg_seq>` with node_id_from_pg). */
  nodename?: string;
  /** Node cluster name, `nodes` by default (or pg_cluster with node_id_from_pg). */
  node_cluster: string;
  /** Set the node's hostname to nodename? */
  nodename_overwrite: boolean;
  /** Write every play host's nodename into each other's /etc/hosts? */
  nodename_exchange: boolean;
  /** Use the postgres identity as node identity when there is one. */
  node_id_from_pg: boolean;
}

/** The pgsql cluster of the node, when it has one (for the node's label). */
export type NodeIdVars = NodeIdParams & { pg_cluster?: string };

export const defaults: NodeIdParams = {
  node_cluster: 'nodes',
  nodename_overwrite: true,
  nodename_exchange: false,
  node_id_from_pg: true,
};
