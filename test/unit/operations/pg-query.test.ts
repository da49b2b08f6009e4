import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pg_query } from '../../../src/operations/pg-query.js';
import { parsePsql, psqlInput } from '../../../src/facts/postgres.js';
import { apply, isRoot, makeCtx, tempDir } from './ctx.js';

describe('psql output and input', () => {
  it('parses result sets with NULLs, empty strings, line breaks and empty results', () => {
    const out = 'a\x1fb\x1e1\x1fx\x1e2\x1f\x1d\x1e3\x1f\x1e(3 rows)\nv\x1ea\nb\x1e(1 row)\nz\x1e(0 rows)\n';
    expect(parsePsql(out)).toEqual([
      { columns: ['a', 'b'], rows: [{ a: '1', b: 'x' }, { a: '2', b: null }, { a: '3', b: '' }] },
      { columns: ['v'], rows: [{ v: 'a\nb' }] },
      { columns: ['z'], rows: [] },
    ]);
    expect(parsePsql('')).toEqual([]);
  });

  it('sends variables as \\set lines on stdin, quoted for psql', () => {
    expect(psqlInput('select :\'v\';', { v: "it's \\ a\nb" })).toBe("\\set v 'it\\'s \\\\ a\\nb'\nselect :'v';\n");
    expect(psqlInput('select 1;', {}, 'pw')).toBe('pw\nselect 1;\n');
    expect(() => psqlInput('x', { 'bad name': 'v' })).toThrow(/invalid psql variable name/);
  });
});

const pgBin = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => fs.existsSync(`${d}/initdb`)) : undefined;
let hasPostgresUser = false;
try {
  execFileSync('id', ['postgres'], { stdio: 'ignore' });
  hasPostgresUser = true;
} catch {
  // no postgres account
}

describe.runIf(isRoot && pgBin && hasPostgresUser)('pg_query against a temporary PostgreSQL server', () => {
  const dir = tempDir();
  const data = path.join(dir, 'data');
  const port = 55000 + Math.floor(Math.random() * 1000);
  const as = (...args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe', cwd: '/' });
  const q = (sql: string, more: object = {}) => pg_query({ sql, host: dir, port, ...more });

  beforeAll(() => {
    fs.chmodSync(dir, 0o777);
    as(`${pgBin}/initdb`, '-D', data, '-A', 'trust', '--no-sync');
    as(`${pgBin}/pg_ctl`, '-D', data, '-w', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=''`, 'start');
  }, 60_000);
  afterAll(() => {
    as(`${pgBin}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop');
  });

  it('returns rows and columns as the postgres user in one round trip', async () => {
    const r = await apply(q('select current_user as who, null::text as n, 1 as one;'));
    expect(r).toMatchObject({ status: 'ok', trips: 1, data: { columns: ['who', 'n', 'one'], rows: [{ who: 'postgres', n: null, one: '1' }] } });
  });

  it('params are literals; DDL with changes reports changed; check mode does not run it', async () => {
    const made = await apply(q("create table t(v text); insert into t values (:'v');", { params: { v: "it's; drop table t; --" }, changes: true }));
    expect(made.status).toBe('changed');
    expect((await apply(q('select v from t;'))).data).toMatchObject({ rows: [{ v: "it's; drop table t; --" }] });
    expect(await apply(q('drop table t;', { changes: true }), makeCtx({ check: true }))).toMatchObject({ status: 'skipped', trips: 0 });
    const all = await apply(q('select 1 as a; select 2 as b, 3 as c;'));
    expect(all.data).toMatchObject({ columns: ['b', 'c'], rows: [{ b: '2', c: '3' }], all: [{ columns: ['a'] }, { columns: ['b', 'c'] }] });
  });

  it('a password is read from stdin into PGPASSWORD, not run as SQL', async () => {
    const r = await apply(q('select 1 as x;', { password: 'pw Secret; select' }));
    expect(r).toMatchObject({ status: 'ok', data: { rows: [{ x: '1' }] } });
  });

  it('errors fail with psql\'s message, secrets masked', async () => {
    const r = await apply(q("select :'db_password'::int;", { params: { db_password: 'Hunter2-Secret' } }));
    expect(r.status).toBe('failed');
    expect(r.msg).toMatch(/invalid input syntax for type integer/);
    expect(JSON.stringify(r)).not.toContain('Hunter2-Secret');
  });
});
