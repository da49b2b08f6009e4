/**
 * pg_user: compare the wanted roles (pg_default_roles + pg_users) with pg_authid and plan only the
 * statements that change something, so a second run reports nothing to do.
 */
import type { PgUser, PgsqlParams, RoleMembership } from '../defaults.js';
import { ident, lit } from '../../../src/operations/sql-quote.js';
import { parseSetconfig, setValue, settingText, type Change } from './sql.js';
import { md5Verifier, passwordMatches, scramVerifier, isVerifier } from './scram.js';

export interface RoleState {
  name: string;
  superuser: boolean;
  inherit: boolean;
  createrole: boolean;
  createdb: boolean;
  login: boolean;
  replication: boolean;
  bypassrls: boolean;
  connlimit: number;
  /** 'infinity', 'YYYY-MM-DD' or null */
  validuntil: string | null;
  password: string | null;
  comment: string | null;
  memberof: string[];
  config: string[] | null;
}

/** Roles that are never dropped. */
export function systemRoles(p: Pick<PgsqlParams, 'pg_dbsu' | 'pg_replication_username' | 'pg_admin_username' | 'pg_monitor_username'>): string[] {
  return ['postgres', p.pg_dbsu, p.pg_replication_username, p.pg_admin_username, p.pg_monitor_username];
}

export const USER_NAME_RE = /^[a-z_][a-z0-9_@.-]{0,62}$/;

/** One query reading every role we manage (and its memberships, settings and verifier). */
export function readRolesSql(names: string[]): string {
  const arr = `ARRAY[${names.map(lit).join(',')}]::text[]`;
  return `SELECT coalesce(json_agg(json_build_object(
  'name', r.rolname, 'superuser', r.rolsuper, 'inherit', r.rolinherit, 'createrole', r.rolcreaterole,
  'createdb', r.rolcreatedb, 'login', r.rolcanlogin, 'replication', r.rolreplication, 'bypassrls', r.rolbypassrls,
  'connlimit', r.rolconnlimit,
  'validuntil', CASE WHEN r.rolvaliduntil IS NULL THEN NULL WHEN r.rolvaliduntil = 'infinity' THEN 'infinity' ELSE to_char(r.rolvaliduntil, 'YYYY-MM-DD') END,
  'password', r.rolpassword, 'comment', shobj_description(r.oid, 'pg_authid'),
  'memberof', ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1),
  'config', (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0)
) ORDER BY r.rolname), '[]') FROM pg_authid r WHERE r.rolname = ANY(${arr})`;
}

/** The wanted roles in application order, with the system users' passwords filled in. */
export function wantedRoles(p: Pick<PgsqlParams, 'pg_default_roles' | 'pg_users' | 'pg_replication_username' | 'pg_replication_password' | 'pg_admin_username' | 'pg_admin_password' | 'pg_monitor_username' | 'pg_monitor_password' | 'pg_dbsu' | 'pg_dbsu_password'>): PgUser[] {
  const passwords: Record<string, string> = {
    [p.pg_replication_username]: p.pg_replication_password,
    [p.pg_admin_username]: p.pg_admin_password,
    [p.pg_monitor_username]: p.pg_monitor_password,
  };
  if (p.pg_dbsu_password) passwords[p.pg_dbsu] = p.pg_dbsu_password;
  const byName = new Map<string, PgUser>();
  for (const u of [...(p.pg_default_roles ?? []), ...(p.pg_users ?? [])]) {
    const prev = byName.get(u.name);
    byName.set(u.name, prev ? { ...prev, ...u } : { ...u });
  }
  return [...byName.values()].map((u) => (u.password === undefined && passwords[u.name] ? { ...u, password: passwords[u.name] } : u));
}

const ATTRS: Array<[keyof PgUser & keyof RoleState, string, string]> = [
  ['superuser', 'SUPERUSER', 'NOSUPERUSER'],
  ['createdb', 'CREATEDB', 'NOCREATEDB'],
  ['createrole', 'CREATEROLE', 'NOCREATEROLE'],
  ['inherit', 'INHERIT', 'NOINHERIT'],
  ['replication', 'REPLICATION', 'NOREPLICATION'],
  ['bypassrls', 'BYPASSRLS', 'NOBYPASSRLS'],
  ['login', 'LOGIN', 'NOLOGIN'],
];

export interface UserPlanOptions {
  pwdEnc: 'scram-sha-256' | 'md5';
  system: string[];
  /** Today (UTC) as YYYY-MM-DD, for expire_in. */
  today?: string;
}

