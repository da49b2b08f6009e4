/**
 * Pigsty settings that are valid but ask for something pgplay does not build. A cluster asking for
 * a mode pgplay does not build (`pg_mode: citus`, `mssql`, ..., `patroni_mode: remove`) is skipped
 * by the plays that would build it (`skip`); a setting pgplay cannot honour yet but can run without
 * (`patroni_ssl_enabled: true`) is accepted (`warn`). Applied by src/runner/unsupported.ts.
 */

/** Pigsty's pg_mode values other than pgsql: valid in an inventory, not built by pgplay. */
export const PG_MODES_NOT_BUILT = ['citus', 'gpsql', 'mssql', 'mysql', 'ivory', 'polar', 'oracle', 'pgtde', 'oriole', 'agens', 'pgedge'] as const;

export interface CompatRule {
  param: string;
  /** What is wrong with the value, or undefined when pgplay builds it (or the schema is to judge it). */
  problem: (value: unknown) => string | undefined;
  /** skip: the cluster is left out of the play; warn: it runs, without the feature. */
  action: 'skip' | 'warn';
}

export const COMPAT_RULES: readonly CompatRule[] = [
  {
    param: 'pg_mode',
    action: 'skip',
    problem: (v) => ((PG_MODES_NOT_BUILT as readonly unknown[]).includes(v) ? `pg_mode '${String(v)}' is not built by pgplay (PostgreSQL clusters only: pg_mode pgsql)` : undefined),
  },
  {
    param: 'patroni_mode',
    action: 'skip',
    problem: (v) => (v === 'remove' ? `patroni_mode 'remove' (PostgreSQL without Patroni after deployment) is not built by pgplay` : undefined),
  },
  {
    param: 'patroni_ssl_enabled',
    action: 'warn',
    problem: (v) => (v === true ? `patroni_ssl_enabled: true is not supported yet: the Patroni REST API stays plain HTTP` : undefined),
  },
];
