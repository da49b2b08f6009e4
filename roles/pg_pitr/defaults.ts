/**
 * pg_pitr: point-in-time recovery of a cluster with pgBackRest (Pigsty's roles/pg_pitr). The
 * request is `pg_pitr` (see lib/pitr.ts and docs/pitr.md); the rest are references to the
 * pgsql and pgbackrest roles' parameters, with their defaults.
 */
import { pick } from '../../src/api/params.js';
import { defaults as backup, type PgbackrestParams, type PgbackrestRefs } from '../pgbackrest/defaults.js';
import { defaults as pgsql, type PgsqlParams, type PgsqlRefs } from '../pgsql/defaults.js';
import type { PgIdVars } from '../pg_id/defaults.js';
import type { PitrPlan, PitrRequest } from './lib/pitr.js';
import type { ResolvedRepo } from '../pgbackrest/lib/repo.js';

export interface PgPitrParams {
  /** The request: target, source, options. Required. */
  pg_pitr?: PitrRequest;
}

/** What pg_pitr reads from pgbackrest, pgsql and etcd, declared by those roles. */
export type PgPitrRefs = PgbackrestParams & Omit<PgbackrestRefs, 'node_crontab'> & Pick<PgsqlParams, 'pg_namespace'> & Pick<PgsqlRefs, 'etcd_cluster' | 'etcd_port'>;

/** Derived by the prepare hook. */
export interface PgPitrDerived {
  pitr: PitrPlan;
  pitr_repo: ResolvedRepo;
}

export type PgPitrVars = PgPitrParams & PgPitrRefs & PgPitrDerived & PgIdVars;

const { node_crontab: _unused, ...backupRefs } = backup;

export const defaults: PgPitrParams & PgPitrRefs = {
  ...backupRefs,
  ...pick(pgsql, ['pg_namespace', 'etcd_cluster', 'etcd_port']),
};
