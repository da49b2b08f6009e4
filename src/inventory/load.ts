/**
 * Loads an Ansible inventory file (YAML, as Pigsty writes them, or INI) into the Inventory model,
 * building groups and hosts the way ansible-core 2.14 does (inventory/data.py, inventory/group.py,
 * plugins/inventory/yaml.py and ini.py), and recording for every variable the file, dotted path
 * and line it came from.
 *
 * Differences from Ansible, on purpose: shapes Ansible only warns about and skips (a group that is
 * not a mapping, an unknown key in a group) are errors here, and YAML timestamps stay strings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, ParsedNode, ScalarTag, Tags, YAMLError } from 'yaml';
import { UserError } from '../api/errors.js';
import { collectSecrets } from '../api/secrets.js';
import type { UserErrorDetail } from '../api/types.js';
import { parseAddress } from './patterns.js';
import type { Group, Host, Inventory, VarSource } from './types.js';

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

function fail(file: string, message: string, where: { path?: string; line?: number } = {}, what = 'inventory'): never {
  const detail: UserErrorDetail = { file, ...where, message };
  const loc = [file, where.line ? `line ${where.line}` : undefined].filter(Boolean).join(':');
  throw new UserError(`Invalid ${what} ${loc}${where.path ? ` at ${where.path}` : ''}: ${message}`, [detail]);
}

// ---------------------------------------------------------------------------------------------
// YAML as Ansible reads it (PyYAML, YAML 1.1): yes/no/on/off are booleans, 0755 is octal,
// 1e3 is a string, 1:30 is 90. Timestamps are kept as strings.
// ---------------------------------------------------------------------------------------------

function pyInt(s: string): number {
  let v = s.replace(/_/g, '');
  let sign = 1;
  if (v[0] === '-') sign = -1;
  if (v[0] === '+' || v[0] === '-') v = v.slice(1);
  if (v === '0') return 0;
  if (v.startsWith('0b')) return sign * parseInt(v.slice(2), 2);
  if (v.startsWith('0x')) return sign * parseInt(v.slice(2), 16);
  if (v[0] === '0') return sign * parseInt(v, 8);
  if (v.includes(':')) return sign * sexagesimal(v);
  return sign * Number(v);
}

function pyFloat(s: string): number {
  let v = s.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (v[0] === '-') sign = -1;
  if (v[0] === '+' || v[0] === '-') v = v.slice(1);
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':')) return sign * sexagesimal(v);
  return sign * Number(v);
}

function sexagesimal(v: string): number {
  return v.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

const PY_TAGS: ScalarTag[] = [
  {
    tag: 'tag:yaml.org,2002:bool',
    default: true,
    identify: (v) => typeof v === 'boolean',
    test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
    resolve: (s) => /^(?:yes|true|on)$/i.test(s),
  },
  {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    identify: (v) => typeof v === 'number' && Number.isInteger(v),
    test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    resolve: pyInt,
  },
  {
    tag: 'tag:yaml.org,2002:float',
    default: true,
    identify: (v) => typeof v === 'number',
    test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    resolve: pyFloat,
  },
];

const REPLACED = new Set(['tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp']);

/** Options for `parseDocument` that read YAML as Ansible does (shared with extra-vars). */
export const YAML_OPTIONS = {
  version: '1.1' as const,
  uniqueKeys: false,
  merge: true,
  customTags: (tags: Tags): Tags => [...tags.filter((t) => typeof t === 'string' || !REPLACED.has(t.tag)), ...PY_TAGS],
};

export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Parses YAML text; a syntax error becomes a UserError naming the file and line ("Invalid <what> FILE:line N: ..."). */
export function parseYaml(text: string, file: string, what = 'inventory'): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter: lines });
  const err = doc.errors[0];
  if (err) fail(file, `broken YAML: ${yamlMessage(err)}`, { line: err.linePos?.[0].line }, what);
  return { doc, lines };
}

