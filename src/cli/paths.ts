import path from 'node:path';
import { PROJECT_ROOT } from '../api/project-root.js';

/** Root of the pgplay checkout (where ./run lives), from the sources or from dist/. */
export { PROJECT_ROOT };

/** The sandbox inventory; with PGPLAY_SANDBOX=N (N>0) the generated inventory of sandbox instance N. */
function defaultInventory(): string {
  const n = Number(process.env.PGPLAY_SANDBOX ?? 0);
  const name = Number.isInteger(n) && n > 0 ? `sandbox-${n}.yml` : 'sandbox.yml';
  return path.join(PROJECT_ROOT, 'inventory', name);
}

export const DEFAULT_INVENTORY = defaultInventory();
