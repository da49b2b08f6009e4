/** psql over the local socket and the cells of pg_query results (pgsql, pgbouncer). */
import type { HostCtx, TaskResult } from '../../src/api/types.js';
import { raw, sh } from '../../src/operations/shell-quote.js';

interface PsqlVars {
  pg_bin_dir: string;
  pg_localhost: string;
  pg_port: number;
}

/** A psql command line run by the dbsu over the local socket. */
export const psql = (h: HostCtx<PsqlVars>, db = 'postgres', extra = '') =>
  sh`${h.vars.pg_bin_dir}/psql -X -q -v ON_ERROR_STOP=1 -h ${h.vars.pg_localhost} -p ${h.vars.pg_port} -d ${db}${raw(extra ? ' ' + extra : '')}`;

/** First cell of the first row of a pg_query result (our reads return one JSON column). */
export function cell(r: TaskResult | undefined): string | undefined {
  const data = r?.data as { rows?: Record<string, string | null>[]; columns?: string[] } | undefined;
  const row = data?.rows?.[0];
  const col = data?.columns?.[0];
  return row && col ? row[col] ?? undefined : undefined;
}

export function jsonCell<T>(r: TaskResult | undefined, fallback: T): T {
  const c = cell(r);
  if (c === undefined || c === null || c === '') return fallback;
  return JSON.parse(c) as T;
}

