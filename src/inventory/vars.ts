/**
 * Variables of a host, merged as Ansible does (ansible/vars/manager.py, inventory/helpers.py),
 * lowest precedence first:
 *
 *   role defaults < all.vars < group vars (groups sorted by depth, then ansible_group_priority,
 *   then name; later wins) < group_vars/ files < host vars < host_vars/ files < derived <
 *   play vars < set vars < extra vars  (see inventoryVars for the inventory part)
 *
 * Top-level keys replace (Ansible's default hash_behaviour=replace): no deep merge. Returned
 * values are shared with the inventory and the layers: treat them as read-only.
 */
import type { Vars } from '../api/types.js';
import type { Group, Inventory, VarSource, VarsLayer } from './types.js';

export type LayerName = 'defaults' | 'derived' | 'play' | 'set' | 'extra';

export interface VarLayers {
  defaults?: Vars;
  play?: Vars;
  set?: Vars;
  extra?: Vars;
  derived?: Vars;
  /** Where the keys of a layer came from (e.g. `parseExtraVars(...).sources` for `extra`). */
  sources?: Partial<Record<LayerName, Record<string, VarSource>>>;
}

export interface MergedVars {
  vars: Vars;
  /** Where each top-level key's winning value came from. */
  sources: Record<string, VarSource>;
}

/** Labels used as `file` for layers that do not say where their keys came from. */
const LAYER_LABEL: Record<LayerName, string> = {
  defaults: 'role defaults',
  derived: 'derived variables',
  play: 'play vars',
  set: 'set variables',
  extra: 'extra vars',
};

// ---------------------------------------------------------------------------------------------
// Group membership (computed once per inventory object; inventories are not mutated after load).
// ---------------------------------------------------------------------------------------------

interface Index {
  /** Groups each host belongs to, directly or through a child group (Ansible's host.get_groups()). */
  hostGroups: Map<string, Set<string>>;
  /** Group hosts in Ansible's get_hosts() order. */
  groupHosts: Map<string, string[]>;
}

const indexes = new WeakMap<Inventory, Index>();

function index(inv: Inventory): Index {
  let ix = indexes.get(inv);
  if (!ix) {
    ix = { hostGroups: new Map(), groupHosts: new Map() };
    indexes.set(inv, ix);
  }
  return ix;
}

function ancestors(inv: Inventory, group: string, out: Set<string>): void {
  for (const p of inv.groups.get(group)?.parents ?? []) {
    if (!out.has(p)) {
      out.add(p);
      ancestors(inv, p, out);
    }
  }
}

function memberOf(inv: Inventory, host: string): Set<string> {
  const ix = index(inv);
  let groups = ix.hostGroups.get(host);
  if (!groups) {
    groups = new Set();
    for (const g of inv.groups.values()) {
      if (g.hosts.includes(host)) {
        groups.add(g.name);
        ancestors(inv, g.name, groups);
      }
    }
    ix.hostGroups.set(host, groups);
  }
  return groups;
}

/**
 * Hosts of a group, its descendants included, in Ansible's `Group.get_hosts()` order: the group's
 * own hosts, then those of its children in order, then of grandchildren (breadth first). Ansible
 * walks the levels below the children in Python set order; here they follow inventory order.
 * Unknown group: [].
 */
export function groupHosts(inv: Inventory, group: string): string[] {
  const ix = index(inv);
  const cached = ix.groupHosts.get(group);
  if (cached) return cached;
  const g = inv.groups.get(group);
  if (!g) return [];
  const children = (x: string): string[] => inv.groups.get(x)?.children ?? [];
  const ordered = [group, ...g.children];
  const seen = new Set<string>();
  let unprocessed = new Set([group, ...g.children]);
  while (unprocessed.size) {
    for (const u of unprocessed) seen.add(u);
    const next = new Set<string>();
    for (const u of unprocessed) {
      for (const c of children(u)) {
        next.add(c);
        if (!seen.has(c)) ordered.push(c);
      }
    }
    for (const s of seen) next.delete(s);
    unprocessed = next;
  }
  const hosts: string[] = [];
  const seenHosts = new Set<string>();
  for (const kid of ordered) {
    for (const h of inv.groups.get(kid)?.hosts ?? []) {
      if (!seenHosts.has(h)) {
        seenHosts.add(h);
        hosts.push(h);
      }
    }
  }
  ix.groupHosts.set(group, hosts);
  return hosts;
}

/** Ansible's `group_names`: the host's groups, sorted, without `all` (`ungrouped` is kept, as in Ansible). */
export function groupNames(inv: Inventory, host: string): string[] {
  return [...memberOf(inv, host)].filter((g) => g !== 'all').sort(byCodePoint);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ansible's `sort_groups`: by depth, then ansible_group_priority, then name. */
export function sortGroups(groups: Group[]): Group[] {
  return [...groups].sort((a, b) => a.depth - b.depth || a.priority - b.priority || byCodePoint(a.name, b.name));
}

/**
 * Inventory variables of a host, with their sources, in ansible-core's order (vars/manager.py,
 * default VARIABLE_PRECEDENCE), later wins:
 *   all.vars of the inventory file < vars of the host's other groups in the file (sorted) <
 *   group_vars/all beside the inventory < beside the playbook < group_vars/<group> beside the
 *   inventory (sorted groups) < beside the playbook < the host's vars in the file <
 *   host_vars/<host> beside the inventory < beside the playbook.
 */
export function inventoryVars(inv: Inventory, host: string): MergedVars {
  const vars: Vars = {};
  const sources: Record<string, VarSource> = {};
  const put = (from: Vars, src: (k: string) => VarSource): void => {
    for (const [k, v] of Object.entries(from)) {
      vars[k] = v;
      sources[k] = src(k);
    }
  };
  const putLayer = (layer: VarsLayer | undefined): void => {
    if (layer) put(layer.vars, (k) => layer.sources[k]);
  };
  const groupLayer = (g: Group): void =>
    put(g.vars, (k) => g.sources[k] ?? { file: inv.file, path: `${g.name}.vars.${k}` });

  const dirs = inv.varsDirs ?? [];
  const all = inv.groups.get('all');
  if (all) groupLayer(all);
  const groups = sortGroups([...memberOf(inv, host)].filter((g) => g !== 'all').map((g) => inv.groups.get(g)!));
  for (const g of groups) groupLayer(g);
  for (const d of dirs) putLayer(d.groups.get('all'));
  for (const d of dirs) for (const g of groups) putLayer(d.groups.get(g.name));
  const h = inv.hosts.get(host);
  if (h) put(h.vars, (k) => h.sources[k] ?? { file: inv.file, path: `${host}.${k}` });
  for (const d of dirs) putLayer(d.hosts.get(host));
  return { vars, sources };
}

/** Merged variables of a host with every layer, and where each top-level key came from. */
export function hostVars(inv: Inventory, host: string, layers: VarLayers = {}): MergedVars {
  const vars: Vars = {};
  const sources: Record<string, VarSource> = {};
  const layer = (name: LayerName): void => {
    const from = layers[name];
    if (!from) return;
    const src = layers.sources?.[name];
    for (const [k, v] of Object.entries(from)) {
      vars[k] = v;
      sources[k] = src?.[k] ?? { file: LAYER_LABEL[name], path: k };
    }
  };
  layer('defaults');
  const inv0 = inventoryVars(inv, host);
  Object.assign(vars, inv0.vars);
  Object.assign(sources, inv0.sources);
  layer('derived');
  layer('play');
  layer('set');
  layer('extra');
  return { vars, sources };
}