function yamlMessage(err: YAMLError): string {
  return err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** The JavaScript value of a YAML node (aliases and merge keys resolved). */
export function yamlValue(y: ParsedYaml, node: unknown): unknown {
  if (node === null || node === undefined) return null;
  return (node as Node).toJS(y.doc, { maxAliasCount: -1 });
}

export function lineOf(y: ParsedYaml, node: unknown): number | undefined {
  const range = (node as ParsedNode | null)?.range;
  return range ? y.lines.linePos(range[0]).line : undefined;
}

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

// ---------------------------------------------------------------------------------------------
// Building the inventory (ansible/inventory/data.py semantics).
// ---------------------------------------------------------------------------------------------

class Builder {
  readonly groups = new Map<string, Group>();
  readonly hosts = new Map<string, Host>();

  constructor(readonly file: string) {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  addGroup(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], parents: [], vars: {}, sources: {}, depth: 0, priority: 1 };
      this.groups.set(name, g);
    }
    return g;
  }

  /** Adds a host (with `port` as ansible_port when it is new) to a group. */
  addHost(name: string, group: string, port: number | undefined, src: VarSource): Host {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, sources: {} };
      this.hosts.set(name, h);
      if (port !== undefined) this.setHostVar(h, 'ansible_port', port, src);
    }
    const g = this.groups.get(group)!;
    if (!g.hosts.includes(name)) g.hosts.push(name);
    return h;
  }

  ancestors(group: string, out = new Set<string>()): Set<string> {
    for (const p of this.groups.get(group)?.parents ?? []) {
      if (!out.has(p)) {
        out.add(p);
        this.ancestors(p, out);
      }
    }
    return out;
  }

  addChild(parent: string, child: string, where: { path?: string; line?: number } = {}): void {
    const p = this.groups.get(parent)!;
    const c = this.groups.get(child)!;
    if (parent === child) fail(this.file, `group '${child}' cannot be a child of itself`, where);
    if (p.children.includes(child)) return;
    if (this.ancestors(parent).has(child)) {
      fail(this.file, `adding group '${child}' as a child of '${parent}' creates a loop (${child} is already an ancestor of ${parent})`, where);
    }
    p.children.push(child);
    if (!c.parents.includes(parent)) c.parents.push(parent);
  }

  setGroupVar(g: Group, key: string, value: unknown, src: VarSource): void {
    if (key === 'ansible_group_priority') {
      g.priority = toPriority(value) ?? fail(this.file, `ansible_group_priority must be an integer, got ${JSON.stringify(value)}`, src);
      return;
    }
    collectSecrets(value, key);
    g.vars[key] = value;
    g.sources[key] = src;
  }

  setHostVar(h: Host, key: string, value: unknown, src: VarSource): void {
    collectSecrets(value, key);
    h.vars[key] = value;
    h.sources[key] = src;
  }

  /** InventoryData.reconcile_inventory: every group under `all`, hosts without a group in `ungrouped`; then depths. */
  finish(): Inventory {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && this.ancestors(g.name).size === 0) this.addChild('all', g.name);
    }
    const ungrouped = this.groups.get('ungrouped')!;
    const direct = new Map<string, string[]>();
    for (const g of this.groups.values()) for (const h of g.hosts) direct.set(h, [...(direct.get(h) ?? []), g.name]);
    for (const h of this.hosts.keys()) {
      const mine = new Set<string>();
      for (const g of direct.get(h) ?? []) {
        mine.add(g);
        this.ancestors(g, mine);
      }
      if (mine.has('ungrouped')) {
        if ([...mine].some((g) => g !== 'all' && g !== 'ungrouped')) ungrouped.hosts = ungrouped.hosts.filter((x) => x !== h);
      } else if ([...mine].every((g) => g === 'all')) {
        ungrouped.hosts.push(h);
      }
    }
    const depth = new Map<string, number>();
    const depthOf = (name: string): number => {
      let d = depth.get(name);
      if (d === undefined) {
        const parents = this.groups.get(name)!.parents;
        d = parents.length ? Math.max(...parents.map((p) => depthOf(p) + 1)) : 0;
        depth.set(name, d);
      }
      return d;
    };
    for (const g of this.groups.values()) g.depth = depthOf(g.name);
    return { file: this.file, hosts: this.hosts, groups: this.groups };
  }
}

function toPriority(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return parseInt(value, 10);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Host patterns in inventories: `host:port`, ranges `www[01:03]`, `10.0.0.[1:3]`, `db-[a:c]`.
// ---------------------------------------------------------------------------------------------

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Ansible's `expand_hostname_range`. Throws a plain Error with Ansible's wording on a bad range. */
export function expandHostRange(line: string): string[] {
  if (!line.includes('[')) return [line];
  const parts = line.replace('[', '|').replace(']', '|').split('|');
  if (parts.length !== 3) throw new Error(`invalid host range in '${line}'`);
  const [head, nrange, tail] = parts;
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error('host range must be begin:end or begin:end:step');
  let beg = bounds[0];
  const end = bounds[1];
  const step = bounds.length === 3 ? toInt(bounds[2]) : 1;
  if (!beg) beg = '0';
  if (!end) throw new Error('host range must specify end value');
  let fill = (x: string | number): string => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    const rlen = beg.length;
    if (rlen !== end.length) throw new Error('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(rlen, '0');
  }
  if (step <= 0) throw new Error('host range step must be positive');
  let seq: Array<string | number>;
  const iBeg = ASCII_LETTERS.indexOf(beg);
  const iEnd = ASCII_LETTERS.indexOf(end);
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new Error('host range must have begin <= end');
    seq = [];
    for (let i = iBeg; i <= iEnd; i += step) seq.push(ASCII_LETTERS[i]);
  } else {
    const b = toInt(beg);
    const e = toInt(end);
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(i);
  }
  const out: string[] = [];
  for (const r of seq) {
    const name = head + fill(r) + tail;
    if (name.includes('[')) out.push(...expandHostRange(name));
    else out.push(name);
  }
  return out;
}

