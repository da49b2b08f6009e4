/**
 * The sandbox itself: four real Debian hosts with systemd, reachable over SSH, isolated from each
 * other, installing packages through the apt proxy, and repaired or rebuilt by `up`.
 *
 * Host-to-host SSH: the test copies the sandbox key to node-1 for the duration of that test (and
 * removes it after); host names resolve through every host's /etc/hosts and host keys are checked
 * against /etc/ssh/ssh_known_hosts, which `up` writes into every host.
 *
 * Leaves every host running. The down/up test recreates all four hosts (empty disks), so it runs last.
 * Works on the instance PGPLAY_SANDBOX selects (HOSTS, PATHS; the default instance 0 when unset).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HOSTS, PATHS, resolveHost } from '../../src/sandbox/config.js';
import { busyInstances, hostRecord } from '../../src/sandbox/host.js';
import { resetHosts, sandboxDown, sandboxStatus, sandboxUp } from '../../src/sandbox/lifecycle.js';
import { sandboxMain } from '../../src/sandbox/cli.js';
import { isAlive, waitGone } from '../../src/sandbox/state.js';
import { SshConnection } from '../../src/connectors/ssh.js';
import { service } from '../../src/operations/service.js';
import type { ModuleContext } from '../../src/api/types.js';
import { sshTo } from './lib/ssh.js';

/** `ssh -F inventory/sandbox/ssh_config NAME -- CMD` (the same ssh_config `./run sandbox ssh` uses). */
const { sh, ok } = sshTo(PATHS.sshConfig);

const all = () => Promise.all(HOSTS.map((h) => ok(h.name, 'echo "$(hostname) $(cat /etc/machine-id)"')));

