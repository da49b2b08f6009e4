/**
 * pg_id: PostgreSQL instance identity (Pigsty's PG_IDENTITY parameters).
 *
 * `pg_cluster` (cluster), `pg_seq` and `pg_role` (instance) are required on every host of a pgsql
 * cluster; everything in `PgIdDerived` is computed by the role's `prepare` hook before any host is
 * contacted.
 */

/** Roles an instance can have. A standby cluster's leader is `primary` with `pg_upstream` set. */
import { PG_MODES_NOT_BUILT } from '../../src/api/pigsty-compat.js';
import { pick } from '../../src/api/params.js';
import { defaults as pgsql, type PgsqlParams } from '../pgsql/defaults.js';

/** Pigsty's cluster modes (all valid in an inventory; only pgsql is built). */
export const PG_MODES = ['pgsql', ...PG_MODES_NOT_BUILT] as const;
export type PgMode = (typeof PG_MODES)[number];

export const PG_ROLES = ['primary', 'replica', 'offline', 'standby', 'delayed'] as const;
export type PgRole = (typeof PG_ROLES)[number];

export interface PgIdParams {
  /** Cluster name, required, `^[A-Za-z0-9-]+$`, not `root`. Also the Patroni scope and etcd key prefix. */
  pg_cluster?: string;
  /** Instance number, required, an integer unique within the cluster. */
  pg_seq?: number | string;
  /** Instance role, required: primary, replica, offline, standby or delayed. */
  pg_role?: PgRole;
  /** Cluster mode, as in Pigsty; pgplay builds `pgsql` and skips the clusters of the other modes with a warning. */
  pg_mode: PgMode;
  /** Upstream IP for a standby cluster leader or a cascading replica. */
  pg_upstream?: string;
  /** Allow offline (ETL) queries on this instance. */
  pg_offline_query: boolean;
  /** Relative load-balancing weight (0-255). */
  pg_weight: number;
}

/** The listen port, declared by the pgsql role. */
export type PgIdRefs = Pick<PgsqlParams, 'pg_port'>;

/** Variables computed by pg_id's prepare hook. */
export interface PgIdDerived {
  /** `<pg_cluster>-<pg_seq>`, e.g. pg-test-1 */
  pg_instance: string;
  /** `<pg_cluster>-<pg_role>` */
  pg_service: string;
  pg_shard: string;
  pg_group: number;
  pg_is_primary: boolean;
  pg_cluster_size: number;
  /** Inventory names (IPs) of every member of the cluster, sorted. */
  pg_cluster_members: string[];
  /** Members that are not the primary, sorted. */
  pg_cluster_replicas: string[];
  /** Next free pg_seq in the cluster. */
  pg_seq_next: number;
  pg_primary_list: string[];
  /** Inventory name (IP) of the primary. */
  pg_primary_ip: string;
  pg_primary_seq: number;
  /** Instance name of the primary, e.g. pg-test-1 */
  pg_primary_ins: string;
}

export type PgIdVars = PgIdParams & PgIdRefs & PgIdDerived & { pg_cluster: string; pg_seq: number; pg_role: PgRole };

export const defaults: PgIdParams & PgIdRefs = {
  pg_mode: 'pgsql',
  pg_offline_query: false,
  pg_weight: 100,
  ...pick(pgsql, ['pg_port']),
};
