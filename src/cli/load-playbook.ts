/**
 * Finds and imports playbooks/NAME.ts (or a path to a playbook module). Compiled (./run runs dist/),
 * a playbook of the checkout is imported from its compiled twin dist/playbooks/NAME.js; for a
 * TypeScript playbook outside the compiled tree ./run starts the engine from its sources (tsx).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Playbook } from '../api/types.js';
import { UsageError, UserError } from '../api/errors.js';
import { COMPILED, compiledFile } from '../api/project-root.js';
import { PROJECT_ROOT } from './paths.js';

export function availablePlaybooks(): string[] {
  const dir = path.join(PROJECT_ROOT, 'playbooks');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort() : [];
}

/** Imports a playbook's source file: itself when running from the sources, else its compiled twin in dist/. */
async function importSource(file: string): Promise<Record<string, unknown>> {
  if (!COMPILED || !file.endsWith('.ts')) return import(pathToFileURL(file).href);
  const js = compiledFile(file);
  if (!js || !fs.existsSync(js)) {
    throw new UsageError(`${file} is not part of the compiled tree (dist/); run it through ./run, which starts the engine from its sources for such a playbook`);
  }
  return import(pathToFileURL(js).href);
}

export async function loadPlaybook(name: string): Promise<Playbook> {
  const file = /[/\\]|\.ts$/.test(name) ? path.resolve(name) : path.join(PROJECT_ROOT, 'playbooks', `${name}.ts`);
  if (!fs.existsSync(file)) {
    throw new UserError(`no playbook '${name}' (looked for ${path.relative(process.cwd(), file) || file}). Available: ${availablePlaybooks().join(', ')}`);
  }
  const mod = await importSource(file);
  const pb = mod.default as Playbook | undefined;
  if (!pb || !Array.isArray(pb.plays)) throw new UserError(`${file} does not export a playbook: it needs \`export default playbook(...)\``);
  return pb;
}
