/**
 * pg_remove: remove a cluster or some of its instances (Pigsty's roles/pg_remove, pgsql-rm.yml).
 * `pg_safeguard` refuses; `pg_rm_data`, `pg_rm_backup` and `pg_rm_pkg` choose what goes.
 */
import { pick, type Boolish } from '../../src/api/params.js';
import { defaults as backup, type PgbackrestParams, type PgbackrestRefs } from '../pgbackrest/defaults.js';
import type { PgIdVars } from '../pg_id/defaults.js';
import { defaults as pgsql, type PgsqlParams, type PgsqlRefs } from '../pgsql/defaults.js';

export type { Boolish };

export interface PgRemoveParams {
  /** Refuse to remove anything (set it on clusters that must not go; override with -e pg_safeguard=false). */
  pg_safeguard: Boolish;
  /** Remove the data (the cluster directory /pg -> pg_fs_main/<cluster>-<version>). */
  pg_rm_data: Boolish;
  /** Delete the pgBackRest stanza when the primary is removed, and the local repository of each removed host. */
  pg_rm_backup: Boolish;
  /** Uninstall the PostgreSQL packages (Pigsty's usage says: not by default, explicit override). */
  pg_rm_pkg: Boolish;
}

/** What pg_remove reads from pgbackrest, pgsql and etcd, declared by those roles. */
export type PgRemoveRefs = PgbackrestParams &
  Omit<PgbackrestRefs, 'node_crontab'> &
  Pick<PgsqlParams, 'pg_packages' | 'pg_extensions' | 'pg_namespace'> &
  Pick<PgsqlRefs, 'etcd_cluster' | 'etcd_port'>;

export type PgRemoveVars = PgRemoveParams & PgRemoveRefs & PgIdVars;

const { node_crontab: _unused, ...backupRefs } = backup;

export const defaults: PgRemoveParams & PgRemoveRefs = {
  ...backupRefs,
  pg_safeguard: false,
  pg_rm_data: true,
  pg_rm_backup: true,
  pg_rm_pkg: false,
  ...pick(pgsql, ['pg_packages', 'pg_extensions', 'pg_namespace', 'etcd_cluster', 'etcd_port']),
};
