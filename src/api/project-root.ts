/**
 * Where the checkout is, whether this code runs from its TypeScript sources (vitest, tsx) or
 * compiled (`./run` runs dist/, built by tsconfig.build.json: dist/<path>.js for each <path>.ts).
 * Compiled modules read their non-TypeScript assets (a role's templates/ and files/) from the
 * source tree, so there is one copy of each and it is never stale.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this module was loaded from dist/ (compiled JavaScript), false under vitest or tsx. */
export const COMPILED = import.meta.url.endsWith('.js');

/** Root of the pgplay checkout (where ./run lives); this file is src/api/ or dist/src/api/. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), COMPILED ? '../../..' : '../..');

/** Where tsconfig.build.json emits. */
export const DIST = path.join(PROJECT_ROOT, 'dist');

/** The source-tree directory of a module: dist/roles/x/tasks/main.js → <root>/roles/x/tasks. */
export function sourceDir(metaUrl: string): string {
  const dir = path.dirname(fileURLToPath(metaUrl));
  const rel = path.relative(DIST, dir);
  return rel.startsWith('..') || path.isAbsolute(rel) ? dir : path.join(PROJECT_ROOT, rel);
}

/** The compiled counterpart of a source module inside the checkout (x.ts → dist/x.js), or undefined outside it. */
export function compiledFile(sourceFile: string): string | undefined {
  const rel = path.relative(PROJECT_ROOT, sourceFile);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep)[0] === 'dist' || !rel.endsWith('.ts')) return undefined;
  return path.join(DIST, rel.slice(0, -3) + '.js');
}
