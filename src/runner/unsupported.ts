/**
 * Applies src/api/pigsty-compat.ts: clusters asking for a mode pgplay does not build are skipped by
 * the plays that would build them, with one warning naming the cluster and the parameter, instead
 * of refusing the whole inventory; a setting pgplay cannot honour yet is warned about. A rule
 * applies to a play when one of its roles declares the parameter in its schema (a citus cluster's
 * nodes still get `node`).
 */
import { COMPAT_RULES } from '../api/pigsty-compat.js';
import type { Play, Vars } from '../api/types.js';
import type { VarSource } from '../inventory/types.js';
import { playRoles } from './walk.js';

function declares(play: Play, param: string): boolean {
  return playRoles(play).some((r) => !!(r.schema as { properties?: Record<string, unknown> } | undefined)?.properties?.[param]);
}

export interface CompatResult {
  hosts: string[];
  warnings: string[];
}

/** The play's hosts without those of clusters it must skip, and one warning per cluster, rule and value. */
export function applyCompatRules(play: Play, hosts: string[], varsOf: (h: string) => { vars: Vars; sources: Record<string, VarSource> }): CompatResult {
  const rules = COMPAT_RULES.filter((r) => declares(play, r.param));
  if (!rules.length) return { hosts, warnings: [] };
  const skipped = new Map<string, { message: string; hosts: string[] }>();
  const warnings: string[] = [];
  const warned = new Set<string>();
  const kept = hosts.filter((h) => {
    const { vars, sources } = varsOf(h);
    const cluster = typeof vars.pg_cluster === 'string' && vars.pg_cluster ? vars.pg_cluster : h;
    let keep = true;
    for (const rule of rules) {
      const problem = rule.problem(vars[rule.param]);
      if (!problem) continue;
      const src = sources[rule.param];
      const where = src ? ` (${src.file}${src.line ? `:${src.line}` : ''} at ${src.path})` : '';
      const key = `${cluster}|${rule.param}|${problem}`;
      if (rule.action === 'warn') {
        if (!warned.has(key)) warnings.push(`${cluster}: ${problem}${where}`);
        warned.add(key);
        continue;
      }
      keep = false;
      const s = skipped.get(key) ?? { message: `${cluster}: ${problem}${where}`, hosts: [] };
      s.hosts.push(h);
      skipped.set(key, s);
    }
    return keep;
  });
  for (const s of skipped.values()) warnings.push(`${s.message}; play '${play.name}' skips this cluster (${s.hosts.join(', ')})`);
  return { hosts: kept, warnings };
}
