/**
 * group_vars/ and host_vars/ beside an inventory or a playbook, read as Ansible's host_group_vars
 * plugin and DataLoader.find_vars_files read them: for an entity NAME, the first of NAME (a file,
 * or a folder whose files are all read, sub-folders included, in sorted order, hidden files and
 * files ending in '~' skipped, only extension-less, .yml, .yaml and .json files), NAME.yml,
 * NAME.yaml, NAME.json. Later files of a folder replace earlier keys. A file may be encrypted
 * with ansible-vault (all its values are then secret) or hold inline `!vault` values.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar } from 'yaml';
import { collectSecrets } from '../api/secrets.js';
import { fail } from './errors.js';
import type { VarsDirs, VarsLayer } from './types.js';
import { decryptVault, hasVaulted, isVaultText, openVaulted, registerAllStrings, type VaultSecret } from './vault.js';
import { lineOf, parseYaml, yamlValue } from './yaml-source.js';

const EXTENSIONS = ['.yml', '.yaml', '.json'];

/** Reads `basedir`/group_vars and `basedir`/host_vars for the given groups and hosts (entries with no file are left out). */
export function loadVarsDirs(basedir: string, kind: VarsDirs['kind'], groups: Iterable<string>, hosts: Iterable<string>, vault: readonly VaultSecret[]): VarsDirs {
  const read = (sub: string, names: Iterable<string>): Map<string, VarsLayer> => {
    const out = new Map<string, VarsLayer>();
    const dir = path.join(basedir, sub);
    if (!isDir(dir)) return out;
    for (const name of names) {
      const files = findVarsFiles(dir, name);
      if (files.length) out.set(name, mergeFiles(files, vault));
    }
    return out;
  };
  return { basedir, kind, groups: read('group_vars', groups), hosts: read('host_vars', hosts) };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** DataLoader.find_vars_files: the first of NAME, NAME.yml, NAME.yaml, NAME.json that exists. */
export function findVarsFiles(dir: string, name: string): string[] {
  for (const ext of ['', ...EXTENSIONS]) {
    const p = path.join(dir, name + ext);
    if (!fs.existsSync(p)) continue;
    return isDir(p) ? dirVarsFiles(p) : [p];
  }
  return [];
}

function dirVarsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir).sort(byCodePoint)) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const ext = path.extname(entry);
    const full = path.join(dir, entry);
    if (isDir(full) && !ext) found.push(...dirVarsFiles(full));
    else if (isFile(full) && (!ext || EXTENSIONS.includes(ext))) found.push(full);
  }
  return found;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mergeFiles(files: string[], vault: readonly VaultSecret[]): VarsLayer {
  const layer: VarsLayer = { vars: {}, sources: {} };
  for (const file of files) {
    const one = readVarsFile(file, vault);
    Object.assign(layer.vars, one.vars);
    Object.assign(layer.sources, one.sources);
  }
  return layer;
}

/** One vars file: a mapping (or empty), decrypted when encrypted, inline `!vault` values opened. */
export function readVarsFile(file: string, vault: readonly VaultSecret[]): VarsLayer {
  let text = fs.readFileSync(file, 'utf8');
  const encrypted = isVaultText(text);
  if (encrypted) text = decryptVault(text, vault, { file, what: 'vars file' });
  const y = parseYaml(text, file, 'vars file');
  const root = y.doc.contents;
  const layer: VarsLayer = { vars: {}, sources: {} };
  if (root === null || (isScalar(root) && root.value === null)) return layer;
  if (!isMap(root)) fail(file, 'a vars file must be a mapping of variable names to values', { line: lineOf(y, root) }, 'vars file');
  const plain = yamlValue(y, root) as Record<string, unknown>;
  for (const pair of root.items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const src = { file, path: key, line: lineOf(y, pair.key) };
    let value = plain[key];
    if (hasVaulted(value)) value = openVaulted(value, vault, { ...src, what: 'vars file' });
    collectSecrets(value, key);
    if (encrypted) registerAllStrings(value);
    layer.vars[key] = value;
    layer.sources[key] = src;
  }
  return layer;
}
