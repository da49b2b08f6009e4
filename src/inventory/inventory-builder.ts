/** Builds the Inventory model group by group and host by host, with ansible/inventory/data.py and group.py semantics. */
import { collectSecrets } from '../api/secrets.js';
import { fail } from './errors.js';
import type { Group, Host, Inventory, VarSource } from './types.js';
import { hasVaulted, openVaulted, registerAllStrings, type VaultSecret } from './vault.js';

export class InventoryBuilder {
  readonly groups = new Map<string, Group>();
  readonly hosts = new Map<string, Host>();

  /** The file being read (the builder is shared by the files of an inventory directory). */
  file: string;
  /** Set while reading an ansible-vault encrypted file: its variable values are all secret. */
  secretValues = false;

  constructor(
    readonly source: string,
    readonly vault: readonly VaultSecret[] = [],
  ) {
    this.file = source;
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
    value = this.clear(key, value, src);
    g.vars[key] = value;
    g.sources[key] = src;
  }

  setHostVar(h: Host, key: string, value: unknown, src: VarSource): void {
    value = this.clear(key, value, src);
    h.vars[key] = value;
    h.sources[key] = src;
  }

  /** The value with its inline `!vault` values decrypted, its secrets registered. */
  private clear(key: string, value: unknown, src: VarSource): unknown {
    const clear = hasVaulted(value) ? openVaulted(value, this.vault, src) : value;
    collectSecrets(clear, key);
    if (this.secretValues) registerAllStrings(clear);
    return clear;
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
    return { file: this.source, hosts: this.hosts, groups: this.groups, varsDirs: [] };
  }
}

function toPriority(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return parseInt(value, 10);
  return undefined;
}
