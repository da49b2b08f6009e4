/**
 * pg_remove: remove a cluster or some of its instances (Pigsty's roles/pg_remove, pgsql-rm.yml).
 * `pg_safeguard` refuses; `pg_rm_data`, `pg_rm_backup` and `pg_rm_pkg` choose what goes.
 */
import { defaults as backup, type PgbackrestParams } from '../pgbackrest/defaults.js';
import type { PgIdVars } from '../pg_id/defaults.js';
import { defaults as pgsql } from '../pgsql/defaults.js';

export type Boolish = boolean | string;

export interface PgRemoveParams extends Omit<PgbackrestParams, 'node_crontab'> {
  /** Refuse to remove anything (set it on clusters that must not go; override with -e pg_safeguard=false). */
  pg_safeguard: Boolish;
  /** Remove the data (the cluster directory /pg -> pg_fs_main/<cluster>-<version>). */
  pg_rm_data: Boolish;
  /** Delete the pgBackRest stanza when the primary is removed, and the local repository of each removed host. */
  pg_rm_backup: Boolish;
  /** Uninstall the PostgreSQL packages (Pigsty's usage says: not by default, explicit override). */
  pg_rm_pkg: Boolish;
  pg_packages: string[];
  pg_extensions: string[];
  pg_namespace: string;
  etcd_cluster: string;
  etcd_port: number;
}

export type PgRemoveVars = PgRemoveParams & PgIdVars & Record<string, unknown>;

const { node_crontab: _unused, ...backupRefs } = backup;

export const defaults: PgRemoveParams = {
  ...backupRefs,
  pg_safeguard: false,
  pg_rm_data: true,
  pg_rm_backup: true,
  pg_rm_pkg: false,
  pg_packages: pgsql.pg_packages,
  pg_extensions: pgsql.pg_extensions,
  pg_namespace: '/pg',
  etcd_cluster: 'etcd',
  etcd_port: 2379,
};
