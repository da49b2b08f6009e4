/** The "apply a plan" script shared by pg_user and pg_db (quoting: src/operations/sql-quote.ts). */
import { ident, lit } from '../../../src/operations/sql-quote.js';

/** One change: what is shown to the operator, and the SQL that makes it. */
export interface Change {
  /** Short description, e.g. `create role dbuser_app`; never contains secrets. */
  desc: string;
  sql: string;
  /** Run while connected to this database (default: the maintenance database). */
  db?: string;
  /** The SQL holds a secret (a password verifier): apply in a no_log task. */
  secret?: boolean;
  /** Cannot run inside a transaction block (CREATE/DROP DATABASE). */
  noTx?: boolean;
}

/**
 * A psql script applying changes in order: each change prints its description, then runs. With
 * ON_ERROR_STOP the first failure stops the script; the output lists what was done.
 */
export function planScript(changes: Change[], maintenanceDb = 'postgres'): string {
  const out: string[] = ['\\set ON_ERROR_STOP on', '\\set QUIET on'];
  let current = maintenanceDb;
  for (const c of changes) {
    const db = c.db ?? maintenanceDb;
    if (db !== current) {
      out.push(`\\connect ${ident(db)}`);
      current = db;
    }
    out.push(`\\echo ${c.desc.replace(/[\r\n\\]/g, ' ')}`);
    out.push(c.sql.trim().replace(/;?$/, ';'));
  }
  return out.join('\n') + '\n';
}

/** A value as PostgreSQL stores it in setconfig / shows it, for comparison. */
export function settingText(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

/** Parses `key=value` entries of pg_db_role_setting.setconfig. */
export function parseSetconfig(list: string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list ?? []) {
    const i = e.indexOf('=');
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

/** Parameters whose value is a list (set without quoting the whole value). */
export const LIST_PARAMS = ['search_path', 'temp_tablespaces', 'local_preload_libraries', 'session_preload_libraries', 'log_destination'];

export function setValue(key: string, v: string | number | boolean): string {
  return LIST_PARAMS.includes(key) ? String(v) : lit(settingText(v));
}
