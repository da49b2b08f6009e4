/**
 * pg_query: SQL run by psql ON THE HOST as the database superuser (become `postgres`, unix
 * socket), returning rows. SQL, variables and password travel on stdin, never on the command line.
 */
import type { Action } from '../api/types.js';
import { redact, SECRET_KEY } from '../api/secrets.js';
import { parsePsql, psqlCommand, psqlInput, type ResultSet } from '../facts/postgres.js';
import { defineModule, tail } from './common.js';

export interface PgQueryArgs {
  sql: string;
  /** Default postgres. */
  db?: string;
  port?: number;
  /** OS user psql runs as (default postgres). */
  dbsu?: string;
  /** Host or socket directory (default: the local unix socket). */
  host?: string;
  /** Database role to connect as (default: the dbsu's name). */
  user?: string;
  /** Password for `user` (sent as PGPASSWORD through stdin). Secret. */
  password?: string;
  /** psql variables, referenced in the SQL as :'name' (literal) or :"name" (identifier). */
  params?: Record<string, string>;
  /** The SQL changes something: report changed (default false: ok). */
  changes?: boolean;
}

export interface PgQueryData extends ResultSet {
  /** Every result set, when the SQL has several statements returning rows (rows/columns are the last). */
  all: ResultSet[];
}

/** Error text with the password and secret-looking parameters masked (server errors quote the statement). */
function scrub(text: string, a: PgQueryArgs): string {
  let out = redact(text);
  const hidden = [a.password, ...Object.entries(a.params ?? {}).filter(([k]) => SECRET_KEY.test(k)).map(([, v]) => v)];
  for (const s of hidden) if (s) out = out.split(s).join('********');
  return out;
}

export const pgQueryModule = defineModule<PgQueryArgs>('pg_query', async (args, ctx) => {
  if (ctx.check && args.changes) return { status: 'skipped', msg: 'changes the database: not run in check mode' };
  const command = psqlCommand({ db: args.db, port: args.port, host: args.host, user: args.user }, args.password !== undefined);
  const r = await ctx.conn.exec(command, {
    becomeUser: args.dbsu ?? 'postgres',
    stdin: psqlInput(args.sql, args.params, args.password),
  });
  if (r.rc !== 0) {
    const stderr = scrub(r.stderr, args);
    return { status: 'failed', msg: `psql failed (rc ${r.rc})${stderr.trim() ? `: ${tail(stderr)}` : ''}`, rc: r.rc, stderr };
  }
  const all = parsePsql(r.stdout);
  const last = all[all.length - 1] ?? { columns: [], rows: [] };
  const data: PgQueryData = { ...last, all };
  return { status: args.changes ? 'changed' : 'ok', msg: `${last.rows.length} row${last.rows.length === 1 ? '' : 's'}`, data };
}, ['password', 'params']);

/** Runs SQL as the database superuser and returns rows. */
export function pg_query(args: PgQueryArgs): Action<PgQueryArgs> {
  return { module: pgQueryModule, args };
}
