/** A pg-test cluster as the access-layer roles see it (merged defaults of every role of the play). */
import type { Facts, HostCtx } from '../../../src/api/types.js';
import { defaults as pgsqlDefaults } from '../../../roles/pgsql/defaults.js';
import { defaults as pgIdDefaults } from '../../../roles/pg_id/defaults.js';
import { defaults as pgbDefaults } from '../../../roles/pgbouncer/defaults.js';
import { defaults as svcDefaults } from '../../../roles/pg_service/defaults.js';
import { defaults as vipDefaults } from '../../../roles/pg_vip/defaults.js';
import { defaults as poolDefaults } from '../../../roles/pgpool/defaults.js';

export const MEMBERS: Record<string, Record<string, unknown>> = {
  '10.10.10.11': { pg_seq: 1, pg_role: 'primary', nodename: 'node-1' },
  '10.10.10.12': { pg_seq: 2, pg_role: 'replica', nodename: 'node-2' },
  '10.10.10.13': { pg_seq: 3, pg_role: 'replica', pg_offline_query: true, nodename: 'node-3' },
};

export function vars(ip: string, extra: Record<string, unknown> = {}): any {
  return {
    ...pgIdDefaults,
    ...pgsqlDefaults,
    ...pgbDefaults,
    ...svcDefaults,
    ...vipDefaults,
    ...poolDefaults,
    pg_cluster: 'pg-test',
    pg_users: [
      { name: 'test', password: 'test', pgbouncer: true, roles: ['dbrole_admin'] },
      { name: 'dbuser_view', password: 'DBUser.View', roles: ['dbrole_readonly'] },
      { name: 'hashed', password: 'SCRAM-SHA-256$4096:c2FsdA==$YWJj:ZGVm', pgbouncer: true },
    ],
    pg_databases: [{ name: 'test' }, { name: 'app', owner: 'test' }, { name: 'batch', pgbouncer: false }],
    pg_cluster_members: Object.keys(MEMBERS),
    pg_instance: `pg-test-${MEMBERS[ip].pg_seq}`,
    ...MEMBERS[ip],
    ...extra,
  };
}

export function host<V = any>(ip: string, extra: Record<string, unknown> = {}, others: Record<string, Record<string, unknown>> = {}): HostCtx<V> {
  return {
    name: ip,
    vars: vars(ip, extra) as V,
    facts: { hostname: String(MEMBERS[ip]?.nodename ?? 'x') } as Facts,
    reg: {},
    check: false,
    playHosts: Object.keys(MEMBERS),
    inventory: {
      hosts: (p: string) => (p === 'etcd' ? ['10.10.10.10', '10.10.10.11', '10.10.10.12'] : p === 'infra' ? ['10.10.10.10'] : []),
      hostvars: (h: string) => vars(h, { ...extra, ...(others[h] ?? {}) }),
      groupNames: () => [],
    },
  };
}
