/**
 * Parallel sandbox instances: instance 4 (10.10.10.90-93; the e2e suite's own, see docs/sandbox.md)
 * comes up beside the default instance 0 on the same bridge, proxy and base, answers SSH by IP, its
 * hosts know each other by name at its own addresses, its generated inventory has the mapped
 * addresses, and it goes down again without touching instance 0 (same pids, still answering).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_PATHS, hostPaths, sandboxInstance } from '../../src/sandbox/config.js';
import { hostRecord } from '../../src/sandbox/host.js';
import { instancesWithState, sandboxDown, sandboxStatus, sandboxUp } from '../../src/sandbox/lifecycle.js';
import { sandboxMain } from '../../src/sandbox/cli.js';
import { isAlive } from '../../src/sandbox/state.js';
import { mapAddresses } from '../../src/sandbox/inventory.js';
import { loadInventory } from '../../src/inventory/index.js';
import { sshTo } from './lib/ssh.js';

const I4 = sandboxInstance(4);
const I0 = sandboxInstance(0);

/** ok(): `ssh -F inventory/sandbox/i4/ssh_config TARGET -- CMD` must exit 0 (TARGET: a name or an address of instance 4). */
const { ok } = sshTo(I4.paths.sshConfig);

/** Instance 0's hosts as they are now: nspawn pid records, which must not change while instance 4 comes and goes. */
const instance0Pids = () => I0.hosts.map((h) => hostRecord(h)?.nspawn);

