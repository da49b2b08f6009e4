/**
 * pg_db: compare the wanted databases (pg_databases) with the catalog and plan only the statements
 * that change something: create missing databases, align owner/limits/comment/settings, schemas,
 * extensions, the CONNECT/CREATE privileges of PUBLIC and the owner's default privileges.
 */
import type { DbExtension, DbSchema, PgDatabase } from '../defaults.js';
import { ident, lit } from '../../../src/operations/sql-quote.js';
import { parseSetconfig, setValue, settingText, type Change } from './sql.js';

export interface DbState {
  name: string;
  owner: string;
  encoding: string;
  collate: string;
  ctype: string;
  is_template: boolean;
  allowconn: boolean;
  connlimit: number;
  comment: string | null;
  public_connect: boolean;
  public_create: boolean;
  admin_create: boolean;
  /** roles that hold CONNECT explicitly (aclexplode of datacl) */
  connect_grantees: string[];
  config: string[] | null;
}

export interface DbInnerState {
  db: string;
  schemas: Array<{ name: string; owner: string }>;
  extensions: Array<{ name: string; schema: string; version: string }>;
  /** PUBLIC may create in schema public */
  public_schema_create: boolean | null;
  admin_schema_create: boolean | null;
  /** `${owner}|${objtype}|${privilege}|${grantee}` entries of pg_default_acl (database-wide) */
  default_acl: string[];
}

export const DB_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;
const SYSTEM_DBS = ['postgres', 'template0', 'template1'];

export function readDatabasesSql(names: string[]): string {
  const arr = `ARRAY[${names.map(lit).join(',')}]::text[]`;
  return `SELECT coalesce(json_agg(json_build_object(
  'name', d.datname, 'owner', pg_get_userbyid(d.datdba), 'encoding', pg_encoding_to_char(d.encoding),
  'collate', d.datcollate, 'ctype', d.datctype, 'is_template', d.datistemplate, 'allowconn', d.datallowconn,
  'connlimit', d.datconnlimit, 'comment', shobj_description(d.oid, 'pg_database'),
  'public_connect', has_database_privilege('public', d.oid, 'CONNECT'),
  'public_create', has_database_privilege('public', d.oid, 'CREATE'),
  'admin_create', CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dbrole_admin') THEN has_database_privilege('dbrole_admin', d.oid, 'CREATE') ELSE false END,
  'connect_grantees', ARRAY(SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee) END FROM aclexplode(d.datacl) a WHERE a.privilege_type = 'CONNECT'),
  'config', (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole = 0)
) ORDER BY d.datname), '[]') FROM pg_database d WHERE d.datname = ANY(${arr})`;
}

/** Run inside each existing database. */
export const READ_DB_INNER_SQL = `SELECT json_build_object(
  'db', current_database(),
  'schemas', coalesce((SELECT json_agg(json_build_object('name', n.nspname, 'owner', pg_get_userbyid(n.nspowner))) FROM pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'), '[]'),
  'extensions', coalesce((SELECT json_agg(json_build_object('name', e.extname, 'schema', n.nspname, 'version', e.extversion)) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace), '[]'),
  'public_schema_create', CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN has_schema_privilege('public', 'public', 'CREATE') END,
  'admin_schema_create', CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dbrole_admin') THEN has_schema_privilege('dbrole_admin', 'public', 'CREATE') END,
  'default_acl', coalesce((SELECT json_agg(pg_get_userbyid(d.defaclrole) || '|' || d.defaclobjtype::text || '|' || a.privilege_type || '|' || CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee) END)
      FROM pg_default_acl d, aclexplode(d.defaclacl) a WHERE d.defaclnamespace = 0), '[]')
)`;

const schemaOf = (s: string | DbSchema): DbSchema => (typeof s === 'string' ? { name: s } : s);
const extOf = (e: string | DbExtension): DbExtension => (typeof e === 'string' ? { name: e } : e);