function toInt(s: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(s)) throw new Error(`'${s}' is not a number in a host range`);
  return parseInt(s, 10);
}

/** A host key of an inventory: names (ranges expanded) and the port it carries. */
function expandHostKey(key: string): { names: string[]; port?: number } {
  const addr = parseAddress(key, true);
  const pattern = addr ? addr.host : key;
  return { names: pattern.includes('[') ? expandHostRange(pattern) : [pattern], port: addr?.port };
}

// ---------------------------------------------------------------------------------------------
// YAML inventories (plugins/inventory/yaml.py).
// ---------------------------------------------------------------------------------------------

const SECTIONS = ['vars', 'children', 'hosts'] as const;

function parseYamlInventory(text: string, file: string): Inventory {
  const y = parseYaml(text, file);
  const root = deref(y, y.doc.contents);
  if (isNullNode(root)) fail(file, 'the inventory is empty (expected a mapping such as all: {children: {...}})');
  // Ansible tries its ini plugin when the yaml plugin rejects a file: a file holding a plain
  // string (e.g. a git symlink checked out as text) is an INI list of hosts to Ansible.
  if (isScalar(root) && typeof root.value === 'string') {
    try {
      return parseIniInventory(text, file);
    } catch {
      /* report the YAML shape problem below */
    }
  }
  if (!isMap(root)) fail(file, `a YAML inventory must be a mapping of groups (all: {children: ...}), found ${describe(root)}`, { line: lineOf(y, root) });
  const entries = mapEntries(y, root);
  if (entries.some((e) => e.key === 'plugin')) fail(file, 'this is an inventory plugin configuration (plugin: ...), not an inventory; give a YAML or INI inventory');
  const b = new Builder(file);
  for (const e of entries) parseGroup(y, b, e.key, e.value, String(e.key), lineOf(y, e.keyNode));
  return b.finish();
}

