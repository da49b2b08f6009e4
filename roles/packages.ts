/**
 * What each role installs with apt on a host, given the variables the role sees there (its enable
 * switches included): the same lists as the roles' own `apt(...)` tasks (test/unit/roles/packages
 * checks that every present-state apt task of a role asks for a subset of this). Used to install a
 * host's packages ahead, in one transaction (roles/install-ahead.ts).
 */
import type { Role, TaskNode, Vars } from '../src/api/types.js';
import { expandPackages } from './pgsql/tasks/install.js';
import { asBool } from './pgbackrest/lib/repo.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
/** As the roles' `when`: a switch is on when truthy. */
const on = (v: unknown) => !!v;

export const rolePackages: Readonly<Record<string, (v: Vars) => string[]>> = {
  node: (v) => expandPackages([...list(v.node_default_packages), ...list(v.node_packages)], 0),
  infra: () => ['prometheus', 'prometheus-alertmanager'],
  node_monitor: (v) => (on(v.node_exporter_enabled) ? ['prometheus-node-exporter'] : []),
  etcd: () => ['etcd-server', 'etcd-client'],
  pgsql: (v) => expandPackages([...list(v.pg_packages), ...list(v.pg_extensions)], Number(v.pg_version)),
  pgbackrest: (v) => (asBool(v.pgbackrest_enabled) ? list(v.pgbackrest_packages) : []),
  pgbouncer: (v) => (on(v.pgbouncer_enabled) ? ['pgbouncer'] : []),
  pg_vip: (v) => (on(v.pg_vip_enabled) ? ['vip-manager'] : []),
  pg_service: (v) => (on(v.haproxy_enabled) ? ['haproxy'] : []),
  pgpool: (v) => (on(v.pgpool_enabled) ? ['pgpool2'] : []),
  pg_monitor: (v) => (on(v.pg_exporter_enabled) ? ['prometheus-postgres-exporter'] : []),
};

/** The tasks and blocks of a tree that carry `tag` themselves, in order (a tagged block whole). */
function tagged(nodes: readonly TaskNode[], tag: string): TaskNode[] {
  return nodes.flatMap((n) => (n.kind === 'flush_handlers' ? [] : n.tags?.includes(tag) ? [n] : n.kind === 'block' ? tagged(n.tasks, tag) : []));
}

/**
 * What must be on a host BEFORE a role's packages are installed, as the role's own tasks. pgsql:
 * `pg_dbsu_create` (the dbsu with its uid and home: postgresql-common then reuses it, and the
 * daemons the packages start, pgbouncer's among them, run as that user from the start) and `pg_pre`
 * (postgresql-common's createcluster.d setting: no `main` cluster; Patroni creates the cluster).
 */
export const beforeInstall: Readonly<Record<string, (role: Role) => TaskNode[]>> = {
  pgsql: (role) => [...tagged(role.tasks, 'pg_dbsu_create'), ...tagged(role.tasks, 'pg_pre')],
};
