/**
 * Packages installed ahead (roles/install-ahead.ts, roles/packages.ts): the registry matches the
 * roles' own apt tasks, and the install playbook's node_pkg step asks each host for exactly the
 * packages of the plays that will run there, after the pgsql role's before-install tasks.
 */
import { describe, expect, it } from 'vitest';
import type { Action, Facts, HostCtx, Play, Role, RoleRef, Task, TaskNode, Vars } from '../../../src/api/types.js';
import type { AptArgs } from '../../../src/operations/package.js';
import install from '../../../playbooks/install.js';
import pgsqlBook from '../../../playbooks/pgsql.js';
import { rolePackages } from '../../../roles/packages.js';
import { laterPlays, packagesAhead } from '../../../roles/install-ahead.js';
import { node } from '../../../roles/node/index.js';
import { pgsql } from '../../../roles/pgsql/index.js';

const roleOf = (r: Role | RoleRef): Role => ('role' in r ? r.role : r);
const allRoles = (plays: readonly Play[]) => [...new Map(plays.flatMap((p) => (p.roles ?? []).map(roleOf)).map((r) => [r.name, r])).values()];
const allDefaults = Object.assign({}, ...allRoles(install.plays).map((r) => r.defaults)) as Vars;

/** Every task of a tree (blocks opened). */
function tasksOf(nodes: readonly TaskNode<any>[]): Task<any, any>[] {
  return nodes.flatMap((n) => (n.kind === 'block' ? tasksOf([...n.tasks, ...(n.rescue ?? []), ...(n.always ?? [])]) : n.kind === 'task' ? [n] : []));
}

// The sandbox's layout: meta (infra, etcd, pg-meta), node-1/2 (etcd, pg-test), node-3 (pg-test), a bare node.
const GROUPS: Record<string, string[]> = {
  all: ['meta', 'n1', 'n2', 'n3', 'bare'],
  infra: ['meta'],
  etcd: ['meta', 'n1', 'n2'],
};
const HOSTVARS: Record<string, Vars> = {
  meta: { pg_cluster: 'pg-meta' },
  n1: { pg_cluster: 'pg-test', pg_vip_enabled: true },
  n2: { pg_cluster: 'pg-test', pg_vip_enabled: true },
  n3: { pg_cluster: 'pg-test', pg_vip_enabled: true },
  bare: {},
};

/** A host as the first play (NODE INIT) sees it: only node_id's and node's defaults under its own vars. */
function nodePlayHost(name: string, extra: Vars = {}): HostCtx<any> {
  const nodeRoles = (install.plays[0].roles ?? []).map(roleOf);
  const vars = { ...Object.assign({}, ...nodeRoles.map((r) => r.defaults)), pg_version: 15, ...HOSTVARS[name], ...extra };
  return {
    name,
    vars,
    facts: { hostname: name } as Facts,
    reg: {},
    check: false,
    playHosts: GROUPS.all,
    inventory: { hosts: (p) => GROUPS[p] ?? [], hostvars: () => vars, groupNames: () => [] },
  };
}

const apt = (a: Action | null) => a as Action<AptArgs> | null;
const names = (a: Action<AptArgs> | null) => (a ? [a.args.name ?? []].flat() : []);

describe('roles/packages.ts matches the roles', () => {
  it("every present-state apt task of a role asks for a subset of the registry's list (switches on)", () => {
    const on: Vars = { ...allDefaults, pg_version: 15, pg_vip_enabled: true, pgpool_enabled: true, pg_extensions: ['postgresql-${pg_version}-cron'] };
    const h = { ...nodePlayHost('n1'), vars: on };
    let checked = 0;
    // the roles as they are (the playbooks use node and pgsql widened: installing ahead)
    const roles = allRoles(install.plays).map((r) => (r.name === 'node' ? node : r.name === 'pgsql' ? pgsql : r));
    for (const role of roles) {
      for (const t of tasksOf(role.tasks)) {
        if (t.loop || t.local) continue;
        let a: Action<AptArgs> | null;
        try {
          a = apt(t.action(h, undefined));
        } catch {
          continue; // an action that needs registered results or facts: not an apt task
        }
        if (!a || a.module.name !== 'apt' || (a.args.state ?? 'present') !== 'present') continue;
        expect(rolePackages[role.name], `no entry for role ${role.name}`).toBeDefined();
        expect(rolePackages[role.name](on), `${role.name}: ${t.name}`).toEqual(expect.arrayContaining(names(a)));
        checked++;
      }
    }
    // node, infra, node_monitor, etcd, pgsql (2), pgbackrest (2), pgbouncer, pg_vip, haproxy, pgpool, pg_exporter
    expect(checked).toBeGreaterThanOrEqual(13);
  });

  it('switches off: nothing for that role', () => {
    const off = { ...allDefaults, pgbouncer_enabled: false, haproxy_enabled: false, pg_exporter_enabled: false, node_exporter_enabled: false, pgbackrest_enabled: false };
    for (const r of ['pgbouncer', 'pg_service', 'pg_monitor', 'node_monitor', 'pgbackrest', 'pg_vip', 'pgpool']) expect(rolePackages[r](off), r).toEqual([]);
  });
});

