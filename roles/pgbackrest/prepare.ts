/**
 * pgbackrest's prepare hook, before any host is contacted: resolves the repository of every target
 * (`pgbackrest_method` in `pgbackrest_repo`, a repository host in the inventory) and, for a
 * repository host, the stanza sections of every cluster of the inventory that uses it. Errors name
 * the file and path of the bad value.
 */
import type { PrepareContext, PrepareResult, Vars } from '../../src/api/types.js';
import { selectHosts } from '../../src/inventory/index.js';
import type { RepoEntry } from './defaults.js';
import { asBool, resolveRepo, type ResolvedRepo, type StanzaHost } from './lib/repo.js';
import { errorCollector } from '../../src/api/prepare.js';

export interface RepoStanza {
  name: string;
  hosts: StanzaHost[];
}

const hasCluster = (v: Vars) => typeof v.pg_cluster === 'string' && v.pg_cluster !== '';

function hostsOf(ctx: PrepareContext, group: string): string[] {
  if (!ctx.inventory.groups.has(group)) return [];
  return selectHosts(ctx.inventory, group).hosts;
}

/** Resolves the repository a host uses (or an error text). */
export function repoOf(ctx: PrepareContext, host: string): ResolvedRepo | string {
  const v = ctx.vars(host);
  return resolveRepo(String(v.pgbackrest_method ?? 'local'), v.pgbackrest_repo as Record<string, RepoEntry>, hostsOf(ctx, 'infra'), [...ctx.inventory.hosts.keys()]);
}

/** Stanza sections of a repository host: every cluster whose hosts resolve to the same remote repository. */
export function repoStanzas(ctx: PrepareContext, r: ResolvedRepo): RepoStanza[] {
  const byCluster = new Map<string, { host: string; primary: boolean; v: Vars }[]>();
  for (const host of ctx.inventory.hosts.keys()) {
    const v = ctx.vars(host);
    if (!hasCluster(v) || !asBool(v.pgbackrest_enabled ?? true)) continue;
    const other = repoOf(ctx, host);
    if (typeof other === 'string' || !other.remote || other.remote.host !== r.remote!.host || other.remote.config !== r.remote!.config) continue;
    const list = byCluster.get(String(v.pg_cluster)) ?? [];
    list.push({ host, primary: v.pg_role === 'primary', v });
    byCluster.set(String(v.pg_cluster), list);
  }
  return [...byCluster.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, members]) => ({
      name,
      hosts: [...members]
        .sort((a, b) => Number(b.primary) - Number(a.primary) || a.host.localeCompare(b.host, undefined, { numeric: true }))
        .map((m) => ({
          host: m.host,
          port: Number(m.v.pg_port ?? 5432),
          data: String(m.v.pg_data ?? '/pg/data'),
          socket: String(m.v.pg_localhost ?? '/var/run/postgresql'),
          dbsu: String(m.v.pg_dbsu ?? 'postgres'),
        })),
    }));
}

export function preparePgbackrest(ctx: PrepareContext): PrepareResult {
  const { errors, err } = errorCollector(ctx);
  const derived: Record<string, Vars> = {};
  // the options of one remote repository must be the same for every cluster using it
  const remoteEntries = new Map<string, { entry: string; host: string }>();
  for (const host of ctx.targets) {
    const v = ctx.vars(host);
    if (!hasCluster(v) || !asBool(v.pgbackrest_enabled ?? true)) continue;
    const r = repoOf(ctx, host);
    if (typeof r === 'string') {
      err(host, /pgbackrest_method/.test(r) && !/pgbackrest_repo\./.test(r) ? 'pgbackrest_method' : 'pgbackrest_repo', `${host}: ${r}`);
      continue;
    }
    const d: Vars = { pgbackrest_repo_resolved: r };
    if (r.remote) {
      const key = `${r.remote.host}|${r.remote.config}`;
      const entry = JSON.stringify(Object.entries(r.entry).sort(([a], [b]) => a.localeCompare(b)));
      const prev = remoteEntries.get(key);
      if (prev && prev.entry !== entry) {
        err(host, 'pgbackrest_repo', `${host}: pgbackrest_repo.${r.name} differs from the one ${prev.host} uses, but both are the repository ${r.remote.config} on ${r.remote.host}: one repository has one set of options`);
      } else remoteEntries.set(key, { entry, host });
      d.pgbackrest_repo_stanzas = repoStanzas(ctx, r);
    }
    derived[host] = d;
  }
  return { derived, errors };
}
