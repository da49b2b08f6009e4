/** Inventory model: what src/inventory/load.ts produces from a YAML or INI file. */
import type { Vars } from '../api/types.js';

export interface VarSource {
  file: string;
  /** Path of the value in the file, e.g. all.children.pg-test.hosts.10.10.10.11.pg_role */
  path: string;
  line?: number;
  /** A `-e key=value` value: a string as written (see coerce-key-values.ts). */
  keyValue?: boolean;
}

export interface Group {
  name: string;
  /** Hosts listed directly under this group, in file order. */
  hosts: string[];
  children: string[];
  parents: string[];
  vars: Vars;
  /** Where each top-level var of this group came from. */
  sources: Record<string, VarSource>;
  /** Distance from `all` (all = 0), for precedence. */
  depth: number;
  priority: number;
}

export interface Host {
  name: string;
  /** Variables set on the host itself (not merged). */
  vars: Vars;
  sources: Record<string, VarSource>;
}

/** Variables of one group_vars/ or host_vars/ entry (its files merged in order), with their sources. */
export interface VarsLayer {
  vars: Vars;
  sources: Record<string, VarSource>;
}

/** The group_vars/ and host_vars/ beside an inventory or a playbook, for the inventory's groups and hosts. */
export interface VarsDirs {
  /** The directory holding group_vars/ and host_vars/. */
  basedir: string;
  /** Beside the inventory (read by ansible-inventory too) or beside the playbook. */
  kind: 'inventory' | 'playbook';
  groups: Map<string, VarsLayer>;
  hosts: Map<string, VarsLayer>;
}

export interface Inventory {
  /** Path of the loaded file (or directory, when -i named one). */
  file: string;
  /** All hosts in inventory order (order of first appearance in the file). */
  hosts: Map<string, Host>;
  /** All groups, including `all` and `ungrouped`. */
  groups: Map<string, Group>;
  /** group_vars/ and host_vars/ in precedence order: beside the inventory, then beside the playbook. */
  varsDirs?: VarsDirs[];
}
