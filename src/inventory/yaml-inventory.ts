/**
 * YAML inventories (plugins/inventory/yaml.py), with the file, dotted path and line of every variable.
 * Shapes Ansible only warns about and skips (a group that is not a mapping, an unknown key in a
 * group) are errors here, on purpose.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import { fail } from './errors.js';
import { expandHostKey } from './host-range.js';
import { readIniInventory } from './ini-inventory.js';
import { InventoryBuilder } from './inventory-builder.js';
import type { Group, Inventory } from './types.js';
import { lineOf, parseYaml, yamlValue, type ParsedYaml } from './yaml-source.js';

function deref(y: ParsedYaml, node: unknown): unknown {
  let n = node;
  for (let i = 0; i < 100 && isAlias(n); i++) n = n.resolve(y.doc);
  return n;
}

interface Entry {
  key: unknown;
  keyNode: unknown;
  value: unknown;
}

/** Entries of a YAML mapping in Python dict order: merge keys (`<<`) first, later duplicates replace the value in place. */
function mapEntries(y: ParsedYaml, map: unknown): Entry[] {
  const out = new Map<unknown, Entry>();
  const m = deref(y, map);
  if (!isMap(m)) return [];
  const merged: Entry[] = [];
  const explicit: Entry[] = [];
  for (const pair of m.items) {
    const k = deref(y, pair.key);
    const key = isScalar(k) ? k.value : k;
    if (key === '<<' && isScalar(k) && !k.tag) {
      const src = deref(y, pair.value);
      const maps = isSeq(src) ? src.items : [src];
      const seen = new Set<unknown>();
      for (const sub of maps) {
        for (const e of mapEntries(y, sub)) {
          if (!seen.has(e.key)) {
            seen.add(e.key);
            merged.push(e);
          }
        }
      }
    } else explicit.push({ key, keyNode: k, value: deref(y, pair.value) });
  }
  for (const e of [...merged, ...explicit]) {
    const prev = out.get(e.key);
    if (prev) out.set(e.key, { ...prev, value: e.value, keyNode: e.keyNode });
    else out.set(e.key, e);
  }
  return [...out.values()];
}

function isNullNode(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return typeof node.value === 'string' ? `the string '${node.value}'` : `the ${typeof node.value} ${String(node.value)}`;
  return 'something else';
}

const SECTIONS = ['vars', 'children', 'hosts'] as const;

export function parseYamlInventory(text: string, file: string): Inventory {
  const b = new InventoryBuilder(file);
  readYamlInventory(text, b);
  return b.finish();
}

/** Adds the groups and hosts of a YAML inventory (the builder's current file) to the builder. */
export function readYamlInventory(text: string, b: InventoryBuilder): void {
  const file = b.file;
  const y = parseYaml(text, file);
  const root = deref(y, y.doc.contents);
  if (isNullNode(root)) fail(file, 'the inventory is empty (expected a mapping such as all: {children: {...}})');
  // Ansible tries its ini plugin when the yaml plugin rejects a file: a file holding a plain
  // string (e.g. a git symlink checked out as text) is an INI list of hosts to Ansible.
  if (isScalar(root) && typeof root.value === 'string') {
    try {
      readIniInventory(text, b);
      return;
    } catch {
      /* report the YAML shape problem below */
    }
  }
  if (!isMap(root)) fail(file, `a YAML inventory must be a mapping of groups (all: {children: ...}), found ${describe(root)}`, { line: lineOf(y, root) });
  const entries = mapEntries(y, root);
  if (entries.some((e) => e.key === 'plugin')) fail(file, 'this is an inventory plugin configuration (plugin: ...), not an inventory; give a YAML or INI inventory');
  for (const e of entries) parseGroup(y, b, e.key, e.value, String(e.key), lineOf(y, e.keyNode));
}

function parseGroup(y: ParsedYaml, b: InventoryBuilder, name: unknown, node: unknown, gpath: string, line: number | undefined): string {
  const file = b.file;
  if (typeof name !== 'string' || name === '') fail(file, `group names must be strings, found ${JSON.stringify(name)}`, { path: gpath, line });
  if (!isNullNode(node) && !isMap(node)) {
    fail(file, `group '${name}' must be a mapping with hosts, vars and children (or empty), found ${describe(node)}`, { path: gpath, line: lineOf(y, node) ?? line });
  }
  const g = b.addGroup(name);
  if (isNullNode(node)) return name;

  const entries = mapEntries(y, node);
  for (const e of entries) {
    if (!(SECTIONS as readonly unknown[]).includes(e.key)) {
      fail(file, `unexpected key '${String(e.key)}' in group '${name}': only hosts, vars and children are valid`, { path: `${gpath}.${String(e.key)}`, line: lineOf(y, e.keyNode) });
    }
    if (isNullNode(e.value) || isMap(e.value)) continue;
    if (isScalar(e.value) && typeof e.value.value === 'string') continue; // `hosts: web1` means {web1: null}
    fail(file, `'${String(e.key)}' of group '${name}' must be a mapping, found ${describe(e.value)}`, { path: `${gpath}.${String(e.key)}`, line: lineOf(y, e.value) ?? lineOf(y, e.keyNode) });
  }

  for (const e of entries) {
    const spath = `${gpath}.${String(e.key)}`;
    if (isNullNode(e.value)) continue;
    const items: Entry[] = isScalar(e.value) ? [{ key: e.value.value, keyNode: e.value, value: null }] : mapEntries(y, e.value);
    if (e.key === 'vars') {
      for (const v of items) {
        const src = { file, path: `${spath}.${String(v.key)}`, line: lineOf(y, v.keyNode) };
        b.setGroupVar(g, String(v.key), yamlValue(y, v.value), src);
      }
    } else if (e.key === 'children') {
      for (const c of items) {
        const cpath = `${spath}.${String(c.key)}`;
        const child = parseGroup(y, b, c.key, c.value, cpath, lineOf(y, c.keyNode));
        b.addChild(name, child, { path: cpath, line: lineOf(y, c.keyNode) });
      }
    } else {
      for (const h of items) parseHost(y, b, g, h, spath);
    }
  }
  return name;
}

function parseHost(y: ParsedYaml, b: InventoryBuilder, g: Group, h: Entry, hostsPath: string): void {
  const file = b.file;
  const hpath = `${hostsPath}.${String(h.key)}`;
  const line = lineOf(y, h.keyNode);
  if (typeof h.key !== 'string') {
    fail(file, `host name ${String(h.key)} must be a string: quote it ('${String(h.key)}')`, { path: hpath, line });
  }
  if (!isNullNode(h.value) && !isMap(h.value)) {
    fail(file, `variables of host '${h.key}' must be a mapping (or empty), found ${describe(h.value)}`, { path: hpath, line: lineOf(y, h.value) ?? line });
  }
  let expanded: { names: string[]; port?: number };
  try {
    expanded = expandHostKey(h.key);
  } catch (e) {
    fail(file, `host '${h.key}': ${(e as Error).message}`, { path: hpath, line });
  }
  const vars = mapEntries(y, h.value);
  for (const name of expanded.names) {
    const host = b.addHost(name, g.name, expanded.port, { file, path: hpath, line });
    for (const v of vars) {
      b.setHostVar(host, String(v.key), yamlValue(y, v.value), { file, path: `${hpath}.${String(v.key)}`, line: lineOf(y, v.keyNode) });
    }
  }
}