function parseGroup(y: ParsedYaml, b: Builder, name: unknown, node: unknown, gpath: string, line: number | undefined): string {
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

function parseHost(y: ParsedYaml, b: Builder, g: Group, h: Entry, hostsPath: string): void {
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

// ---------------------------------------------------------------------------------------------
// INI inventories (plugins/inventory/ini.py).
// ---------------------------------------------------------------------------------------------

const INI_SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const INI_GROUPNAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

function parseIniInventory(text: string, file: string): Inventory {
  const b = new Builder(file);
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state = 'hosts';
  const lines = text.split(/\r\n|\r|\n/);

  const addPendingChildren = (g: string): void => {
    const p = pending.get(g)!;
    for (const parent of p.parents) {
      b.addChild(parent, g);
      const pp = pending.get(parent);
      if (pp && pp.state === 'children') addPendingChildren(parent);
    }
    pending.delete(g);
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;
    const at = (message: string, p?: string): never => fail(file, message, { line: lineNo, path: p });

    const m = INI_SECTION.exec(line);
    if (m) {
      group = m[1];
      state = m[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(state)) at(`section [${group}:${state}] has unknown type '${state}' (use hosts, vars or children)`);
      if (!b.groups.has(group)) {
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state: 'vars', parents: [] });
        b.addGroup(group);
      }
      const p = pending.get(group);
      if (p && state !== 'vars') {
        if (p.state === 'children') addPendingChildren(group);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      at(`invalid section entry '${line}': make sure there are no spaces or other invalid characters in the section name`);
    }

    if (state === 'hosts') {
      let tokens: string[];
      try {
        tokens = shlexSplit(line, true);
      } catch (e) {
        return at(`cannot parse host definition '${line}': ${(e as Error).message}`);
      }
      if (!tokens.length) continue;
      const key = tokens[0];
      let expanded: { names: string[]; port?: number };
      try {
        expanded = expandHostKey(key);
      } catch (e) {
        return at(`host '${key}': ${(e as Error).message}`);
      }
      if (key.trim().endsWith(':') && expanded.port === undefined) at(`invalid host pattern '${key}': ending in ':' is not allowed, ':' introduces a port`);
      if (expanded.names.some((n) => n.trim() === '---')) at(`invalid host pattern '${key}': '---' is normally a sign this is a YAML file (name it .yml)`);
      const vars: Array<[string, unknown]> = [];
      for (const t of tokens.slice(1)) {
        const eq = t.indexOf('=');
        if (eq < 0) at(`expected key=value host variable assignment, got: ${t}`);
        vars.push([t.slice(0, eq), pythonLiteral(t.slice(eq + 1))]);
      }
      const hpath = `${group}.hosts.${key}`;
      for (const name of expanded.names) {
        const host = b.addHost(name, group, expanded.port, { file, path: hpath, line: lineNo });
        for (const [k, v] of vars) b.setHostVar(host, k, v, { file, path: `${hpath}.${k}`, line: lineNo });
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) at(`expected key=value in [${group}:vars], got: ${line}`);
      const k = line.slice(0, eq).trim();
      b.setGroupVar(b.groups.get(group)!, k, pythonLiteral(line.slice(eq + 1).trim()), { file, path: `${group}.vars.${k}`, line: lineNo });
    } else {
      const cm = INI_GROUPNAME.exec(line);
      if (!cm) return at(`expected a group name in [${group}:children], got: ${line}`);
      const child = cm[1];
      if (!b.groups.has(child)) {
        const p = pending.get(child);
        if (!p) pending.set(child, { line: lineNo, state: 'children', parents: [group] });
        else p.parents.push(group);
      } else b.addChild(group, child, { line: lineNo });
    }
  }

  for (const [g, p] of pending) {
    if (p.state === 'vars') fail(file, `section [${g}:vars] is for a group that is not defined: ${g}`, { line: p.line });
    fail(file, `section [${p.parents[p.parents.length - 1]}:children] includes an undefined group: ${g}`, { line: p.line });
  }
  return b.finish();
}

/** Python's `shlex.split(s, comments)` (POSIX mode). */
export function shlexSplit(s: string, comments = false): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  const WS = ' \t\r\n';
  for (;;) {
    let token = '';
    let quoted = false;
    let state: string = ' ';
    let escaped = ' ';
    let done = false;
    while (!done) {
      const c = i < n ? s[i++] : '';
      if (state === ' ') {
        if (!c) break;
        if (WS.includes(c)) {
          if (token || quoted) break;
        } else if (comments && c === '#') {
          const nl = s.indexOf('\n', i);
          i = nl < 0 ? n : nl + 1;
        } else if (c === '\\') {
          escaped = 'a';
          state = c;
        } else if (c === '"' || c === "'") state = c;
        else {
          token = c;
          state = 'a';
        }
      } else if (state === '"' || state === "'") {
        quoted = true;
        if (!c) throw new Error('No closing quotation');
        if (c === state) state = 'a';
        else if (c === '\\' && state === '"') {
          escaped = state;
          state = c;
        } else token += c;
      } else if (state === '\\') {
        if (!c) throw new Error('No escaped character');
        if ((escaped === '"' || escaped === "'") && c !== state && c !== escaped) token += state;
        token += c;
        state = escaped;
      } else {
        if (!c) {
          done = true;
        } else if (WS.includes(c)) {
          state = ' ';
          if (token || quoted) done = true;
        } else if (comments && c === '#') {
          const nl = s.indexOf('\n', i);
          i = nl < 0 ? n : nl + 1;
          state = ' ';
          if (token || quoted) done = true;
        } else if (c === '"' || c === "'") state = c;
        else if (c === '\\') {
          escaped = 'a';
          state = c;
        } else token += c;
      }
    }
    if (!quoted && token === '') return out;
    out.push(token);
  }
}

// ---------------------------------------------------------------------------------------------
// INI values: Python's ast.literal_eval, else the text itself (ini.py `_parse_value`).
// ---------------------------------------------------------------------------------------------

class NotLiteral extends Error {}

/** A Python int or float literal (no sign, no imaginary part). */
const NUMBER = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][-+]?\d(?:_?\d)*)?)(?![\w.])/;

/** `ast.literal_eval(text)` for the literals that have a JSON equivalent; the text itself otherwise. */
export function pythonLiteral(text: string): unknown {
  try {
    const p = new PyLiteralParser(text.replace(/^[ \t]+/, ''));
    const v = p.expr();
    p.skip();
    if (p.pos < p.src.length) throw new NotLiteral();
    return v;
  } catch (e) {
    if (e instanceof NotLiteral) return text;
    throw e;
  }
}