describe('sandbox instances', () => {
  let before: ReturnType<typeof instance0Pids>;

  beforeAll(async () => {
    before = instance0Pids();
    expect((await sandboxStatus(0)).allRunning, 'instance 0 runs before the test').toBe(true);
    const t0 = Date.now();
    await sandboxUp({ instance: 4, quiet: true });
    console.log(`up of instance 4: ${Date.now() - t0} ms`);
  });

  afterAll(async () => {
    await sandboxDown({ instance: 4, quiet: true }); // whatever happened
  });

  it('runs the four hosts at 10.10.10.90-93 beside instance 0', async () => {
    const s = await sandboxStatus(4);
    expect(s.instance).toBe(4);
    expect(s.hosts.map((h) => [h.host.name, h.host.ip, h.state])).toEqual([
      ['meta', '10.10.10.90', 'running'],
      ['node-1', '10.10.10.91', 'running'],
      ['node-2', '10.10.10.92', 'running'],
      ['node-3', '10.10.10.93', 'running'],
    ]);
    expect(instancesWithState()).toEqual(expect.arrayContaining([0, 4]));
    // names of its own, so nothing collides with instance 0's
    expect(I4.hosts.map((h) => [h.netns, h.veth, h.cgroup])[1]).toEqual(['pgplay-i4-node-1', 'pgp-i4-node-1', 'pgplay/i4/node-1']);
    for (const h of I4.hosts) expect(h.veth.length).toBeLessThanOrEqual(15);
  });

  it('answers SSH by IP on meta and node-1, with their own hostnames and addresses', async () => {
    expect(await ok('10.10.10.90', 'hostname; hostname -I | cut -d" " -f1')).toBe('meta\n10.10.10.90');
    expect(await ok('10.10.10.91', 'hostname; hostname -I | cut -d" " -f1')).toBe('node-1\n10.10.10.91');
    // not instance 0's meta: a machine of its own
    const id4 = await ok('10.10.10.90', 'cat /etc/machine-id');
    const id0 = readFileSync(`${hostPaths(I0.hosts[0]).upper}/etc/machine-id`, 'utf8').trim(); // instance 0's meta
    expect(id4).toMatch(/^[0-9a-f]{32}$/);
    expect(id4).not.toBe(id0);
    // `./run sandbox --instance 4 ssh NAME -- CMD` and the instance's IPs
    expect(await sandboxMain(['--instance', '4', 'ssh', 'node-1', '--', 'hostname -I | grep -qw "10.10.10.91"'])).toBe(0);
    expect(await sandboxMain(['--instance', '4', 'ssh', '10.10.10.92', '--', 'test "$(hostname)" = node-2'])).toBe(0);
    expect(await sandboxMain(['--instance', '4', 'ssh', '10.10.10.12', '--', 'true'])).not.toBe(0); // instance 0's address
  });

  it('lets its hosts see each other by name, at its own addresses (sandbox key copied to meta)', async () => {
    expect(await ok('meta', 'getent hosts node-1 node-2 node-3 | cut -d" " -f1 | tr "\\n" " "')).toBe('10.10.10.91 10.10.10.92 10.10.10.93');
    expect(await ok('node-3', 'getent hosts meta | cut -d" " -f1')).toBe('10.10.10.90');
    expect(await ok('node-2', 'ping -c1 -W2 node-3 >/dev/null && echo ok')).toBe('ok');
    await ok('meta', 'umask 077 && cat > /root/.ssh/id_ed25519', readFileSync(SHARED_PATHS.key, 'utf8'));
    // host keys checked against /etc/ssh/ssh_known_hosts, which up writes with the instance's keys
    expect(await ok('meta', 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes node-1 hostname -I | cut -d" " -f1')).toBe('10.10.10.91');
    expect(await ok('meta', 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes node-3 hostname')).toBe('node-3');
  });

  it('has its inventory, inventory/sandbox-4.yml, with the addresses mapped', () => {
    const file = I4.paths.inventory;
    expect(file).toBe(resolve(dirname(SHARED_PATHS.baseInventory), 'sandbox-4.yml'));
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# GENERATED by `PGPLAY_SANDBOX=4 \.\/run sandbox up` from inventory\/sandbox\.yml/);
    const inv = loadInventory(file);
    const base = loadInventory(SHARED_PATHS.baseInventory);
    const move = (ip: string) => ip.replace(/^10\.10\.10\.(\d+)$/, (_, x: string) => `10.10.10.${Number(x) + 80}`);
    expect([...inv.hosts.keys()]).toEqual([...base.hosts.keys()].map(move));
    expect([...inv.hosts.keys()]).toEqual(['10.10.10.90', '10.10.10.91', '10.10.10.92', '10.10.10.93']);
    for (const [name, g] of base.groups) expect(inv.groups.get(name)!.hosts).toEqual(g.hosts.map(move));
    const vars = inv.groups.get('all')!.vars as Record<string, unknown>;
    expect(vars.admin_ip).toBe('10.10.10.90');
    expect(existsSync(resolve(dirname(file), String(vars.ansible_ssh_private_key_file)))).toBe(true);
    const body = text.slice(text.indexOf('\n---\n')); // after the generated header
    expect(body).not.toMatch(/(?<![\d.])10\.10\.10\.(?:[2-9]|1\d)(?![\d])/); // nothing of instance 0's left
  });

  it('maps addresses 10.10.10.2-19 (hosts, VIPs, host CIDRs), not networks or the controller', () => {
    expect(mapAddresses('10.10.10.10 10.10.10.2/24 10.10.10.10/32 10.10.10.19', 4)).toBe('10.10.10.90 10.10.10.82/24 10.10.10.90/32 10.10.10.99');
    expect(mapAddresses('10.10.10.0/24 10.10.10.1 10.10.10.20 10.10.10.100 110.10.10.10 10.10.10.8/29', 1)).toBe(
      '10.10.10.0/24 10.10.10.1 10.10.10.20 10.10.10.100 110.10.10.10 10.10.10.8/29',
    );
    expect(mapAddresses('admin_ip: 10.10.10.10', 0)).toBe('admin_ip: 10.10.10.10');
  });

  it('goes down without touching instance 0, and leaves nothing of its own behind', async () => {
    await sandboxDown({ instance: 4, quiet: true });
    const s = await sandboxStatus(4);
    expect(s.hosts.map((h) => h.state)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    expect(existsSync(I4.paths.inventory)).toBe(false);
    expect(existsSync(I4.paths.hosts)).toBe(false);
    for (const h of I4.hosts) expect(existsSync(`/run/netns/${h.netns}`)).toBe(false);
    expect(instancesWithState()).not.toContain(4);
    // instance 0: the same processes, still answering; the bridge and the proxy it needs stay
    const after = instance0Pids();
    expect(after).toEqual(before);
    for (const r of after) expect(isAlive(r)).toBe(true);
    const s0 = await sandboxStatus(0);
    expect(s0.allRunning).toBe(true);
    expect(s0.bridge.up).toBe(true);
    expect(s0.proxy.answers).toBe(true);
  });
});

