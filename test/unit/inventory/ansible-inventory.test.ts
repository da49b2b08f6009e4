/**
 * `./run inventory --list | --host | --graph` against the real ansible-inventory (ansible-core
 * 2.14, /usr/bin/ansible-inventory; skipped when it is absent) on the fixture estate
 * (test/fixtures/ansible-estate: an inventory directory with INI and YAML files, group_vars and
 * host_vars files and folders, vault files and an inline !vault value, a playbook directory) and on
 * Pigsty's own configuration files. Secrets excepted: ours prints them as ********, so Ansible's
 * output is compared after the same redaction (its inline vault objects count as one secret).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/api/secrets.js';
import { graphInventory, hostInventoryVars, listInventory, pythonJson } from '../../../src/cli/inventory-command.js';
import { loadInventory, type Inventory } from '../../../src/inventory/index.js';
import type { VaultSecret } from '../../../src/inventory/vault.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ESTATE = path.join(ROOT, 'test/fixtures/ansible-estate');
const CONF = path.resolve(ROOT, '../shared/pigsty-conf');
const ANSIBLE_INVENTORY = '/usr/bin/ansible-inventory';
const hasAnsible = fs.existsSync(ANSIBLE_INVENTORY);
const VAULT: VaultSecret[] = [
  { id: 'default', password: Buffer.from('estate-vault-pw') },
  { id: 'meta', password: Buffer.from('meta-vault-pw') },
];
const VAULT_FLAGS = ['--vault-id', `default@${ESTATE}/vault-pass.txt`, '--vault-id', `meta@${ESTATE}/vault-pass-meta.txt`];

// an empty ansible.cfg: the machine's own configuration must not change what Ansible prints
const CFG = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-ansinv-')), 'ansible.cfg');
fs.writeFileSync(CFG, '[defaults]\n');

function ansibleInventory(args: string[]): string {
  return execFileSync(ANSIBLE_INVENTORY, args, {
    cwd: ESTATE,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ANSIBLE_CONFIG: CFG, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0', ANSIBLE_INVENTORY_UNPARSED_WARNING: '0' },
  });
}

/** Ansible's JSON as ours prints it: inline vault objects and registered secrets as ********. */
function redactedAnsible(text: string): unknown {
  const value = JSON.parse(redact(text));
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      if ('__ansible_vault' in x) return '********';
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    }
    return x;
  };
  return walk(value);
}

const ours = (v: unknown): unknown => JSON.parse(redact(pythonJson(v)));

describe.skipIf(!hasAnsible)('ansible-inventory parity: the fixture estate', () => {
  const inventoryDir = path.join(ESTATE, 'inventory');
  const playbookDir = path.join(ESTATE, 'playbook');
  const inv: Inventory = loadInventory(inventoryDir, { vault: VAULT });
  const withPlaybook: Inventory = loadInventory(inventoryDir, { vault: VAULT, playbookDir });

  it('--list: same groups, hosts and host variables (directory of INI/YAML/encrypted files, group_vars, host_vars, vault)', () => {
    const want = redactedAnsible(ansibleInventory(['-i', inventoryDir, ...VAULT_FLAGS, '--list']));
    expect(ours(listInventory(inv))).toEqual(want);
  });

  it('--list --playbook-dir: group_vars/host_vars beside the playbook, with their precedence', () => {
    const want = redactedAnsible(ansibleInventory(['-i', inventoryDir, ...VAULT_FLAGS, '--playbook-dir', playbookDir, '--list']));
    expect(ours(listInventory(withPlaybook))).toEqual(want);
  });

  it('--host for every host, and the JSON text itself (key order, indent)', () => {
    for (const h of inv.hosts.keys()) {
      const text = ansibleInventory(['-i', inventoryDir, ...VAULT_FLAGS, '--playbook-dir', playbookDir, '--host', h]);
      expect(ours(hostInventoryVars(withPlaybook, h)), h).toEqual(redactedAnsible(text));
    }
    // no secret and no vault value on this host: the text is byte for byte Ansible's
    const plain = ansibleInventory(['-i', inventoryDir, ...VAULT_FLAGS, '--host', '10.10.10.13']);
    expect(pythonJson(hostInventoryVars(inv, '10.10.10.13')) + '\n').toBe(plain);
  });

  it('--graph, and --graph GROUP', () => {
    expect(graphInventory(inv, 'all').join('\n') + '\n').toBe(ansibleInventory(['-i', inventoryDir, ...VAULT_FLAGS, '--graph']));
    expect(graphInventory(inv, 'redis').join('\n') + '\n').toBe(ansibleInventory(['-i', inventoryDir, ...VAULT_FLAGS, '--graph', 'redis']));
  });

  it('the INI file without extension is read; skipped.ini, hosts.retry and README.md are not (Ansible ignores those extensions)', () => {
    expect(inv.groups.get('pg-meta')?.hosts).toEqual(['10.10.10.10']);
    expect(inv.groups.has('ignored')).toBe(false);
    expect(inv.hosts.has('10.10.10.98')).toBe(false);
    expect(inv.hosts.has('10.10.10.99')).toBe(false);
  });
});

const PIGSTY = ['pgsql.yml', 'meta.yml', 'rich.yml', 'ha/full.yml', 'app/dify.yml'];

describe.skipIf(!hasAnsible || !fs.existsSync(CONF))("ansible-inventory parity: Pigsty's configuration files", () => {
  for (const name of PIGSTY) {
    const file = path.join(CONF, name);
    it.skipIf(!fs.existsSync(file))(`${name}: --list and --graph`, () => {
      const inv = loadInventory(file);
      expect(ours(listInventory(inv))).toEqual(redactedAnsible(ansibleInventory(['-i', file, '--list'])));
      expect(graphInventory(inv, 'all').join('\n') + '\n').toBe(ansibleInventory(['-i', file, '--graph']));
    });
  }
});
