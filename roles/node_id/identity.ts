/** node_id's prepare hook: nodename and node_cluster from the postgres identity (node_id_from_pg). */
import type { PrepareContext, PrepareResult, Vars } from '../../src/api/types.js';

export function prepareNodeId(ctx: PrepareContext): PrepareResult {
  const derived: Record<string, Vars> = {};
  for (const h of ctx.targets) {
    const v = ctx.vars(h);
    const fromPg = v.node_id_from_pg !== false && typeof v.pg_cluster === 'string' && v.pg_cluster !== '' && v.pg_seq !== undefined && v.pg_seq !== '';
    const d: Vars = {};
    // DEVIATION: an explicit nodename wins (Pigsty replaces it with <pg_cluster>-<pg_seq>)
    if (fromPg && (v.nodename === undefined || v.nodename === null || v.nodename === '')) d.nodename = `${v.pg_cluster}-${v.pg_seq}`;
    if (fromPg && (v.node_cluster === undefined || v.node_cluster === 'nodes' || v.node_cluster === '')) d.node_cluster = v.pg_cluster;
    if (Object.keys(d).length) derived[h] = d;
  }
  return { derived };
}
