/**
 * pg_pitr's prepare hook: everything about the request is checked before any host is touched —
 * the `pg_pitr` fields (lib/pitr.ts), that the play targets the whole cluster (a member left
 * running would fight the restored primary), and that the source stanza is reachable from the
 * repository (another cluster's stanza needs a shared repository, not a per-host local one).
 */
import type { PrepareContext, PrepareResult, Vars } from '../../src/api/types.js';
import { selectHosts } from '../../src/inventory/index.js';
import type { RepoEntry } from '../pgbackrest/defaults.js';
import { checkEntry, resolveRepo, type ResolvedRepo } from '../pgbackrest/lib/repo.js';
import { validatePitr, type PitrPlan } from './lib/pitr.js';
import { errorCollector } from '../../src/api/prepare.js';

const hasCluster = (v: Vars) => typeof v.pg_cluster === 'string' && v.pg_cluster !== '';

function resolve(ctx: PrepareContext, host: string, plan: PitrPlan): ResolvedRepo | string {
  const v = ctx.vars(host);
  const infra = ctx.inventory.groups.has('infra') ? selectHosts(ctx.inventory, 'infra').hosts : [];
  if (plan.repo) {
    const problems = checkEntry('pitr', plan.repo);
    if (problems.length) return problems.map((p) => p.replace('pgbackrest_repo.pitr', 'pg_pitr.repo')).join('; ');
    if ('host' in plan.repo && !plan.repo.host_config) return 'pg_pitr.repo with a host needs host_config (the repository config on that host, e.g. /etc/pgbackrest-repo/central.conf)';
    return resolveRepo('pg_pitr.repo', { 'pg_pitr.repo': plan.repo }, infra, [...ctx.inventory.hosts.keys()]);
  }
  return resolveRepo(String(v.pgbackrest_method ?? 'local'), v.pgbackrest_repo as Record<string, RepoEntry>, infra, [...ctx.inventory.hosts.keys()]);
}

export function preparePitr(ctx: PrepareContext): PrepareResult {
  const { errors, err } = errorCollector(ctx);
  const derived: Record<string, Vars> = {};
  const clusters = new Set<string>();
  for (const host of ctx.targets) {
    const v = ctx.vars(host);
    if (!hasCluster(v)) continue;
    clusters.add(String(v.pg_cluster));
    if (v.pg_pitr === undefined || v.pg_pitr === null) {
      err(host, 'pg_pitr', `pg_pitr is required: -e '{"pg_pitr": {}}' restores ${String(v.pg_cluster)} to the latest state, -e '{"pg_pitr": {"time": "2025-01-01 12:00:00+00"}}' to a time (docs/pitr.md)`);
      continue;
    }
    const { plan, errors: problems } = validatePitr(v.pg_pitr, { pg_cluster: String(v.pg_cluster), pg_data: String(v.pg_data ?? '/pg/data'), pg_port: Number(v.pg_port ?? 5432) });
    for (const p of problems) err(host, 'pg_pitr', p);
    if (!plan) continue;
    const repo = resolve(ctx, host, plan);
    if (typeof repo === 'string') {
      err(host, plan.repo ? 'pg_pitr' : 'pgbackrest_method', `${host}: ${repo}`);
      continue;
    }
    const perHost = !repo.remote && (repo.entry.type === undefined || repo.entry.type === 'posix' || repo.entry.type === 'cifs');
    if (plan.crossCluster && perHost && !plan.repo) {
      err(host, 'pg_pitr', `pg_pitr.cluster ${plan.cluster}: the '${repo.name}' repository is local to each host (${String(repo.entry.path ?? '')}) and holds only ${String(v.pg_cluster)}'s stanza; restoring another cluster needs a shared repository: -e pgbackrest_method=central (both clusters backed up there), or pg_pitr.repo`);
      continue;
    }
    derived[host] = { pitr: plan, pitr_repo: repo };
  }
  // the whole cluster: a member left out would keep running against the restored primary
  for (const cls of clusters) {
    const members = [...ctx.inventory.hosts.keys()].filter((h) => ctx.vars(h).pg_cluster === cls);
    const targeted = members.filter((h) => ctx.targets.includes(h));
    const side = targeted.some((h) => (derived[h]?.pitr as PitrPlan | undefined)?.side);
    const missing = members.filter((h) => !ctx.targets.includes(h));
    if (!side && missing.length) {
      const h = targeted[0];
      err(h, 'pg_pitr', `pgsql-pitr restores a whole cluster: -l ${cls} (the limit leaves out ${missing.join(', ')}, which would keep running against the restored primary)`);
    }
    const primaries = targeted.filter((h) => ctx.vars(h).pg_role === 'primary');
    if (targeted.length && !primaries.length) err(targeted[0], 'pg_role', `cluster ${cls}: the restore goes to the primary of the inventory, and the limit selects none`);
  }
  return { derived, errors };
}