function membership(r: string | RoleMembership): RoleMembership {
  return typeof r === 'string' ? { name: r } : r;
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Statements that bring the roles to what is wanted. Secrets are marked; descriptions never hold them. */
export function planUsers(wanted: PgUser[], current: RoleState[], o: UserPlanOptions): Change[] {
  const have = new Map(current.map((r) => [r.name, r]));
  const creates: Change[] = [];
  const alters: Change[] = [];
  const grants: Change[] = [];
  const today = o.today ?? new Date().toISOString().slice(0, 10);

  for (const u of wanted) {
    const name = ident(u.name);
    const cur = have.get(u.name);
    if (u.state === 'absent') {
      if (cur && !o.system.includes(u.name)) alters.push({ desc: `drop role ${u.name}`, sql: `DROP ROLE ${name}` });
      continue;
    }
    if (!cur) {
      const attrs = ATTRS.filter(([k]) => k !== 'login' && u[k] !== undefined).map(([k, on, off]) => (u[k] ? on : off));
      attrs.unshift(u.login === false ? 'NOLOGIN' : 'LOGIN');
      creates.push({ desc: `create role ${u.name}`, sql: `CREATE ROLE ${name} ${attrs.join(' ')}` });
    } else {
      const diff = ATTRS.filter(([k]) => u[k] !== undefined && !!u[k] !== cur[k]).map(([k, on, off]) => (u[k] ? on : off));
      if (diff.length) alters.push({ desc: `alter role ${u.name} ${diff.join(' ')}`, sql: `ALTER ROLE ${name} ${diff.join(' ')}` });
    }

    if (u.password !== undefined && u.password !== null && u.password !== '' && !passwordMatches(cur?.password, u.password, u.name)) {
      const verifier = isVerifier(u.password) ? u.password : o.pwdEnc === 'md5' ? md5Verifier(u.password, u.name) : scramVerifier(u.password);
      alters.push({ desc: `set password of ${u.name}`, sql: `ALTER ROLE ${name} PASSWORD ${lit(verifier)}`, secret: true });
    }

    const until = u.expire_at !== undefined && u.expire_at !== null ? String(u.expire_at) : undefined;
    if (until !== undefined && cur?.validuntil !== until) {
      alters.push({ desc: `set ${u.name} valid until ${until}`, sql: `ALTER ROLE ${name} VALID UNTIL ${lit(until)}` });
    } else if (until === undefined && typeof u.expire_in === 'number' && !cur?.validuntil) {
      const day = addDays(today, u.expire_in);
      alters.push({ desc: `set ${u.name} valid until ${day} (expire_in ${u.expire_in} days)`, sql: `ALTER ROLE ${name} VALID UNTIL ${lit(day)}` });
    }

    if (typeof u.connlimit === 'number' && (cur?.connlimit ?? -1) !== u.connlimit) {
      alters.push({ desc: `set ${u.name} connection limit ${u.connlimit}`, sql: `ALTER ROLE ${name} CONNECTION LIMIT ${Math.trunc(u.connlimit)}` });
    }

    const conf = parseSetconfig(cur?.config);
    for (const [k, v] of Object.entries(u.parameters ?? {})) {
      if (v === null || v === undefined) continue;
      if (String(v).toUpperCase() === 'DEFAULT') {
        if (k in conf) alters.push({ desc: `reset ${k} for ${u.name}`, sql: `ALTER ROLE ${name} RESET ${ident(k)}` });
      } else if (conf[k] !== settingText(v)) {
        alters.push({ desc: `set ${k}=${settingText(v)} for ${u.name}`, sql: `ALTER ROLE ${name} SET ${ident(k)} = ${setValue(k, v)}` });
      }
    }

    const comment = u.comment ?? `business user ${u.name}`;
    if ((cur?.comment ?? null) !== comment) alters.push({ desc: `comment on role ${u.name}`, sql: `COMMENT ON ROLE ${name} IS ${lit(comment)}` });

    const memberOf = new Set(cur?.memberof ?? []);
    for (const m of (u.roles ?? []).map(membership)) {
      const revoke = m.state === 'revoke' || m.state === 'absent';
      if (revoke && memberOf.has(m.name)) grants.push({ desc: `revoke ${m.name} from ${u.name}`, sql: `REVOKE ${ident(m.name)} FROM ${name}` });
      else if (!revoke && !memberOf.has(m.name)) {
        grants.push({ desc: `grant ${m.name} to ${u.name}`, sql: `GRANT ${ident(m.name)} TO ${name}${m.admin ? ' WITH ADMIN OPTION' : ''}` });
      }
    }
  }
  return [...creates, ...alters, ...grants];
}
