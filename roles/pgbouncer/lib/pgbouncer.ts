/**
 * Pure builders for pgbouncer's files: the [databases] list, per-user options, HBA rules and the
 * userlist. Tasks render them; unit tests check them without a host.
 */
import type { HbaRule, PgDatabase, PgUser } from '../../pgsql/defaults.js';
import { renderHba, validateHbaRule, type HbaContext } from '../../pgsql/lib/hba.js';
import type { PgbouncerVars } from '../defaults.js';

/** Pigsty's optional per-database pool settings (pg_databases[].pool_*) and the pgbouncer keys they set. */
const DB_POOL_KEYS: Array<[string, string]> = [
  ['pool_auth_user', 'auth_user'],
  ['pool_mode', 'pool_mode'],
  ['pool_size', 'pool_size'],
  ['pool_size_min', 'min_pool_size'],
  ['pool_reserve', 'reserve_pool'],
  ['pool_connlimit', 'max_db_connections'],
];

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** Databases served by pgbouncer: every pg_databases entry unless `pgbouncer: false` or `state: absent`. */
export function pooledDatabases(v: Pick<PgbouncerVars, 'pg_databases'>): PgDatabase[] {
  return (v.pg_databases ?? []).filter((d) => d.pgbouncer !== false && d.state !== 'absent');
}

/** `/etc/pgbouncer/database.txt`: one line per pooled database, to the local socket. */
export function databaseFile(v: Pick<PgbouncerVars, 'pg_databases' | 'pg_localhost' | 'pg_port'>): string {
  const lines = ['# pgbouncer databases (managed by pgplay, tag pgbouncer_config): pg_databases unless pgbouncer: false'];
  for (const d of pooledDatabases(v)) {
    const parts = [`host=${v.pg_localhost}`, `port=${v.pg_port}`];
    for (const [key, opt] of DB_POOL_KEYS) {
      const val = (d as unknown as Record<string, unknown>)[key];
      if (val !== undefined && val !== null && val !== '') parts.push(`${opt}=${val}`);
    }
    lines.push(`${pad(d.name, 27)} = ${parts.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

/** Users of pg_default_roles + pg_users (later entries win), absent ones dropped. */
export function allUsers(v: Pick<PgbouncerVars, 'pg_default_roles' | 'pg_users'>): PgUser[] {
  const byName = new Map<string, PgUser>();
  for (const u of [...(v.pg_default_roles ?? []), ...(v.pg_users ?? [])]) byName.set(u.name, { ...(byName.get(u.name) ?? {}), ...u });
  return [...byName.values()].filter((u) => u.state !== 'absent');
}

/** `/etc/pgbouncer/useropts.txt`: pool_mode / max_user_connections of users that set them. */
export function userOptsFile(v: Pick<PgbouncerVars, 'pg_default_roles' | 'pg_users'>): string {
  const lines = ['# pgbouncer user options (managed by pgplay, tag pgbouncer_config): pool_mode and pool_connlimit of pg_users'];
  for (const u of allUsers(v)) {
    const opts: string[] = [];
    if (u.pool_mode) opts.push(`pool_mode=${u.pool_mode}`);
    if (u.pool_connlimit !== undefined && u.pool_connlimit !== null) opts.push(`max_user_connections=${u.pool_connlimit}`);
    if (opts.length) lines.push(`${pad(u.name, 27)} = ${opts.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Users in pgbouncer's userlist (Pigsty's pgb-user calls): the dbsu with an empty password (it
 * logs in to the admin console by peer), the monitor and admin users, and every user with
 * `pgbouncer: true` (unless auth_query looks users up instead).
 */
export function userlistNames(v: Pick<PgbouncerVars, 'pg_default_roles' | 'pg_users' | 'pg_dbsu' | 'pg_monitor_username' | 'pg_admin_username' | 'pgbouncer_auth_query'>): string[] {
  const names = [v.pg_monitor_username, v.pg_admin_username];
  if (!v.pgbouncer_auth_query) for (const u of allUsers(v)) if (u.pgbouncer === true) names.push(u.name);
  return [...new Set(names.filter((n) => n && n !== v.pg_dbsu))].sort();
}

/** `"name" "verifier"` lines; `verifiers` maps user names to pg_authid.rolpassword. */
export function userlistFile(dbsu: string, names: string[], verifiers: Record<string, string | null>): { text: string; missing: string[] } {
  // pgbouncer's auth_file format: each field double-quoted, a " inside doubled (an empty field is "")
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = [`${q(dbsu)} ""`];
  const missing: string[] = [];
  for (const n of names) {
    if (!(n in verifiers)) {
      missing.push(n);
      continue;
    }
    lines.push(`${q(n)} ${q(verifiers[n] ?? '')}`);
  }
  return { text: lines.join('\n') + '\n', missing };
}

/** pgbouncer knows peer (not ident) on the local socket and no replication pseudo-database. */
export function pgbHbaProblems(r: HbaRule): string[] {
  const out = validateHbaRule(r);
  if (r && r.db === 'replication') out.push('db: replication is not allowed in pgbouncer hba rules');
  return out;
}

/** pgb_hba.conf lines: the same rule format as pg_hba_rules; ident/os become peer. */
export function renderPgbHba(rules: HbaRule[], c: HbaContext): string[] {
  for (const r of rules) {
    const p = pgbHbaProblems(r);
    if (p.length) throw new Error(`invalid pgbouncer hba rule ${JSON.stringify(r)}: ${p.join('; ')}`);
  }
  const mapped = rules.map((r) => (r.auth === 'ident' || r.auth === 'os' ? { ...r, auth: 'peer' as const } : r));
  return renderHba(mapped, c);
}
