import { describe, expect, it } from 'vitest';
import type { PrepareContext, Vars } from '../../../src/api/types.js';
import type { Inventory } from '../../../src/inventory/types.js';
import { prepareIdentity, compareHosts } from '../../../roles/pg_id/identity.js';

/** A minimal prepare context: host vars given directly, sources faked as inventory paths. */
function ctx(hosts: Record<string, Vars>, targets = Object.keys(hosts)): PrepareContext {
  const inventory: Inventory = {
    file: 'inventory/test.yml',
    hosts: new Map(Object.keys(hosts).map((h) => [h, { name: h, vars: hosts[h], sources: {} }])),
    groups: new Map(),
  };
  return {
    inventory,
    targets,
    vars: (h) => ({ pg_port: 5432, ...hosts[h] }),
    source: (h, key) => (key in (hosts[h] ?? {}) ? { file: 'inventory/test.yml', path: `all.children.${hosts[h].pg_cluster}.hosts.${h}.${key}` } : undefined),
  };
}

const pgTest = {
  '10.10.10.11': { pg_cluster: 'pg-test', pg_seq: 1, pg_role: 'primary' },
  '10.10.10.12': { pg_cluster: 'pg-test', pg_seq: 2, pg_role: 'replica' },
  '10.10.10.13': { pg_cluster: 'pg-test', pg_seq: 3, pg_role: 'offline' },
  '10.10.10.10': { pg_cluster: 'pg-meta', pg_seq: 1, pg_role: 'primary' },
};

describe('pg_id prepare', () => {
  it('derives identity for a valid cluster', () => {
    const r = prepareIdentity(ctx(pgTest));
    expect(r.errors).toEqual([]);
    const d = r.derived!['10.10.10.12'];
    expect(d.pg_instance).toBe('pg-test-2');
    expect(d.pg_primary_ip).toBe('10.10.10.11');
    expect(d.pg_primary_ins).toBe('pg-test-1');
    expect(d.pg_cluster_members).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(d.pg_cluster_replicas).toEqual(['10.10.10.12', '10.10.10.13']);
    expect(d.pg_is_primary).toBe(false);
    expect(d.pg_seq_next).toBe(4);
    expect(r.derived!['10.10.10.10'].pg_cluster_members).toEqual(['10.10.10.10']);
  });

  it('sees the whole cluster when --limit selects one replica', () => {
    const r = prepareIdentity(ctx(pgTest, ['10.10.10.13']));
    expect(Object.keys(r.derived!)).toEqual(['10.10.10.13']);
    expect(r.derived!['10.10.10.13'].pg_primary_ip).toBe('10.10.10.11');
    expect(r.derived!['10.10.10.13'].pg_cluster_size).toBe(3);
  });

  it('ignores hosts without pg_cluster', () => {
    const r = prepareIdentity(ctx({ ...pgTest, '10.10.10.14': { etcd_seq: 1 } }));
    expect(r.errors).toEqual([]);
    expect(r.derived!['10.10.10.14']).toBeUndefined();
  });

  it('reports duplicate pg_seq with file and path', () => {
    const r = prepareIdentity(ctx({ ...pgTest, '10.10.10.12': { pg_cluster: 'pg-test', pg_seq: 1, pg_role: 'replica' } }));
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ file: 'inventory/test.yml', path: 'all.children.pg-test.hosts.10.10.10.12.pg_seq' });
    expect(r.errors![0].message).toMatch(/already used by 10\.10\.10\.11/);
    expect(r.derived!['10.10.10.11']).toBeUndefined();
  });

  it('reports an invalid role and lists the allowed ones', () => {
    const r = prepareIdentity(ctx({ ...pgTest, '10.10.10.13': { pg_cluster: 'pg-test', pg_seq: 3, pg_role: 'master' } }));
    expect(r.errors![0].path).toBe('all.children.pg-test.hosts.10.10.10.13.pg_role');
    expect(r.errors![0].message).toMatch(/primary, replica, offline, standby, delayed/);
  });

  it('requires exactly one primary', () => {
    const two = prepareIdentity(ctx({ ...pgTest, '10.10.10.12': { pg_cluster: 'pg-test', pg_seq: 2, pg_role: 'primary' } }));
    expect(two.errors![0].message).toMatch(/2 primaries/);
    const none = prepareIdentity(ctx({ a: { pg_cluster: 'pg-x', pg_seq: 1, pg_role: 'replica' } }));
    expect(none.errors![0].message).toMatch(/no primary/);
  });

  it('rejects bad cluster names and non-integer seqs', () => {
    expect(prepareIdentity(ctx({ a: { pg_cluster: 'pg_test', pg_seq: 1, pg_role: 'primary' } })).errors![0].message).toMatch(/A-Za-z0-9-/);
    expect(prepareIdentity(ctx({ a: { pg_cluster: 'root', pg_seq: 1, pg_role: 'primary' } })).errors![0].message).toMatch(/root/);
    expect(prepareIdentity(ctx({ a: { pg_cluster: 'pg-x', pg_seq: 'one', pg_role: 'primary' } })).errors![0].message).toMatch(/integer/);
    expect(prepareIdentity(ctx({ a: { pg_cluster: 'pg-x', pg_role: 'primary' } })).errors![0].message).toMatch(/pg_seq is required/);
  });

  it('accepts digit strings for pg_seq (from -e)', () => {
    const r = prepareIdentity(ctx({ a: { pg_cluster: 'pg-x', pg_seq: '7', pg_role: 'primary' } }));
    expect(r.errors).toEqual([]);
    expect(r.derived!.a.pg_instance).toBe('pg-x-7');
    expect(r.derived!.a.pg_seq).toBe(7);
  });

  it('orders IPs numerically', () => {
    expect(['10.10.10.9', '10.10.10.10', 'b', 'a'].sort(compareHosts)).toEqual(['10.10.10.9', '10.10.10.10', 'a', 'b']);
  });
});