const OBJTYPE: Record<string, string> = { TABLES: 'r', SEQUENCES: 'S', FUNCTIONS: 'f', ROUTINES: 'f', TYPES: 'T', SCHEMAS: 'n' };

/** Parses `GRANT <priv> ON <TABLES|...> TO <role>` (pg_default_privileges entries). */
export function parseDefaultPrivilege(s: string): { priv: string; objects: string; objtype: string; grantee: string } | undefined {
  const m = /^\s*GRANT\s+([A-Z]+)\s+ON\s+(TABLES|SEQUENCES|FUNCTIONS|ROUTINES|TYPES|SCHEMAS)\s+TO\s+("?[^"\s]+"?)\s*$/i.exec(s);
  if (!m) return undefined;
  const objects = m[2].toUpperCase();
  return { priv: m[1].toUpperCase(), objects, objtype: OBJTYPE[objects], grantee: m[3].replace(/"/g, '') };
}

export interface DbPlanOptions {
  pgVersion: number;
  replicationUser: string;
  monitorUser: string;
  adminUser: string;
  defaultPrivileges: string[];
}

/** Cluster-level changes (create/drop/alter database), run from the maintenance database. */
export function planDatabases(wanted: PgDatabase[], current: DbState[], o: DbPlanOptions): { changes: Change[]; warnings: string[] } {
  const have = new Map(current.map((d) => [d.name, d]));
  const changes: Change[] = [];
  const warnings: string[] = [];
  for (const d of wanted) {
    const name = ident(d.name);
    let cur = have.get(d.name);
    const state = d.state ?? 'create';
    if ((state === 'absent' || state === 'recreate') && cur && !SYSTEM_DBS.includes(d.name)) {
      if (cur.is_template) changes.push({ desc: `unmark template ${d.name}`, sql: `ALTER DATABASE ${name} IS_TEMPLATE false` });
      changes.push({ desc: `drop database ${d.name}`, sql: `DROP DATABASE ${name} WITH (FORCE)`, noTx: true });
      cur = undefined;
    }
    if (state === 'absent') continue;
    if (!cur) {
      let sql = `CREATE DATABASE ${name}`;
      if (d.owner) sql += ` OWNER ${ident(d.owner)}`;
      if (d.template) sql += ` TEMPLATE ${ident(d.template)}`;
      if (d.encoding) sql += ` ENCODING ${lit(d.encoding)}`;
      if (d.locale) sql += ` LOCALE ${lit(d.locale)}`;
      if (d.lc_collate) sql += ` LC_COLLATE ${lit(d.lc_collate)}`;
      if (d.lc_ctype) sql += ` LC_CTYPE ${lit(d.lc_ctype)}`;
      if (d.tablespace) sql += ` TABLESPACE ${ident(d.tablespace)}`;
      if (d.strategy && o.pgVersion >= 15) sql += ` STRATEGY ${d.strategy.toUpperCase() === 'FILE_COPY' ? 'FILE_COPY' : 'WAL_LOG'}`;
      const kill = d.template && !['template0', 'template1'].includes(d.template)
        ? [{ desc: `disconnect sessions of template ${d.template}`, sql: `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ${lit(d.template)} AND pid <> pg_backend_pid()` }]
        : [];
      changes.push(...kill, { desc: `create database ${d.name}`, sql, noTx: true });
      if (d.is_template) changes.push({ desc: `mark ${d.name} as template`, sql: `ALTER DATABASE ${name} IS_TEMPLATE true` });
      if (d.allowconn === false) changes.push({ desc: `disallow connections to ${d.name}`, sql: `ALTER DATABASE ${name} ALLOW_CONNECTIONS false` });
      if (typeof d.connlimit === 'number') changes.push({ desc: `set ${d.name} connection limit ${d.connlimit}`, sql: `ALTER DATABASE ${name} CONNECTION LIMIT ${Math.trunc(d.connlimit)}` });
    } else {
      if (d.owner && cur.owner !== d.owner) changes.push({ desc: `set owner of ${d.name} to ${d.owner}`, sql: `ALTER DATABASE ${name} OWNER TO ${ident(d.owner)}` });
      if (typeof d.is_template === 'boolean' && cur.is_template !== d.is_template) changes.push({ desc: `set ${d.name} is_template ${d.is_template}`, sql: `ALTER DATABASE ${name} IS_TEMPLATE ${d.is_template}` });
      if (typeof d.allowconn === 'boolean' && cur.allowconn !== d.allowconn) changes.push({ desc: `set ${d.name} allow_connections ${d.allowconn}`, sql: `ALTER DATABASE ${name} ALLOW_CONNECTIONS ${d.allowconn}` });
      if (typeof d.connlimit === 'number' && cur.connlimit !== d.connlimit) changes.push({ desc: `set ${d.name} connection limit ${d.connlimit}`, sql: `ALTER DATABASE ${name} CONNECTION LIMIT ${Math.trunc(d.connlimit)}` });
      if (d.encoding && cur.encoding.toUpperCase().replace('-', '') !== d.encoding.toUpperCase().replace('-', '')) warnings.push(`database ${d.name} has encoding ${cur.encoding}, not ${d.encoding}: encoding cannot be changed in place (use state: recreate)`);
      const loc = d.lc_collate ?? d.locale;
      if (loc && cur.collate !== loc) warnings.push(`database ${d.name} has collation ${cur.collate}, not ${loc}: it cannot be changed in place (use state: recreate)`);
    }
    const conf = parseSetconfig(cur?.config);
    for (const [k, v] of Object.entries(d.parameters ?? {})) {
      if (v === null || v === undefined) continue;
      if (String(v).toUpperCase() === 'DEFAULT') {
        if (k in conf) changes.push({ desc: `reset ${k} on ${d.name}`, sql: `ALTER DATABASE ${name} RESET ${ident(k)}` });
      } else if (conf[k] !== settingText(v)) changes.push({ desc: `set ${k}=${settingText(v)} on ${d.name}`, sql: `ALTER DATABASE ${name} SET ${ident(k)} = ${setValue(k, v)}` });
    }
    const comment = d.comment ?? `business database ${d.name}`;
    if ((cur?.comment ?? null) !== comment) changes.push({ desc: `comment on database ${d.name}`, sql: `COMMENT ON DATABASE ${name} IS ${lit(comment)}` });

    // CONNECT: revokeconn true -> only owner/replicator/monitor/admin; false -> PUBLIC again
    const publicConnect = cur ? cur.public_connect : true;
    if (d.revokeconn === true) {
      if (publicConnect) changes.push({ desc: `revoke connect on ${d.name} from public`, sql: `REVOKE CONNECT ON DATABASE ${name} FROM PUBLIC` });
      const grantees = new Set(cur?.connect_grantees ?? []);
      for (const r of [o.replicationUser, o.monitorUser, o.adminUser, d.owner].filter((x): x is string => !!x)) {
        if (!grantees.has(r)) changes.push({ desc: `grant connect on ${d.name} to ${r}`, sql: `GRANT CONNECT ON DATABASE ${name} TO ${ident(r)}${r === o.adminUser || r === d.owner ? ' WITH GRANT OPTION' : ''}` });
      }
    } else if (d.revokeconn === false && !publicConnect) {
      changes.push({ desc: `grant connect on ${d.name} to public`, sql: `GRANT CONNECT ON DATABASE ${name} TO PUBLIC` });
    }
    // CREATE on the database: nobody but dbrole_admin
    if (!cur || cur.public_create) changes.push({ desc: `revoke create on ${d.name} from public`, sql: `REVOKE CREATE ON DATABASE ${name} FROM PUBLIC` });
    if (!cur || !cur.admin_create) changes.push({ desc: `grant create on ${d.name} to dbrole_admin`, sql: `GRANT CREATE ON DATABASE ${name} TO "dbrole_admin"` });
  }
  return { changes, warnings };
}

/** Changes inside one database (connect to it): schemas, extensions, public schema, default privileges. */
export function planDatabaseInner(d: PgDatabase, inner: DbInnerState | undefined, o: DbPlanOptions): Change[] {
  if ((d.state ?? 'create') === 'absent') return [];
  const fresh = !inner || d.state === 'recreate';
  const db = d.name;
  const out: Change[] = [];
  const schemas = new Map((fresh ? [] : inner!.schemas).map((s) => [s.name, s]));
  const exts = new Map((fresh ? [] : inner!.extensions).map((e) => [e.name, e]));

  if (fresh || inner!.public_schema_create !== false) out.push({ db, desc: `revoke create on schema public in ${db} from public`, sql: 'REVOKE CREATE ON SCHEMA public FROM PUBLIC' });
  if (fresh || inner!.admin_schema_create === false) out.push({ db, desc: `grant create on schema public in ${db} to dbrole_admin`, sql: 'GRANT CREATE ON SCHEMA public TO "dbrole_admin"' });

  if (d.owner) {
    const acl = new Set(fresh ? [] : inner!.default_acl);
    for (const p of o.defaultPrivileges) {
      const g = parseDefaultPrivilege(p);
      if (!g) continue;
      if (!acl.has(`${d.owner}|${g.objtype}|${g.priv}|${g.grantee}`)) {
        out.push({ db, desc: `default privilege for ${d.owner} in ${db}: ${g.priv} on ${g.objects.toLowerCase()} to ${g.grantee}`, sql: `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(d.owner)} GRANT ${g.priv} ON ${g.objects} TO ${ident(g.grantee)}` });
      }
    }
  }

  for (const s of (d.schemas ?? []).map(schemaOf)) {
    const cur = schemas.get(s.name);
    if (s.state === 'absent') {
      if (cur) out.push({ db, desc: `drop schema ${s.name} in ${db}`, sql: `DROP SCHEMA IF EXISTS ${ident(s.name)} CASCADE` });
    } else if (!cur) {
      out.push({ db, desc: `create schema ${s.name} in ${db}`, sql: `CREATE SCHEMA IF NOT EXISTS ${ident(s.name)}${s.owner ? ` AUTHORIZATION ${ident(s.owner)}` : ''}` });
    } else if (s.owner && cur.owner !== s.owner) {
      out.push({ db, desc: `set owner of schema ${s.name} in ${db} to ${s.owner}`, sql: `ALTER SCHEMA ${ident(s.name)} OWNER TO ${ident(s.owner)}` });
    }
  }
  for (const e of (d.extensions ?? []).map(extOf)) {
    const cur = exts.get(e.name);
    if (e.state === 'absent') {
      if (cur) out.push({ db, desc: `drop extension ${e.name} in ${db}`, sql: `DROP EXTENSION IF EXISTS ${ident(e.name)} CASCADE` });
    } else if (!cur) {
      out.push({ db, desc: `create extension ${e.name} in ${db}`, sql: `CREATE EXTENSION IF NOT EXISTS ${ident(e.name)}${e.schema ? ` WITH SCHEMA ${ident(e.schema)}` : ''}${e.version ? ` VERSION ${lit(e.version)}` : ''} CASCADE` });
    } else {
      if (e.schema && cur.schema !== e.schema) out.push({ db, desc: `move extension ${e.name} in ${db} to schema ${e.schema}`, sql: `ALTER EXTENSION ${ident(e.name)} SET SCHEMA ${ident(e.schema)}` });
      if (e.version && cur.version !== e.version) out.push({ db, desc: `update extension ${e.name} in ${db} to ${e.version}`, sql: `ALTER EXTENSION ${ident(e.name)} UPDATE TO ${lit(e.version)}` });
    }
  }
  return out;
}
