/**
 * pgbouncer: a connection pool on every PostgreSQL instance (Pigsty's pg_access/pgbouncer).
 * Tag tree: pgbouncer (pgbouncer_install, pgbouncer_dir, pgbouncer_config (pgbouncer_hba,
 * pgbouncer_user), pgbouncer_launch, pgbouncer_reload). Config changes are applied with a reload,
 * never a restart. See docs/access.md.
 */
import { role } from '../../src/api/playbook.js';
import type { PrepareContext, PrepareResult, UserErrorDetail } from '../../src/api/types.js';
import { collectSecrets } from '../../src/api/secrets.js';
import type { HbaRule } from '../pgsql/defaults.js';
import { defaults, type PgbouncerVars } from './defaults.js';
import { pgbHbaProblems } from './lib/pgbouncer.js';
import { schema } from './schema.js';
import { tasks } from './tasks/main.js';

/** Checks the pgbouncer HBA rules before any host is contacted; registers default secrets for redaction. */
export function preparePgbouncer(ctx: PrepareContext): PrepareResult {
  const errors: UserErrorDetail[] = [];
  const seen = new Set<string>();
  for (const host of ctx.targets) {
    const v = ctx.vars(host);
    collectSecrets(v);
    if (v.pg_cluster === undefined || v.pg_cluster === null || v.pg_cluster === '') continue;
    for (const key of ['pgb_default_hba_rules', 'pgb_hba_rules']) {
      const rules = v[key] as HbaRule[] | undefined;
      if (!Array.isArray(rules)) continue;
      rules.forEach((r, i) => {
        for (const message of pgbHbaProblems(r)) {
          const src = ctx.source(host, key);
          const path = `${src?.path ?? key}[${i}]`;
          if (seen.has(path + message)) continue;
          seen.add(path + message);
          errors.push({ file: src?.file, path, line: src?.line, message: `pgbouncer hba rule ${JSON.stringify(r)}: ${message}` });
        }
      });
    }
  }
  return { errors };
}

export const pgbouncer = role<PgbouncerVars>({
  name: 'pgbouncer',
  defaults: defaults as Partial<PgbouncerVars>,
  schema,
  prepare: preparePgbouncer,
  tasks,
});

export default pgbouncer;
export type { PgbouncerVars, PgbouncerParams } from './defaults.js';
