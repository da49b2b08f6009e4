/** Pure builders for pgpool's files: backends, pool_passwd, pool_hba.conf and pcp.conf. */
import { createHash } from 'node:crypto';
import { isVerifier } from '../../pgsql/lib/scram.js';
import { wantedRoles } from '../../pgsql/lib/users.js';
import type { PgpoolVars } from '../defaults.js';

export interface Backend {
  id: number;
  host: string;
  port: number;
  weight: number;
  data: string;
  app: string;
}

/** One backend per member, in pg_seq order; application_name = Patroni member name (for auto failback). */
export function backends(members: Array<Record<string, unknown> & { inventory_hostname: string }>): Backend[] {
  return [...members]
    .sort((a, b) => Number(a.pg_seq) - Number(b.pg_seq))
    .map((m, id) => ({
      id,
      host: m.inventory_hostname,
      port: Number(m.pg_port ?? 5432),
      weight: Number(m.pg_weight ?? 100),
      data: String(m.pg_data ?? '/pg/data'),
      app: String(m.pg_instance ?? `${m.pg_cluster}-${m.pg_seq}`),
    }));
}

/** The check user and its password (the replication user unless pgpool_check_user names another one). */
export function checkUser(v: PgpoolVars): { user: string; password: string } {
  const user = v.pgpool_check_user || v.pg_replication_username;
  const u = wantedRoles(v).find((r) => r.name === user);
  return { user, password: u?.password ?? '' };
}

/**
 * pool_passwd: `user:TEXT<password>` for every login user with a plain-text password (SCRAM to the
 * backends needs it); the dbsu, the replication user and users given as verifiers are left out.
 */
export function poolPasswd(v: PgpoolVars): { text: string; users: string[]; skipped: string[] } {
  const users: string[] = [];
  const skipped: string[] = [];
  const lines: string[] = [];
  for (const u of wantedRoles(v)) {
    if (u.state === 'absent' || u.login === false || u.name === v.pg_dbsu || u.name === v.pg_replication_username) continue;
    if (!u.password) continue;
    if (isVerifier(u.password)) {
      skipped.push(u.name);
      continue;
    }
    users.push(u.name);
    lines.push(`${u.name}:TEXT${u.password}`);
  }
  return { text: lines.join('\n') + (lines.length ? '\n' : ''), users, skipped };
}

/** pool_hba.conf: SCRAM from localhost and the intranet; the replication user is refused. */
export function poolHba(v: Pick<PgpoolVars, 'pg_replication_username' | 'node_firewall_intranet'>): string {
  const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
  const line = (type: string, user: string, addr: string, method: string) => `${pad(type, 8)}${pad('all', 10)}${pad(user, 20)}${pad(addr, 20)}${method}`;
  const out = [
    '# pool_hba.conf (managed by pgplay, tag pgpool_config): who may connect to pgpool',
    line('local', v.pg_replication_username, '', 'reject'),
    line('host', v.pg_replication_username, '0.0.0.0/0', 'reject'),
    line('local', 'all', '', 'scram-sha-256'),
    line('host', 'all', '127.0.0.1/32', 'scram-sha-256'),
    ...(v.node_firewall_intranet ?? []).map((c) => line('host', 'all', c, 'scram-sha-256')),
  ];
  return out.join('\n') + '\n';
}

/** pcp.conf: `user:md5(password)`. */
export function pcpConf(user: string, password: string): string {
  return `# pcp.conf (managed by pgplay, tag pgpool_config)\n${user}:${createHash('md5').update(password).digest('hex')}\n`;
}
