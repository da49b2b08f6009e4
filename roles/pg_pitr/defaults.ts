/**
 * pg_pitr: point-in-time recovery of a cluster with pgBackRest (Pigsty's roles/pg_pitr). The
 * request is `pg_pitr` (see lib/pitr.ts and docs/pitr.md); the rest are references to the
 * pgsql and pgbackrest roles' parameters, with their defaults.
 */
import { defaults as backup, type PgbackrestParams } from '../pgbackrest/defaults.js';
import type { PgIdVars } from '../pg_id/defaults.js';
import type { PitrPlan, PitrRequest } from './lib/pitr.js';
import type { ResolvedRepo } from '../pgbackrest/lib/repo.js';

export interface PgPitrParams extends Omit<PgbackrestParams, 'node_crontab'> {
  /** The request: target, source, options. Required. */
  pg_pitr?: PitrRequest;
  patroni_port: number;
  pg_namespace: string;
  etcd_cluster: string;
  etcd_port: number;
}

/** Derived by the prepare hook. */
export interface PgPitrDerived {
  pitr: PitrPlan;
  pitr_repo: ResolvedRepo;
}

export type PgPitrVars = PgPitrParams & PgPitrDerived & PgIdVars & Record<string, unknown>;

const { node_crontab: _unused, ...backupRefs } = backup;

export const defaults: PgPitrParams = {
  ...backupRefs,
  patroni_port: 8008,
  pg_namespace: '/pg',
  etcd_cluster: 'etcd',
  etcd_port: 2379,
};
