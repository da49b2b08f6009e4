/** INI inventories (plugins/inventory/ini.py), with the file, dotted path and line of every variable. */
import { fail } from './errors.js';
import { expandHostKey } from './host-range.js';
import { InventoryBuilder } from './inventory-builder.js';
import { pythonLiteral, shlexSplit } from './python-literal.js';
import type { Inventory } from './types.js';

const INI_SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const INI_GROUPNAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

export function parseIniInventory(text: string, file: string): Inventory {
  const b = new InventoryBuilder(file);
  readIniInventory(text, b);
  return b.finish();
}

/** Adds the groups and hosts of an INI inventory (the builder's current file) to the builder. */
export function readIniInventory(text: string, b: InventoryBuilder): void {
  const file = b.file;
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
    if (line.startsWith('[') && !line.includes(']')) at(`unclosed section header '${line}': a section is written [name] or [name:vars] / [name:children]`);
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
}
