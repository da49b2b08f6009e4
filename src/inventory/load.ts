/**
 * Loads an Ansible inventory file (YAML, as Pigsty writes them, or INI) into the Inventory model,
 * building groups and hosts the way ansible-core 2.14 does, and recording for every variable the
 * file, dotted path and line it came from. The formats are read by yaml-inventory.ts and
 * ini-inventory.ts, into the model of inventory-builder.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { UserError } from '../api/errors.js';
import { parseIniInventory } from './ini-inventory.js';
import type { Inventory } from './types.js';
import { parseYamlInventory } from './yaml-inventory.js';
import { YAML_OPTIONS } from './yaml-source.js';

/** Reads and parses an inventory file; YAML for .yml/.yaml/.json, INI for other extensions, sniffed when there is none. */
export function loadInventory(file: string): Inventory {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory (give an inventory file)' : String((e as Error).message);
    throw new UserError(`Cannot read inventory ${file}: ${why}`, [{ file, message: why }]);
  }
  return parseInventory(text, file);
}

/** Parses inventory text; `file` names it in sources and errors and decides the format. */
export function parseInventory(text: string, file: string): Inventory {
  const ext = path.extname(file).toLowerCase();
  if (['.yml', '.yaml', '.json'].includes(ext)) return parseYamlInventory(text, file);
  if (ext === '' && looksLikeYamlMapping(text)) return parseYamlInventory(text, file);
  return parseIniInventory(text, file);
}

function looksLikeYamlMapping(text: string): boolean {
  const doc = parseDocument(text, YAML_OPTIONS);
  return doc.errors.length === 0 && isMap(doc.contents);
}
