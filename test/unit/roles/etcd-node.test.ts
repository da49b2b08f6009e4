import { describe, expect, it } from 'vitest';
import type { PrepareContext, Vars } from '../../../src/api/types.js';
import type { Group, Inventory } from '../../../src/inventory/types.js';
import { prepareEtcd } from '../../../roles/etcd/identity.js';
import { prepareNodeId } from '../../../roles/node_id/identity.js';
import { sysctlFile } from '../../../roles/node/tune.js';
import { etcHosts, exchangeLine, exchangedNames } from '../../../roles/node/tasks/main.js';
import { lineinfile } from '../../../src/operations/index.js';
import { apply, tempDir } from '../operations/ctx.js';
import fs from 'node:fs';
import path from 'node:path';
import { configPatch, describePatch } from '../../../roles/pgsql/tasks/config.js';
import { expandPackages } from '../../../roles/pgsql/tasks/install.js';

function ctx(hosts: Record<string, Vars>, groups: Record<string, string[]> = {}, targets = Object.keys(hosts)): PrepareContext {
  const g = new Map<string, Group>(
    Object.entries(groups).map(([name, hs]) => [name, { name, hosts: hs, children: [], parents: ['all'], vars: {}, sources: {}, depth: 1, priority: 1 }]),
  );
  const inventory: Inventory = { file: 'inv.yml', hosts: new Map(Object.keys(hosts).map((h) => [h, { name: h, vars: hosts[h], sources: {} }])), groups: g };
  return { inventory, targets, vars: (h) => ({ etcd_cluster: 'etcd', ...hosts[h] }), source: (h, k) => (k in (hosts[h] ?? {}) ? { file: 'inv.yml', path: `all.children.etcd.hosts.${h}.${k}` } : undefined) };
}

describe('etcd prepare', () => {
  const hosts = { '10.10.10.11': { etcd_seq: 2 }, '10.10.10.10': { etcd_seq: 1 }, '10.10.10.12': { etcd_seq: 3 } };
  it('derives member names and the initial cluster from the whole group', () => {
    const r = prepareEtcd(ctx(hosts, { etcd: ['10.10.10.11', '10.10.10.10', '10.10.10.12'] }, ['10.10.10.12']));
    expect(r.errors).toEqual([]);
    expect(r.derived!['10.10.10.12']).toEqual({
      etcd_instance: 'etcd-3',
      etcd_initial_cluster: 'etcd-1=http://10.10.10.10:2380,etcd-2=http://10.10.10.11:2380,etcd-3=http://10.10.10.12:2380',
      etcd_endpoints: ['http://10.10.10.10:2379', 'http://10.10.10.11:2379', 'http://10.10.10.12:2379'],
      etcd_members: ['10.10.10.10', '10.10.10.11', '10.10.10.12'],
    });
  });
  it('requires a unique integer etcd_seq, naming the path', () => {
    const r = prepareEtcd(ctx({ ...hosts, '10.10.10.12': { etcd_seq: 2 } }, { etcd: Object.keys(hosts) }));
    expect(r.errors![0]).toMatchObject({ path: 'all.children.etcd.hosts.10.10.10.12.etcd_seq' });
    expect(r.errors![0].message).toMatch(/already used by 10\.10\.10\.11/);
    const missing = prepareEtcd(ctx({ a: {} }, { etcd: ['a'] }));
    expect(missing.errors![0].message).toMatch(/etcd_seq is required/);
  });
});

describe('node_id prepare', () => {
  it('takes the pg identity unless nodename is explicit', () => {
    const r = prepareNodeId(ctx({ a: { pg_cluster: 'pg-test', pg_seq: 1 }, b: { pg_cluster: 'pg-test', pg_seq: 2, nodename: 'node-2' }, c: {} }));
    expect(r.derived!.a).toEqual({ nodename: 'pg-test-1', node_cluster: 'pg-test' });
    expect(r.derived!.b).toEqual({ node_cluster: 'pg-test' });
    expect(r.derived!.c).toBeUndefined();
  });
});

describe('node helpers', () => {
  it('renders hosts entries and tune profiles', () => {
    expect(etcHosts({ node_default_etc_hosts: ['${admin_ip} i.pigsty'], node_etc_hosts: ['10.0.0.1 x'], admin_ip: '10.10.10.10' })).toBe('10.10.10.10 i.pigsty\n10.0.0.1 x');
    expect(sysctlFile('oltp')).toMatch(/^vm\.swappiness = 1$/m);
    expect(sysctlFile('none').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([]);
  });
});

describe('nodename_exchange', () => {
  const vars: Record<string, Vars> = { '10.10.10.11': { nodename: 'pg-test-1' }, 'db2': { nodename: 'pg-test-2', ansible_host: '10.10.10.12' }, '10.10.10.13': {} };
  const h = { playHosts: Object.keys(vars), inventory: { hosts: () => [], groupNames: () => [], hostvars: (x: string) => vars[x] } };
  it('lists `<address> <nodename>` of the play hosts that have a nodename', () => {
    expect(exchangedNames(h)).toEqual([{ address: '10.10.10.11', name: 'pg-test-1' }, { address: '10.10.10.12', name: 'pg-test-2' }]);
  });
  it("keeps the host's own 127.0.1.1 line, replaces a stale address, and converges", async () => {
    const f = path.join(tempDir(), 'hosts');
    fs.writeFileSync(f, '127.0.0.1 localhost\n127.0.1.1 pg-test-1\n10.9.9.9 pg-test-2\n');
    const put = (e: { address: string; name: string }) => apply(lineinfile({ path: f, ...exchangeLine(e) }));
    for (const e of exchangedNames(h)) await put(e);
    expect(fs.readFileSync(f, 'utf8')).toBe('127.0.0.1 localhost\n127.0.1.1 pg-test-1\n10.10.10.12 pg-test-2\n10.10.10.11 pg-test-1\n');
    for (const e of exchangedNames(h)) expect((await put(e)).status).toBe('ok');
  });
});

describe('pgsql helpers', () => {
  it('patches only what differs in the dynamic config', () => {
    const have = { ttl: 30, loop_wait: 5, postgresql: { use_slots: true, parameters: { max_connections: 250, wal_level: 'logical' } } };
    expect(configPatch({ ttl: 30, postgresql: { parameters: { max_connections: 250 } } }, have)).toEqual({});
    const p = configPatch({ ttl: 20, postgresql: { parameters: { max_connections: 300, wal_level: 'logical' } } }, have);
    expect(p).toEqual({ ttl: 20, postgresql: { parameters: { max_connections: 300 } } });
    expect(describePatch(p, have)).toEqual(['ttl: 30 -> 20', 'postgresql.parameters.max_connections: 250 -> 300']);
  });
  it('expands Pigsty package lists', () => {
    expect(expandPackages(['postgresql-${pg_version} postgresql-client-$v', 'patroni,python3-psycopg2'], 15)).toEqual(['postgresql-15', 'postgresql-client-15', 'patroni', 'python3-psycopg2']);
  });
});
