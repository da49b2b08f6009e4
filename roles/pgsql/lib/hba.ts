/**
 * Renders Pigsty-style HBA rules ({user, db, addr, auth, title, order, role} or raw `rules`) into
 * pg_hba.conf lines. The lines go into Patroni's `postgresql.pg_hba`, so Patroni owns pg_hba.conf:
 * it rewrites the file and reloads PostgreSQL when the list changes (never a restart).
 */
import { IPV4_OPT_CIDR } from '../../../src/api/params.js';
import type { HostCtx } from '../../../src/api/types.js';
import type { HbaAuth, HbaRule, PgsqlVars } from '../defaults.js';

export const ADDR_ALIASES = ['local', 'localhost', 'admin', 'infra', 'cluster', 'intra', 'intranet', 'world', 'all'] as const;
export const HBA_AUTHS: HbaAuth[] = ['deny', 'pwd', 'ssl', 'sha', 'cert', 'ssl-md5', 'ssl-sha', 'md5', 'os', 'ident', 'peer', 'trust', 'reject', 'scram-sha-256'];
export const HBA_ROLES = ['default', 'common', 'primary', 'replica', 'offline', 'standby', 'delayed'] as const;
const CIDR = new RegExp(IPV4_OPT_CIDR);

export interface HbaContext {
  pg_role: string;
  pg_offline_query: boolean;
  pg_pwd_enc: 'scram-sha-256' | 'md5';
  pg_dbsu: string;
  pg_replication_username: string;
  pg_monitor_username: string;
  pg_admin_username: string;
  admin_ip: string;
  /** Hosts of the `infra` group. */
  infra: string[];
  /** Members of this pgsql cluster. */
  cluster: string[];
  /** CIDRs considered intranet (node_firewall_intranet). */
  intranet: string[];
}

/** Problems with one rule, for the prepare hook (empty when valid). */
export function validateHbaRule(r: HbaRule): string[] {
  const out: string[] = [];
  if (r === null || typeof r !== 'object') return ['an hba rule must be a mapping like {user, db, addr, auth, title}'];
  const role = r.role ?? 'default';
  if (!(HBA_ROLES as readonly string[]).includes(role)) out.push(`invalid role '${role}': allowed ${HBA_ROLES.join(', ')}`);
  if (r.rules && r.rules.length) return out;
  if (!r.addr) return [...out, 'needs addr (or raw rules)'];
  if (!(ADDR_ALIASES as readonly string[]).includes(r.addr) && !CIDR.test(r.addr)) {
    out.push(`invalid addr '${r.addr}': use an alias (${ADDR_ALIASES.join(', ')}) or an IPv4 address/CIDR`);
  }
  if (r.auth && !HBA_AUTHS.includes(r.auth)) out.push(`unsupported auth '${r.auth}': use ${HBA_AUTHS.join(', ')}, or raw rules`);
  return out;
}

/** Rules with an order first (sorted, stable), then rules without one, as Pigsty does. */
export function sortRules(rules: HbaRule[]): HbaRule[] {
  const withOrder = rules.map((r, i) => ({ r, i })).filter((x) => typeof x.r.order === 'number');
  withOrder.sort((a, b) => a.r.order! - b.r.order! || a.i - b.i);
  return [...withOrder.map((x) => x.r), ...rules.filter((r) => typeof r.order !== 'number')];
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** pg_hba.conf lines (comments included) for the given rules on this instance. */
export function renderHba(rules: HbaRule[], c: HbaContext): string[] {
  const pwdenc = c.pg_pwd_enc === 'md5' ? 'md5' : 'scram-sha-256';
  const users: Record<string, string> = { '${dbsu}': c.pg_dbsu, '${repl}': c.pg_replication_username, '${monitor}': c.pg_monitor_username, '${admin}': c.pg_admin_username };
  const auths: Record<string, string> = {
    deny: 'reject', pwd: pwdenc, ssl: pwdenc, sha: 'scram-sha-256', cert: 'cert', 'ssl-md5': 'md5', 'ssl-sha': 'scram-sha-256',
    md5: 'md5', os: 'ident', ident: 'ident', peer: 'peer', trust: 'trust', reject: 'reject', 'scram-sha-256': 'scram-sha-256',
  };
  const out: string[] = [];
  for (const r of sortRules(rules)) {
    const problems = validateHbaRule(r);
    if (problems.length) throw new Error(`invalid hba rule ${JSON.stringify(r)}: ${problems.join('; ')}`);
    const role = r.role ?? 'default';
    const enabled = role === 'default' || role === 'common' || role === c.pg_role || (role === 'offline' && c.pg_offline_query);
    const hash = enabled ? '' : '#';
    const header = `# ${r.title ?? ''} [${role}]${enabled ? '' : ' [DISABLED]'}`.replace(/^# +\[/, '# [');
    out.push(header);
    if (r.rules && r.rules.length) {
      for (const line of r.rules) out.push(hash + line);
      continue;
    }
    const addr = r.addr!;
    const user = users[r.user ?? ''] ?? (r.user || 'all');
    const db = r.db || 'all';
    const auth = auths[r.auth ?? 'pwd'];
    const conn = r.auth && ['ssl', 'ssl-md5', 'ssl-sha', 'cert'].includes(r.auth) ? 'hostssl' : 'host';
    const line = (type: string, address: string) => `${hash}${pad(type, 8)} ${pad(db, 18)} ${pad(user, 18)} ${address ? pad(address, 18) + ' ' : ''}${auth}`;
    const local = (db2: string) => `${hash}${pad('local', 8)} ${pad(db2, 18)} ${pad(user, 18)} ${auth}`;
    switch (addr) {
      case 'local':
        out.push(local(db));
        break;
      case 'localhost':
        out.push(local(db), line('host', '127.0.0.1/32'), line('host', '::1/128'));
        break;
      case 'admin':
        out.push(line(conn, `${c.admin_ip}/32`));
        break;
      case 'infra':
        for (const ip of c.infra) out.push(line(conn, `${ip}/32`));
        break;
      case 'cluster':
        for (const ip of c.cluster) out.push(line(conn, `${ip}/32`));
        break;
      case 'intra':
      case 'intranet':
        for (const cidr of c.intranet) out.push(line(conn, cidr));
        break;
      case 'world':
      case 'all':
        out.push(line(conn, '0.0.0.0/0'), line(conn, '::/0'));
        break;
      default:
        out.push(line(conn, addr.includes('/') ? addr : `${addr}/32`));
    }
  }
  return out;
}

/** The context a host's rules are rendered in (pg_hba.conf and pgbouncer's pgb_hba.conf alike). */
export function hbaContext(h: HostCtx<PgsqlVars>): HbaContext {
  const v = h.vars;
  let infra: string[] = [];
  try {
    infra = h.inventory.hosts('infra');
  } catch {
    infra = [];
  }
  return {
    pg_role: v.pg_role,
    pg_offline_query: !!v.pg_offline_query,
    pg_pwd_enc: v.pg_pwd_enc,
    pg_dbsu: v.pg_dbsu,
    pg_replication_username: v.pg_replication_username,
    pg_monitor_username: v.pg_monitor_username,
    pg_admin_username: v.pg_admin_username,
    admin_ip: v.admin_ip,
    infra: [...infra].sort(),
    cluster: v.pg_cluster_members ?? [],
    intranet: v.node_firewall_intranet ?? [],
  };
}
