/** Reading registered task results in `when`, `do` and `run` callbacks. */
import type { TaskResult } from './types.js';

/** The task ran and succeeded (not skipped, not failed). */
export const ran = (r: TaskResult | undefined): boolean => !!r && !r.skipped && !r.failed;

/** The `key=value` lines of a command's stdout (our probe scripts print them); the first of a key wins. */
export function kv(r: TaskResult | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (r?.stdout ?? '').split('\n')) {
    const m = /^([a-z_]+)=(.*)$/.exec(line);
    if (m && !(m[1] in out)) out[m[1]] = m[2];
  }
  return out;
}
