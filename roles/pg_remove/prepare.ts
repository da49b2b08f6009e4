/**
 * pg_remove's prepare hook: a cluster with `pg_safeguard` set is refused at planning, before any
 * host is contacted (the `abort when pg_safeguard is set` task stays as the last guard on a host).
 */
import type { PrepareContext, PrepareResult } from '../../src/api/types.js';
import { errorCollector } from '../../src/api/prepare.js';
import { asBool } from '../pgbackrest/lib/repo.js';

export function prepareRemove(ctx: PrepareContext): PrepareResult {
  const { errors, err } = errorCollector(ctx);
  for (const host of ctx.targets) {
    const v = ctx.vars(host);
    if (!asBool(v.pg_safeguard)) continue;
    const what = v.pg_cluster ? `cluster ${String(v.pg_cluster)}` : host;
    err(host, 'pg_safeguard', `pg_safeguard is set for ${what}: pgsql-rm refuses to remove it and contacted no host. Override with -e pg_safeguard=false`);
  }
  return { errors };
}