describe('sandbox', () => {
  afterAll(async () => {
    await sandboxUp({ quiet: true }); // whatever happened, leave the sandbox up for the next files
  });

  it('is up: status reports four running hosts, and a second up is a no-op (its time printed, not asserted)', async () => {
    const s = await sandboxStatus();
    expect(s.hosts.map((h) => [h.host.name, h.host.ip, h.state])).toEqual(HOSTS.map((h) => [h.name, h.ip, 'running']));
    expect(s.proxy.answers).toBe(true);
    const t0 = Date.now();
    await sandboxUp({ quiet: true });
    console.log(`second sandbox up: ${Date.now() - t0} ms (a figure, not a test: it depends on the machine's load)`);
  });

  it('has distinct hostnames and machine-ids', async () => {
    const rows = (await all()).map((l) => l.split(' '));
    expect(rows.map((r) => r[0])).toEqual(HOSTS.map((h) => h.name));
    const ids = rows.map((r) => r[1]);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(4);
  });

  it('accepts host names and IPs, and `ssh NAME -- CMD` exits with the command status', async () => {
    expect(resolveHost(HOSTS[2].ip).name).toBe('node-2');
    expect(() => resolveHost('node-9')).toThrow(/unknown sandbox host/);
    expect(await sandboxMain(['ssh', 'node-1', '--', 'exit 7'])).toBe(7);
    expect(await sandboxMain(['ssh', HOSTS[3].ip, '--', 'test "$(hostname)" = node-3'])).toBe(0);
    expect(await sandboxMain(['ssh', 'nowhere', '--', 'true'])).not.toBe(0);
  });

  it('lets hosts reach each other over SSH (sandbox key copied to node-1 for this test)', async () => {
    const key = (await import('node:fs')).readFileSync(PATHS.key, 'utf8');
    await ok('node-1', 'umask 077 && cat > /root/.ssh/id_ed25519', key);
    try {
      expect(await ok('node-1', 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes node-2 hostname')).toBe('node-2');
      expect(await ok('node-1', `ssh -o BatchMode=yes ${HOSTS[0].ip} hostname`)).toBe('meta');
      expect(await ok('node-1', 'ping -c1 -W2 node-3 >/dev/null && echo ok')).toBe('ok');
    } finally {
      await ok('node-1', 'rm -f /root/.ssh/id_ed25519 /root/.ssh/known_hosts');
    }
  });

  it('keeps each host its own filesystem', async () => {
    const mark = `/root/pgplay-e2e-${process.pid}`;
    await ok('node-1', `echo here > ${mark}`);
    try {
      expect(await ok('node-1', `cat ${mark}`)).toBe('here');
      for (const other of ['meta', 'node-2', 'node-3']) expect((await sh(other, `test -e ${mark}`)).code).toBe(1);
    } finally {
      await ok('node-1', `rm -f ${mark}`);
    }
  });

  it('installs packages with apt through the proxy, and has no route out', async () => {
    expect(await ok('node-3', 'ip -4 route show default')).toBe('');
    const t0 = Date.now();
    await ok('node-3', 'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends tree >/dev/null');
    const took = Date.now() - t0;
    try {
      expect(await ok('node-3', 'tree --version')).toMatch(/^tree v/);
      console.log(`apt-get install tree on node-3: ${took} ms`);
    } finally {
      await ok('node-3', 'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 purge -y -q tree >/dev/null');
    }
  });

  it('runs systemd: the system is running and units start and stop', async () => {
    for (const h of HOSTS) expect(['running', 'degraded']).toContain((await sh(h.name, 'systemctl is-system-running')).stdout);
    expect(await ok('node-2', 'systemctl is-active cron')).toBe('active');
    await ok('node-2', 'systemctl stop cron');
    expect((await sh('node-2', 'systemctl is-active cron')).stdout).toBe('inactive');
    await ok('node-2', 'systemctl start cron');
    expect(await ok('node-2', 'systemctl is-active cron')).toBe('active');
    // a transient unit, as roles' handlers would use
    await ok('node-2', 'systemd-run --quiet --unit=pgplay-e2e-sleep sleep 600');
    expect(await ok('node-2', 'systemctl is-active pgplay-e2e-sleep')).toBe('active');
    await ok('node-2', 'systemctl stop pgplay-e2e-sleep');
    expect((await sh('node-2', 'systemctl is-active pgplay-e2e-sleep')).code).not.toBe(0);
  });

  it('the service module starts a unit that crash-looped into the start limit (as Debian leaves unconfigured daemons)', async () => {
    const unit = 'pgplay-e2e-crashloop';
    const conf = `/etc/default/${unit}`;
    await ok('node-2', [
      `printf 'CMD=false\\n' > ${conf}`,
      `printf '[Service]\\nEnvironmentFile=${conf}\\nExecStart=/bin/sh -c "exec $$CMD"\\nRestart=on-failure\\nRestartSec=50ms\\n' > /etc/systemd/system/${unit}.service`,
      'systemctl daemon-reload',
      `systemctl start ${unit} || true`,
      // systemd's default: 5 starts in 10 s, then the unit stays failed
      `for i in $(seq 50); do systemctl is-failed --quiet ${unit} && break; sleep 0.1; done`,
      `printf 'CMD=sleep 600\\n' > ${conf}`,
    ].join('\n'));
    // the precondition: a plain start is refused ('Start request repeated too quickly') although
    // the unit is configured now
    expect((await sh('node-2', `systemctl start ${unit}`)).code).not.toBe(0);
    const h = HOSTS.find((x) => x.name === 'node-2')!;
    const conn = new SshConnection({ host: h.name, address: h.ip, port: 22, user: 'root', keyFile: PATHS.key, become: false, hostKeys: { userKnownHosts: [PATHS.knownHosts] } });
    try {
      const ctx: ModuleContext = { conn, check: false, diff: false, facts: undefined as never, log: () => {} };
      const r = await service({ name: unit, state: 'restarted' }).module.run({ name: unit, state: 'restarted' }, ctx);
      expect(r.status, r.msg).toBe('changed');
      expect(await ok('node-2', `systemctl is-active ${unit}`)).toBe('active');
    } finally {
      await conn.close();
      await sh('node-2', `systemctl stop ${unit}; rm -f /etc/systemd/system/${unit}.service ${conf}; systemctl daemon-reload; systemctl reset-failed ${unit} 2>/dev/null; true`);
    }
  });

  it('gives hosts CAP_NET_ADMIN (a VIP can be added) and CAP_IPC_LOCK', async () => {
    const vip = `10.10.10.${99 - HOSTS[0].instance}`; // one per instance (PGPLAY_SANDBOX), all on the one bridge
    await ok('node-1', `ip addr add ${vip}/24 dev eth0 && ip -br addr show eth0 | grep -q ${vip}`);
    await ok('node-1', `ip addr del ${vip}/24 dev eth0`);
    expect(await ok('node-1', 'grep ^CapEff /proc/1/status | cut -f2')).toMatch(/^[0-9a-f]+$/);
    const capEff = BigInt('0x' + (await ok('node-1', 'grep ^CapEff /proc/self/status | cut -f2')));
    expect(capEff & (1n << 12n)).toBe(1n << 12n); // CAP_NET_ADMIN
    expect(capEff & (1n << 14n)).toBe(1n << 14n); // CAP_IPC_LOCK
  });

  it('repairs a host whose nspawn was killed with SIGKILL, keeping its disk', async () => {
    const h = resolveHost('node-3');
    await ok('node-3', 'echo survived > /root/crash-marker');
    const before = hostRecord(h)!;
    expect(isAlive(before.nspawn)).toBe(true);
    process.kill(before.nspawn.pid, 'SIGKILL');
    expect(await waitGone(before.nspawn, 5000)).toBe(true);
    const broken = await sandboxStatus();
    expect(broken.hosts.find((s) => s.host.name === 'node-3')!.state).toBe('broken');
    expect(await sandboxMain(['status'])).not.toBe(0);

    const t0 = Date.now();
    await sandboxUp({ quiet: true });
    console.log(`up repaired node-3 in ${Date.now() - t0} ms`);
    const after = hostRecord(h)!;
    expect(after.nspawn.pid).not.toBe(before.nspawn.pid);
    if (before.init) expect(isAlive(before.init)).toBe(false); // the old host's systemd is gone too
    expect(await ok('node-3', 'cat /root/crash-marker && rm /root/crash-marker')).toBe('survived');
    expect(await sandboxMain(['status'])).toBe(0);
  });

  it('recreates one host from the base with `reset`', async () => {
    const [oldId] = (await ok('node-3', 'cat /etc/machine-id; touch /root/old-disk')).split('\n');
    await resetHosts([resolveHost('node-3')], { quiet: true });
    const newId = await ok('node-3', 'cat /etc/machine-id');
    expect(newId).not.toBe(oldId);
    expect((await sh('node-3', 'test -e /root/old-disk')).code).toBe(1);
    // the others still know node-3's new host key
    expect(await ok('meta', 'ssh-keygen -F node-3 -f /etc/ssh/ssh_known_hosts >/dev/null && echo known')).toBe('known');
  });

  it('goes down (nothing left behind) and comes back up', async () => {
    await sandboxDown({ quiet: true });
    const down = await sandboxStatus();
    expect(down.hosts.map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    // the bridge and the proxy go with the last instance down (other instances may be up: docs/sandbox.md)
    const others = busyInstances(down.instance).length > 0;
    expect(down.bridge.up).toBe(others);
    expect(down.proxy.answers).toBe(others);
    expect(down.base.present).toBe(true); // kept for the next up

    const t0 = Date.now();
    await sandboxUp({ quiet: true });
    console.log(`up after down (base kept): ${Date.now() - t0} ms`);
    const rows = (await all()).map((l) => l.split(' '));
    expect(rows.map((r) => r[0])).toEqual(HOSTS.map((h) => h.name));
    expect(new Set(rows.map((r) => r[1])).size).toBe(4);
    expect((await sandboxStatus()).allRunning).toBe(true);
  });
});
