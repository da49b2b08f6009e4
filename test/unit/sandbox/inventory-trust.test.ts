/**
 * The sandbox inventories point the engine at their own instance's known_hosts, with strict checking:
 * inventory/sandbox.yml at inventory/sandbox/known_hosts, a generated inventory/sandbox-N.yml at
 * inventory/sandbox/iN/known_hosts.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { sshOptionsFromVars } from '../../../src/connectors/ssh.js';
import { SHARED_PATHS, sandboxInstance } from '../../../src/sandbox/config.js';
import { instanceKnownHosts, inventoryText } from '../../../src/sandbox/inventory.js';

const dir = path.dirname(SHARED_PATHS.baseInventory);
const allVars = (text: string) => YAML.parse(text).all.vars as Record<string, unknown>;

describe('sandbox inventories and host keys', () => {
  it('instance 0: strict checking against inventory/sandbox/known_hosts', () => {
    const o = sshOptionsFromVars('10.10.10.10', allVars(fs.readFileSync(SHARED_PATHS.baseInventory, 'utf8')), dir);
    expect(o.settingsError).toBeUndefined();
    expect(o.hostKeys).toMatchObject({ userKnownHosts: [sandboxInstance(0).paths.knownHosts], unknown: 'refuse' });
    expect(o.keyFile).toBe(SHARED_PATHS.key);
  });

  it('instance N: its own inventory/sandbox/iN/known_hosts', () => {
    for (const n of [1, 4]) {
      const o = sshOptionsFromVars('h', allVars(inventoryText(sandboxInstance(n))), dir);
      expect(o.hostKeys).toMatchObject({ userKnownHosts: [sandboxInstance(n).paths.knownHosts], unknown: 'refuse' });
      expect(o.keyFile).toBe(SHARED_PATHS.key);
    }
  });

  it('only the relative sandbox/known_hosts path moves', () => {
    expect(instanceKnownHosts('-o UserKnownHostsFile=sandbox/known_hosts x', 2)).toBe('-o UserKnownHostsFile=sandbox/i2/known_hosts x');
    expect(instanceKnownHosts('/srv/sandbox/known_hosts sandbox/known_hosts2 mysandbox/known_hosts', 2)).toBe('/srv/sandbox/known_hosts sandbox/known_hosts2 mysandbox/known_hosts');
    expect(instanceKnownHosts('sandbox/known_hosts', 0)).toBe('sandbox/known_hosts');
  });
});
