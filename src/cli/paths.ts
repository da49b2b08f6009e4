import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the pgplay checkout (where ./run lives). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The sandbox inventory; with PGPLAY_SANDBOX=N (N>0) the generated inventory of sandbox instance N. */
function defaultInventory(): string {
  const n = Number(process.env.PGPLAY_SANDBOX ?? 0);
  const name = Number.isInteger(n) && n > 0 ? `sandbox-${n}.yml` : 'sandbox.yml';
  return path.join(PROJECT_ROOT, 'inventory', name);
}

export const DEFAULT_INVENTORY = defaultInventory();
