/** Finds and imports playbooks/NAME.ts (or a path to a playbook module). */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Playbook } from '../api/types.js';
import { UsageError, UserError } from '../api/errors.js';
import { PROJECT_ROOT } from './paths.js';

export function availablePlaybooks(): string[] {
  const dir = path.join(PROJECT_ROOT, 'playbooks');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort() : [];
}

export async function loadPlaybook(name: string): Promise<Playbook> {
  const file = /[/\\]|\.ts$/.test(name) ? path.resolve(name) : path.join(PROJECT_ROOT, 'playbooks', `${name}.ts`);
  if (!fs.existsSync(file)) {
    throw new UsageError(`no playbook '${name}' (looked for ${path.relative(process.cwd(), file) || file}). Available: ${availablePlaybooks().join(', ')}`);
  }
  const mod = await import(pathToFileURL(file).href);
  const pb = mod.default as Playbook | undefined;
  if (!pb || !Array.isArray(pb.plays)) throw new UserError(`${file} does not export a playbook: it needs \`export default playbook(...)\``);
  return pb;
}