class PyLiteralParser {
  pos = 0;
  private depth = 0;
  constructor(readonly src: string) {}

  skip(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\f' || (this.depth > 0 && (c === '\n' || c === '\r'))) this.pos++;
      else if (c === '\\' && this.src[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
        if (this.depth === 0) return;
      } else return;
    }
  }

  private peek(): string {
    this.skip();
    return this.src[this.pos] ?? '';
  }

  private eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  expr(): unknown {
    const c = this.peek();
    if (c === '+' || c === '-') {
      this.pos++;
      this.skip();
      const m = NUMBER.exec(this.src.slice(this.pos));
      if (!m) throw new NotLiteral();
      const v = this.number(m[0]);
      return c === '-' ? -v : v;
    }
    if (c === '[') return this.seq('[', ']');
    if (c === '(') return this.seq('(', ')');
    if (c === '{') return this.braces();
    const rest = this.src.slice(this.pos);
    const str = /^([rRuU]?)(['"])/.exec(rest);
    if (str) {
      let s = '';
      while (/^[rRuU]?['"]/.test(this.src.slice(this.pos))) {
        s += this.string();
        this.skip();
      }
      return s;
    }
    const num = NUMBER.exec(rest);
    if (num) return this.number(num[0]);
    const word = /^[A-Za-z_]\w*/.exec(rest);
    if (word) {
      this.pos += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
    }
    throw new NotLiteral();
  }

  private number(tok: string): number {
    this.pos += tok.length;
    const t = tok.replace(/_/g, '');
    if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
    if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
    if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
    if (/^\d+$/.test(t)) {
      if (t.length > 1 && t[0] === '0' && /[1-9]/.test(t)) throw new NotLiteral(); // 010: SyntaxError in Python 3
      return Number(t);
    }
    return Number(t);
  }

  private string(): string {
    const m = /^([rRuU]?)('''|"""|'|")/.exec(this.src.slice(this.pos))!;
    const raw = /r/i.test(m[1]);
    const q = m[2];
    this.pos += m[0].length;
    let out = '';
    for (;;) {
      if (this.pos >= this.src.length) throw new NotLiteral();
      if (this.src.startsWith(q, this.pos)) {
        this.pos += q.length;
        return out;
      }
      const c = this.src[this.pos++];
      if (c === '\n' && q.length === 1) throw new NotLiteral();
      if (c !== '\\') {
        out += c;
        continue;
      }
      const d = this.src[this.pos++] ?? '';
      if (raw) {
        out += c + d;
        continue;
      }
      const simple: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
      if (d in simple) out += simple[d];
      else if (/[0-7]/.test(d)) {
        const oct = /^[0-7]{1,3}/.exec(this.src.slice(this.pos - 1))![0];
        this.pos += oct.length - 1;
        out += String.fromCharCode(parseInt(oct, 8));
      } else if (d === 'x' || d === 'u' || d === 'U') {
        const len = d === 'x' ? 2 : d === 'u' ? 4 : 8;
        const hex = this.src.slice(this.pos, this.pos + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new NotLiteral();
        this.pos += len;
        out += String.fromCodePoint(parseInt(hex, 16));
      } else if (d === 'N') throw new NotLiteral();
      else out += c + d;
    }
  }

  private seq(open: string, close: string): unknown[] {
    this.pos++;
    this.depth++;
    const items: unknown[] = [];
    let sawComma = false;
    while (!this.eat(close)) {
      if (items.length && !sawComma) throw new NotLiteral();
      items.push(this.expr());
      sawComma = this.eat(',');
    }
    this.depth--;
    if (open === '(' && items.length === 1 && !sawComma) return items[0] as unknown[];
    return items;
  }

  private braces(): unknown {
    this.pos++;
    this.depth++;
    const obj: Record<string, unknown> = {};
    const set: unknown[] = [];
    let kind: 'dict' | 'set' | undefined;
    let sawComma = true;
    while (!this.eat('}')) {
      if (!sawComma) throw new NotLiteral();
      const k = this.expr();
      if (this.eat(':')) {
        if (kind === 'set') throw new NotLiteral();
        kind = 'dict';
        if (k !== null && typeof k === 'object') throw new NotLiteral();
        obj[String(k)] = this.expr();
      } else {
        if (kind === 'dict') throw new NotLiteral();
        kind = 'set';
        if (!set.includes(k)) set.push(k);
      }
      sawComma = this.eat(',');
    }
    this.depth--;
    return kind === 'set' ? set : obj;
  }
}
