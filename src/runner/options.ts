/** What the command line asks the runner to do. */
import type { Vars } from '../api/types.js';
import type { TagFilter } from './tags.js';

export interface RunOptions {
  inventoryFile: string;
  /** Vault passwords and the playbook's directory (group_vars/, host_vars/) for loading the inventory. */
  inventoryLoad?: import('../inventory/load.js').LoadOptions;
  limit?: string;
  tags: TagFilter;
  extraVars: Vars;
  extraSources: Record<string, { file: string; path: string; line?: number }>;
  check: boolean;
  diff: boolean;
  forks: number;
  verbosity: number;
  startAtTask?: string;
  /**
   * Connection settings from ansible.cfg, ANSIBLE_* and -u/--private-key/-b/--become-user/-k/-K
   * (ansible_user, ansible_become, ...): the lowest layer of every host's variables.
   */
  connectionVars?: Vars;
}
