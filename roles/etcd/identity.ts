/** etcd's prepare hook: every member of the cluster has a unique integer etcd_seq; derive the member list. */
import type { PrepareContext, PrepareResult, UserErrorDetail, Vars } from '../../src/api/types.js';
import { compareHosts, parseSeq } from '../pg_id/identity.js';

export function prepareEtcd(ctx: PrepareContext): PrepareResult {
  const errors: UserErrorDetail[] = [];
  const derived: Record<string, Vars> = {};
  const byCluster = new Map<string, string[]>();
  for (const h of ctx.targets) {
    const cls = String(ctx.vars(h).etcd_cluster ?? 'etcd');
    if (!byCluster.has(cls)) {
      const group = ctx.inventory.groups.get(cls);
      const members = group ? [...collect(ctx, cls)] : [];
      byCluster.set(cls, members.length ? members : ctx.targets.filter((t) => String(ctx.vars(t).etcd_cluster ?? 'etcd') === cls));
    }
  }
  for (const [cls, members] of byCluster) {
    const seqs = new Map<number, string>();
    let ok = true;
    for (const m of members) {
      const v = ctx.vars(m);
      const seq = parseSeq(v.etcd_seq);
      const src = ctx.source(m, 'etcd_seq');
      const at = { file: src?.file ?? ctx.inventory.file, path: src?.path ?? `${cls}.hosts.${m}.etcd_seq`, line: src?.line };
      if (seq === undefined) {
        errors.push({ ...at, message: `${m}: etcd_seq is required for every member of ${cls} (a non-negative integer), got ${JSON.stringify(v.etcd_seq)}` });
        ok = false;
      } else if (seqs.has(seq)) {
        errors.push({ ...at, message: `${m}: etcd_seq ${seq} is already used by ${seqs.get(seq)} in ${cls}` });
        ok = false;
      } else seqs.set(seq, m);
    }
    if (!ok) continue;
    const sorted = [...members].sort(compareHosts);
    const v0 = ctx.vars(sorted[0]);
    const peer = Number(v0.etcd_peer_port ?? 2380);
    const port = Number(v0.etcd_port ?? 2379);
    const initial = sorted.map((m) => `${cls}-${parseSeq(ctx.vars(m).etcd_seq)}=http://${m}:${peer}`).join(',');
    for (const h of ctx.targets) {
      if (String(ctx.vars(h).etcd_cluster ?? 'etcd') !== cls || !members.includes(h)) continue;
      derived[h] = {
        etcd_instance: `${cls}-${parseSeq(ctx.vars(h).etcd_seq)}`,
        etcd_initial_cluster: initial,
        etcd_endpoints: sorted.map((m) => `http://${m}:${port}`),
        etcd_members: sorted,
      };
    }
  }
  return { derived, errors };
}

/** Hosts of a group and its children, in inventory order. */
function* collect(ctx: PrepareContext, name: string, seen = new Set<string>()): Generator<string> {
  if (seen.has(name)) return;
  seen.add(name);
  const g = ctx.inventory.groups.get(name);
  if (!g) return;
  for (const h of g.hosts) yield h;
  for (const c of g.children) yield* collect(ctx, c, seen);
}
