/**
 * pgsql's prepare hook: checks that need more than a schema (HBA addresses, user and database
 * names, pg_conf templates), before any host is contacted; errors name the file and path.
 */
import type { PrepareContext, PrepareResult } from '../../src/api/types.js';
import { collectSecrets } from '../../src/api/secrets.js';
import type { HbaRule, PgDatabase, PgUser } from './defaults.js';
import { validateHbaRule } from './lib/hba.js';
import { USER_NAME_RE } from './lib/users.js';
import { DB_NAME_RE } from './lib/databases.js';
import { errorCollector } from '../../src/api/prepare.js';

export function preparePgsql(ctx: PrepareContext): PrepareResult {
  const { errors, err: add } = errorCollector(ctx);
  const err = (host: string, key: string, sub: string, message: string) => add(host, key, message, sub);
  for (const host of ctx.targets) {
    const v = ctx.vars(host);
    // role defaults hold passwords too (DBUser.Replicator, Patroni.API, ...): keep them out of all output
    collectSecrets(v);
    if (v.pg_cluster === undefined || v.pg_cluster === null || v.pg_cluster === '') continue;
    for (const key of ['pg_hba_rules', 'pg_default_hba_rules']) {
      const rules = (v[key] ?? []) as HbaRule[];
      if (!Array.isArray(rules)) continue;
      rules.forEach((r, i) => {
        for (const p of validateHbaRule(r)) err(host, key, `[${i}]`, `hba rule ${JSON.stringify(r)}: ${p}`);
      });
    }
    for (const key of ['pg_users', 'pg_default_roles']) {
      const users = (v[key] ?? []) as PgUser[];
      if (!Array.isArray(users)) continue;
      users.forEach((u, i) => {
        if (u && typeof u.name === 'string' && !USER_NAME_RE.test(u.name)) err(host, key, `[${i}].name`, `invalid user name '${u.name}': must match ${USER_NAME_RE.source}`);
        if (u && u.expire_at !== undefined && !/^(\d{4}-\d{2}-\d{2}|infinity)$/.test(String(u.expire_at))) err(host, key, `[${i}].expire_at`, `expire_at must be YYYY-MM-DD or infinity`);
      });
    }
    if (v.patroni_mode === 'remove') err(host, 'patroni_mode', '', `patroni_mode 'remove' (running postgres without Patroni) is not supported: use default or pause`);
    const dbs = (v.pg_databases ?? []) as PgDatabase[];
    if (Array.isArray(dbs)) {
      dbs.forEach((d, i) => {
        if (d && typeof d.name === 'string' && !DB_NAME_RE.test(d.name)) err(host, 'pg_databases', `[${i}].name`, `invalid database name '${d.name}': must match ${DB_NAME_RE.source}`);
        if (d && ['postgres', 'template0', 'template1'].includes(d.name) && d.state && d.state !== 'create') err(host, 'pg_databases', `[${i}].state`, `system database ${d.name} cannot be dropped or recreated`);
      });
    }
  }
  return { errors };
}
