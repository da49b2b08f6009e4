/**
 * pg_vip: an L2 VIP on the cluster's leader with vip-manager (Debian's vip-manager 1.0.2, which
 * reads Patroni's leader key through etcd's v2 keys API). Tag tree: pg_vip (pg_vip_config,
 * pg_vip_launch). See docs/access.md.
 */
import { role } from '../../src/api/playbook.js';
import type { PrepareContext, PrepareResult, UserErrorDetail } from '../../src/api/types.js';
import { defaults, type PgVipVars } from './defaults.js';
import { schema } from './schema.js';
import { tasks } from './tasks/main.js';

/** An enabled VIP needs a real address, the same on every member of the cluster. */
export function preparePgVip(ctx: PrepareContext): PrepareResult {
  const errors: UserErrorDetail[] = [];
  const byCluster = new Map<string, string>();
  for (const host of ctx.targets) {
    const v = ctx.vars(host);
    if (!v.pg_cluster || v.pg_vip_enabled !== true) continue;
    const addr = String(v.pg_vip_address ?? '');
    const src = ctx.source(host, 'pg_vip_address');
    if (!addr || addr.startsWith('127.')) {
      errors.push({ file: src?.file, path: src?.path ?? 'pg_vip_address', line: src?.line, message: `pg_vip_enabled is true for ${host} but pg_vip_address is '${addr}': set a free address of the members' subnet with its prefix, e.g. 10.10.10.3/24` });
      continue;
    }
    const prev = byCluster.get(String(v.pg_cluster));
    if (prev !== undefined && prev !== addr) errors.push({ file: src?.file, path: src?.path ?? 'pg_vip_address', line: src?.line, message: `members of ${v.pg_cluster} disagree on pg_vip_address (${prev} vs ${addr})` });
    byCluster.set(String(v.pg_cluster), addr);
  }
  const seen = new Set<string>();
  return { errors: errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true))) };
}

export const pgVip = role<PgVipVars>({
  name: 'pg_vip',
  defaults: defaults as Partial<PgVipVars>,
  schema,
  prepare: preparePgVip,
  tasks,
});

export default pgVip;
export type { PgVipVars, PgVipParams } from './defaults.js';