describe('packages ahead in the install playbook', () => {
  const later = laterPlays(install.plays.slice(1));

  it('each host gets the packages of the plays that will run on it', () => {
    const meta = packagesAhead(later, nodePlayHost('meta'));
    expect(meta).toEqual(expect.arrayContaining(['prometheus', 'prometheus-alertmanager', 'prometheus-node-exporter', 'etcd-server', 'postgresql-15', 'patroni', 'pgbackrest', 'pgbouncer', 'haproxy', 'prometheus-postgres-exporter']));
    expect(meta).not.toContain('vip-manager');
    const n3 = packagesAhead(later, nodePlayHost('n3'));
    expect(n3).toContain('vip-manager');
    expect(n3).not.toContain('etcd-server');
    expect(n3).not.toContain('prometheus');
    // no pg_cluster: the PGSQL play's host_filter drops it
    expect(packagesAhead(later, nodePlayHost('bare'))).toEqual(['prometheus-node-exporter']);
    // the host's variables (inventory, extra vars) win over the later roles' defaults
    expect(packagesAhead(later, nodePlayHost('n1', { pg_version: 16, pgbouncer_enabled: false }))).toEqual(expect.arrayContaining(['postgresql-16']));
    expect(packagesAhead(later, nodePlayHost('n1', { pgbouncer_enabled: false }))).not.toContain('pgbouncer');
  });

  it("node_pkg: the pgsql role's before-install tasks, then one apt task with the node's and the later plays' packages", () => {
    const nodeRole = roleOf(install.plays[0].roles!.find((r) => roleOf(r).name === 'node')!);
    const step = nodeRole.tasks.find((n) => n.kind === 'block' && n.name === 'install node packages');
    expect(step).toMatchObject({ kind: 'block', tags: ['node_pkg'] });
    const inner = tasksOf([step!]);
    expect(inner.map((t) => t.name)).toEqual([
      'create os group postgres', 'create postgres dbsu', 'own the dbsu home',
      'prevent the debian main cluster: dir', 'prevent the debian main cluster', 'install node packages',
    ]);
    const [group, dbsu] = inner;
    // run in the node play, they see the pgsql role's defaults (the dbsu's uid) ...
    expect(dbsu.action(nodePlayHost('n1'), undefined)?.args).toMatchObject({ name: 'postgres', uid: 543 });
    expect(group.when!(nodePlayHost('n1'))).toBe(true);
    // ... and run only where pgsql will run
    expect(group.when!(nodePlayHost('bare'))).toBe(false);
    const aptTask = inner[inner.length - 1];
    const n1 = names(apt(aptTask.action(nodePlayHost('n1'), undefined)));
    expect(n1).toEqual(expect.arrayContaining(['ca-certificates', 'openssh-server', 'etcd-server', 'postgresql-15', 'vip-manager']));
    expect(new Set(n1).size).toBe(n1.length);
  });

  it('the node playbook alone installs node_exporter ahead, the pgsql playbook its later roles in pg_pkg', async () => {
    const nodeBook = (await import('../../../playbooks/node.js')).default;
    const nodeStep = tasksOf(roleOf(nodeBook.plays[0].roles!.find((r) => roleOf(r).name === 'node')!).tasks).find((t) => t.name === 'install node packages')!;
    const bare = names(apt(nodeStep.action(nodePlayHost('bare'), undefined)));
    expect(bare).toContain('prometheus-node-exporter');
    expect(bare).not.toContain('postgresql-15');

    const pgsqlRole = roleOf(pgsqlBook.plays[0].roles!.find((r) => roleOf(r).name === 'pgsql')!);
    const pgPkg = tasksOf(pgsqlRole.tasks).find((t) => t.name === 'install postgres packages')!;
    const h = { ...nodePlayHost('n1'), vars: { ...allDefaults, ...HOSTVARS.n1, pg_version: 15 } };
    expect(names(apt(pgPkg.action(h, undefined)))).toEqual(['postgresql-15', 'postgresql-client-15', 'patroni', 'python3-psycopg2', 'python3-etcd', 'pgbackrest', 'lz4', 'pgbouncer', 'vip-manager', 'haproxy', 'prometheus-postgres-exporter']);
  });
});
