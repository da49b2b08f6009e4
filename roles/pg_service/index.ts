/**
 * pg_service: HAProxy on every member, exposing the cluster's services (primary 5433, replica
 * 5434, default 5436, offline 5438, pg_services) with health checks against Patroni's REST API, and
 * the admin page on 9101. Tag tree: pg_service (haproxy (haproxy_install, haproxy_config,
 * haproxy_launch), pg_service_config, pg_service_reload). See docs/access.md.
 */
import { role } from '../../src/api/playbook.js';
import type { PrepareContext, PrepareResult, UserErrorDetail } from '../../src/api/types.js';
import { collectSecrets } from '../../src/api/secrets.js';
import { defaults, type PgService, type PgServiceVars } from './defaults.js';
import { serviceProblems } from './lib/services.js';
import { schema } from './schema.js';
import { tasks } from './tasks/main.js';

/** Selector syntax, duplicate names and ports, checked before any host is contacted. */
export function preparePgService(ctx: PrepareContext): PrepareResult {
  const errors: UserErrorDetail[] = [];
  const seen = new Set<string>();
  for (const host of ctx.targets) {
    const v = ctx.vars(host);
    collectSecrets(v);
    if (v.pg_cluster === undefined || v.pg_cluster === null || v.pg_cluster === '') continue;
    const all = [...((v.pg_default_services as PgService[]) ?? []), ...((v.pg_services as PgService[]) ?? [])];
    const nDefault = ((v.pg_default_services as PgService[]) ?? []).length;
    for (const p of serviceProblems(all)) {
      const key = p.index < nDefault ? 'pg_default_services' : 'pg_services';
      const src = ctx.source(host, key);
      const path = `${src?.path ?? key}[${p.index < nDefault ? p.index : p.index - nDefault}]`;
      if (seen.has(path + p.message)) continue;
      seen.add(path + p.message);
      errors.push({ file: src?.file, path, line: src?.line, message: p.message });
    }
  }
  return { errors };
}

export const pgService = role<PgServiceVars>({
  name: 'pg_service',
  defaults: defaults as Partial<PgServiceVars>,
  schema,
  prepare: preparePgService,
  tasks,
});

export default pgService;
export type { PgServiceVars, PgServiceParams, PgService } from './defaults.js';
