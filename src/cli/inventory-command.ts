/**
 * `./run inventory --list | --host HOST | --graph [GROUP]`: what `ansible-inventory` prints for the
 * same files (JSON with sorted keys and 4-space indents; the same graph), except that secrets
 * (vault-decrypted values, passwords) are printed as ******** where Ansible prints them in clear
 * (and inline `!vault` values, which Ansible prints as {"__ansible_vault": ...}).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, UserError } from '../api/errors.js';
import { redact } from '../api/secrets.js';
import { inventoryVars, loadInventory, type Inventory } from '../inventory/index.js';
import { readVaultSecrets } from '../inventory/vault-secrets.js';
import type { VaultSecret } from '../inventory/vault.js';
import { VAULT_OPTIONS, vaultArgs, type VaultArgs } from './args.js';
import { DEFAULT_INVENTORY } from './paths.js';
import { promptSecret } from './prompt.js';

export const INVENTORY_USAGE = `usage: ./run inventory [-i INVENTORY] (--list | --host HOST | --graph [GROUP]) [options]

Prints the inventory as ansible-inventory does (secrets shown as ********).

options:
  -i, --inventory FILE|DIR    inventory file, or a directory of them (default: inventory/sandbox.yml)
      --list                  every group and the variables of every host, as JSON
      --host HOST             the variables of one host, as JSON
      --graph [GROUP]         the group tree (from GROUP, default all)
      --playbook-dir DIR      also read DIR/group_vars and DIR/host_vars (as a playbook there would)
      --vault-password-file FILE, --vault-id [LABEL@]SOURCE, -J/--ask-vault-pass   vault passwords
  -h, --help                  this help`;

/** Ansible's INTERNAL_VARS: never printed by ansible-inventory. */
const INTERNAL_VARS = new Set([
  'ansible_diff_mode', 'ansible_config_file', 'ansible_facts', 'ansible_forks', 'ansible_inventory_sources', 'ansible_limit',
  'ansible_playbook_python', 'ansible_run_tags', 'ansible_skip_tags', 'ansible_verbosity', 'ansible_version', 'inventory_dir',
  'inventory_file', 'inventory_hostname', 'inventory_hostname_short', 'groups', 'group_names', 'omit', 'playbook_dir',
]);

/** Vault passwords from the flags; ansible.cfg's vault_password_file when no flag gives one. */
export function vaultSecrets(v: VaultArgs, cfgPasswordFile?: string): Promise<VaultSecret[]> {
  const given = v.passwordFiles.length || v.vaultIds.length || v.askVaultPass;
  const passwordFiles = given || !cfgPasswordFile ? v.passwordFiles : [cfgPasswordFile];
  return readVaultSecrets({ ...v, passwordFiles }, promptSecret);
}

export async function inventoryMain(argv: string[], defaults: { inventory?: string; vaultPasswordFile?: string } = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        inventory: { type: 'string', short: 'i' },
        list: { type: 'boolean' },
        host: { type: 'string' },
        graph: { type: 'boolean' },
        'playbook-dir': { type: 'string' },
        ...VAULT_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${INVENTORY_USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(INVENTORY_USAGE + '\n');
    return EXIT.ok;
  }
  const modes = [v.list && '--list', v.host !== undefined && '--host', v.graph && '--graph'].filter(Boolean);
  if (modes.length !== 1) throw new UsageError(`give one of --list, --host HOST or --graph${modes.length ? ` (not ${modes.join(' and ')})` : ''}\n\n${INVENTORY_USAGE}`);
  const extra = v.graph ? parsed.positionals.slice(1) : parsed.positionals;
  if (extra.length) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')}\n\n${INVENTORY_USAGE}`);

  const source = path.resolve(v.inventory ?? defaults.inventory ?? DEFAULT_INVENTORY);
  const vault = await vaultSecrets(vaultArgs(v), defaults.vaultPasswordFile);
  const inv = loadInventory(source, { vault, playbookDir: v['playbook-dir'] });
  let out: string;
  if (v.list) out = pythonJson(listInventory(inv));
  else if (v.graph) out = graphInventory(inv, parsed.positionals[0] ?? 'all').join('\n');
  else {
    if (!inv.hosts.has(v.host!)) throw new UserError(`--host: no host '${v.host}' in ${source} (a host is named as in the inventory, e.g. 10.10.10.11)`, [{ file: source, message: `no host '${v.host}'` }]);
    out = pythonJson(hostInventoryVars(inv, v.host!));
  }
  process.stdout.write(redact(out) + '\n');
  return EXIT.ok;
}

/** A host's inventory variables as ansible-inventory --host prints them. */
export function hostInventoryVars(inv: Inventory, host: string): Record<string, unknown> {
  const vars = inventoryVars(inv, host).vars;
  return Object.fromEntries(Object.entries(vars).filter(([k]) => !INTERNAL_VARS.has(k)));
}

/** ansible-inventory --list (InventoryCLI.json_inventory, without --export). */
export function listInventory(inv: Inventory): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  const seen = new Set<string>();
  const format = (name: string): void => {
    const g = inv.groups.get(name)!;
    const entry: Record<string, string[]> = {};
    if (name !== 'all' && g.hosts.length) entry.hosts = [...g.hosts];
    if (g.children.length) entry.children = [...g.children];
    if (Object.keys(entry).length) results[name] = entry;
    for (const c of g.children) {
      if (!seen.has(c)) {
        format(c);
        seen.add(c);
      }
    }
  };
  format('all');
  const hostvars: Record<string, unknown> = {};
  for (const h of inv.hosts.keys()) {
    const vars = hostInventoryVars(inv, h);
    if (Object.keys(vars).length) hostvars[h] = vars;
  }
  results._meta = { hostvars };
  return results;
}

/** ansible-inventory --graph [GROUP] (InventoryCLI._graph_group). */
export function graphInventory(inv: Inventory, group: string): string[] {
  if (!inv.groups.has(group)) throw new UserError(`--graph: no group '${group}' in ${inv.file}`, [{ file: inv.file, message: `no group '${group}'` }]);
  const name = (s: string, depth: number): string => (depth ? '  |'.repeat(depth) + '--' + s : s);
  const walk = (g: string, depth: number): string[] => {
    const grp = inv.groups.get(g)!;
    const lines = [name(`@${g}:`, depth)];
    for (const kid of grp.children) lines.push(...walk(kid, depth + 1));
    if (g !== 'all') for (const h of grp.hosts) lines.push(name(h, depth + 1));
    return lines;
  };
  return walk(group, 0);
}

/** json.dumps(value, sort_keys=True, indent=4, ensure_ascii=False), as ansible-inventory prints. */
export function pythonJson(value: unknown): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (x && typeof x === 'object') {
      return Object.fromEntries(Object.keys(x).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, sorted((x as Record<string, unknown>)[k])]));
    }
    return x;
  };
  return JSON.stringify(sorted(value), null, 4);
}
