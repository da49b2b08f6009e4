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
import { readIniInventory } from './ini-inventory.js';
import { InventoryBuilder } from './inventory-builder.js';
import type { Inventory } from './types.js';
import { loadVarsDirs } from './vars-dirs.js';
import { decryptVault, isVaultText, type VaultSecret } from './vault.js';
import { readYamlInventory } from './yaml-inventory.js';
import { YAML_OPTIONS } from './yaml-source.js';

export interface LoadOptions {
  /** Vault passwords for encrypted files and inline `!vault` values (see vault-secrets.ts). */
  vault?: readonly VaultSecret[];
  /** The playbook's directory: its group_vars/ and host_vars/ are read too (after the inventory's). */
  playbookDir?: string;
}

/**
 * Ansible's INVENTORY_IGNORE_EXTS and the names it always skips in an inventory directory
 * (inventory/manager.py): hidden files, group_vars/, host_vars/, vars_plugins/, and files ending
 * in .pyc .pyo .swp .bak ~ .rpm .md .txt .rst .orig .ini .cfg .retry. (.ini is skipped: in a
 * directory an INI inventory has no extension, e.g. `hosts`.)
 */
const IGNORED_IN_DIR = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

/**
 * Reads an inventory file, or every inventory file of a directory (sorted, sub-directories
 * included, as Ansible does), then the group_vars/ and host_vars/ beside it (and beside the
 * playbook, when given).
 */
export function loadInventory(source: string, opts: LoadOptions = {}): Inventory {
  const vault = opts.vault ?? [];
  const b = new InventoryBuilder(source, vault);
  const stat = statOf(source);
  if (stat.isDirectory()) {
    const files = inventoryFilesIn(source);
    if (!files.length) throw new UserError(`inventory directory ${source} holds no inventory file`, [{ file: source, message: 'no inventory file (files ending in .ini, .md, .cfg, .retry, ... are skipped, as Ansible does)' }]);
    for (const f of files) readInto(b, f);
  } else readInto(b, source);
  const inv = b.finish();
  const basedir = stat.isDirectory() ? source : path.dirname(source);
  const groups = [...inv.groups.keys()];
  const hosts = [...inv.hosts.keys()];
  inv.varsDirs = [loadVarsDirs(path.resolve(basedir), 'inventory', groups, hosts, vault)];
  if (opts.playbookDir) inv.varsDirs.push(loadVarsDirs(path.resolve(opts.playbookDir), 'playbook', groups, hosts, vault));
  return inv;
}

function statOf(source: string): fs.Stats {
  try {
    return fs.statSync(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : String((e as Error).message);
    throw new UserError(`Cannot read inventory ${source}: ${why}`, [{ file: source, message: why }]);
  }
}

/** The inventory files of a directory, in Ansible's order (sorted names, depth first). */
export function inventoryFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (IGNORED_IN_DIR.test(name)) continue;
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) out.push(...inventoryFilesIn(full));
    else out.push(full);
  }
  return out;
}

function readInto(b: InventoryBuilder, file: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const why = String((e as Error).message);
    throw new UserError(`Cannot read inventory ${file}: ${why}`, [{ file, message: why }]);
  }
  b.file = file;
  b.secretValues = isVaultText(text);
  if (b.secretValues) text = decryptVault(text, b.vault, { file });
  if (isYaml(text, file)) readYamlInventory(text, b);
  else readIniInventory(text, b);
  b.secretValues = false;
}

/** Parses inventory text; `file` names it in sources and errors and decides the format. */
export function parseInventory(text: string, file: string, vault: readonly VaultSecret[] = []): Inventory {
  const b = new InventoryBuilder(file, vault);
  if (isYaml(text, file)) readYamlInventory(text, b);
  else readIniInventory(text, b);
  return b.finish();
}

/** YAML for .yml/.yaml/.json, INI for other extensions, sniffed when there is none. */
function isYaml(text: string, file: string): boolean {
  const ext = path.extname(file).toLowerCase();
  if (['.yml', '.yaml', '.json'].includes(ext)) return true;
  return ext === '' && looksLikeYamlMapping(text);
}

function looksLikeYamlMapping(text: string): boolean {
  const doc = parseDocument(text, YAML_OPTIONS);
  return doc.errors.length === 0 && isMap(doc.contents);
}
