/**
 * pg_id's prepare hook: validates every pgsql cluster touched by the play, across the whole
 * inventory (not only the --limit'ed hosts: a replica needs to know its primary), and derives the
 * instance identity. Pure and controller-side: errors name the file and path of the bad value.
 */
import type { PrepareContext, PrepareResult, UserErrorDetail, Vars } from '../../src/api/types.js';
import { PG_ROLES, type PgIdDerived, type PgIdVars, type PgRole } from './defaults.js';

const CLUSTER_RE = /^[A-Za-z0-9-]+$/;

interface Member {
  host: string;
  seq?: number;
  role?: PgRole;
}

/** pg_seq as an integer, or undefined when it is not one (a digit string counts). */
export function parseSeq(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v);
  return undefined;
}

function hasCluster(v: Vars): boolean {
  return v.pg_cluster !== undefined && v.pg_cluster !== null && v.pg_cluster !== '';
}

/** Derives identity for the targets; validates each cluster a target belongs to. */
export function prepareIdentity(ctx: PrepareContext): PrepareResult {
  const errors: UserErrorDetail[] = [];
  const err = (host: string, key: string, message: string) => {
    const src = ctx.source(host, key);
    errors.push({ file: src?.file ?? ctx.inventory.file, path: src?.path ?? `${host}.${key}`, line: src?.line, message: `${host}: ${message}` });
  };

  const targets = ctx.targets.filter((h) => hasCluster(ctx.vars(h)));
  // every member of every cluster that has a target, across the whole inventory
  const clusters = new Map<string, Member[]>();
  for (const h of targets) clusters.set(String(ctx.vars(h).pg_cluster), []);
  for (const host of ctx.inventory.hosts.keys()) {
    const v = ctx.vars(host);
    if (!hasCluster(v) || !clusters.has(String(v.pg_cluster))) continue;
    clusters.get(String(v.pg_cluster))!.push({ host, seq: parseSeq(v.pg_seq), role: v.pg_role as PgRole | undefined });
  }

  const byCluster = new Map<string, Omit<PgIdDerived, 'pg_instance' | 'pg_service' | 'pg_is_primary'>>();
  for (const [cls, members] of clusters) {
    const first = members[0]?.host ?? targets[0];
    if (typeof cls !== 'string' || !CLUSTER_RE.test(cls)) {
      err(first, 'pg_cluster', `pg_cluster '${cls}' is invalid: use letters, digits and dashes only (^[A-Za-z0-9-]+$)`);
      continue;
    }
    if (cls === 'root') {
      err(first, 'pg_cluster', `pg_cluster must not be 'root' (it names the etcd root user)`);
      continue;
    }
    let ok = true;
    const seqs = new Map<number, string>();
    for (const m of members) {
      const v = ctx.vars(m.host);
      if (v.pg_seq === undefined || v.pg_seq === null || v.pg_seq === '') {
        err(m.host, 'pg_seq', `pg_seq is required for every member of ${cls} (an integer unique in the cluster)`);
        ok = false;
      } else if (m.seq === undefined) {
        err(m.host, 'pg_seq', `pg_seq must be a non-negative integer, got ${JSON.stringify(v.pg_seq)}`);
        ok = false;
      } else if (seqs.has(m.seq)) {
        err(m.host, 'pg_seq', `pg_seq ${m.seq} is already used by ${seqs.get(m.seq)} in ${cls}; pg_seq must be unique in a cluster`);
        ok = false;
      } else seqs.set(m.seq, m.host);
      if (v.pg_role === undefined || v.pg_role === null || v.pg_role === '') {
        err(m.host, 'pg_role', `pg_role is required: one of ${PG_ROLES.join(', ')}`);
        ok = false;
      } else if (!PG_ROLES.includes(v.pg_role as PgRole)) {
        err(m.host, 'pg_role', `pg_role '${String(v.pg_role)}' is invalid: allowed values are ${PG_ROLES.join(', ')}`);
        ok = false;
      }
    }
    const primaries = members.filter((m) => m.role === 'primary');
    if (ok && primaries.length !== 1) {
      const where = primaries.length ? primaries[1].host : first;
      err(
        where,
        'pg_role',
        primaries.length === 0
          ? `cluster ${cls} has no primary: exactly one member needs pg_role: primary (a standby cluster's leader is a primary with pg_upstream set)`
          : `cluster ${cls} has ${primaries.length} primaries (${primaries.map((p) => p.host).join(', ')}): exactly one member may have pg_role: primary`,
      );
      ok = false;
    }
    if (!ok) continue;

    const primary = primaries[0];
    const sortedHosts = (ms: Member[]) => [...new Set(ms.map((m) => m.host))].sort(compareHosts);
    const v0 = ctx.vars(primary.host);
    byCluster.set(cls, {
      pg_shard: typeof v0.pg_shard === 'string' && v0.pg_shard ? v0.pg_shard : cls,
      pg_group: parseSeq(v0.pg_group) ?? 0,
      pg_cluster_size: members.length,
      pg_cluster_members: sortedHosts(members),
      pg_cluster_replicas: sortedHosts(members.filter((m) => m.role !== 'primary')),
      pg_seq_next: Math.max(0, ...members.map((m) => m.seq ?? 0)) + 1,
      pg_primary_list: [primary.host],
      pg_primary_ip: primary.host,
      pg_primary_seq: primary.seq!,
      pg_primary_ins: `${cls}-${primary.seq}`,
    });
  }

  const derived: Record<string, Vars> = {};
  for (const h of targets) {
    const v = ctx.vars(h);
    const c = byCluster.get(String(v.pg_cluster));
    if (!c) continue;
    const seq = parseSeq(v.pg_seq)!;
    const d: PgIdDerived = {
      ...c,
      pg_instance: `${v.pg_cluster}-${seq}`,
      pg_service: `${v.pg_cluster}-${v.pg_role}`,
      pg_is_primary: v.pg_role === 'primary',
    };
    derived[h] = { ...d, pg_seq: seq };
  }
  return { derived, errors };
}

/** Orders IPv4 addresses numerically, anything else lexically after them. */
export function compareHosts(a: string, b: string): number {
  const ip = (s: string) => (/^\d+(\.\d+){3}$/.test(s) ? s.split('.').map(Number) : undefined);
  const x = ip(a);
  const y = ip(b);
  if (x && y) {
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  }
  if (x) return -1;
  if (y) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One line describing an instance, like Pigsty's "print pgsql identity". */
export function identityLine(v: Partial<PgIdVars>, host: string): string {
  const parts = [`[${String(v.pg_role)}] ${v.pg_instance} @ ${host}`];
  if (v.pg_role === 'primary') parts.push(v.pg_upstream ? `STANDBY LEADER <- ${String(v.pg_upstream)}` : 'CLUSTER LEADER');
  else parts.push(v.pg_upstream ? `REPLICATE UPSTREAM ${String(v.pg_upstream)} -> ${v.pg_instance}` : `REPLICATE PRIMARY ${v.pg_primary_ins} @ ${v.pg_primary_ip} -> ${v.pg_instance}`);
  if (v.pg_offline_query) parts.push('[OFFLINE]');
  if (v.pg_weight !== undefined && v.pg_weight !== 100) parts.push(`[W:${String(v.pg_weight)}]`);
  parts.push(`postgres://${host}:${String(v.pg_port ?? 5432)}/postgres`);
  return parts.join(' , ');
}
