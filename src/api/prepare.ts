/** Helpers for roles' prepare hooks (pre-flight validation before any host is contacted). */
import type { PrepareContext, UserErrorDetail } from './types.js';

/**
 * Collects a prepare hook's errors. Each names the file, the path in it (`key` plus an optional
 * `sub` such as `[2].name`) and line the value came from; the same message for the same place (a
 * group var seen from every host of the group) is kept once.
 */
export function errorCollector(ctx: PrepareContext) {
  const errors: UserErrorDetail[] = [];
  const seen = new Set<string>();
  const err = (host: string, key: string, message: string, sub = ''): void => {
    const src = ctx.source(host, key);
    const path = `${src?.path ?? key}${sub}`;
    const k = `${src?.file}|${path}|${message}`;
    if (seen.has(k)) return;
    seen.add(k);
    errors.push({ file: src?.file, path, line: src?.line, message });
  };
  return { errors, err };
}
