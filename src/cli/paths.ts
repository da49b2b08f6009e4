import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the pgplay checkout (where ./run lives). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_INVENTORY = path.join(PROJECT_ROOT, 'inventory', 'sandbox.yml');
