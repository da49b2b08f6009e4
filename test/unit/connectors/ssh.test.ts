/**
 * SshConnection against a REAL sshd on 127.0.0.1, started by the test with a temporary config,
 * host key and authorized key. Skipped (with the reason) only when /usr/sbin/sshd is absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../../src/api/errors.js';
import { createConnection } from '../../../src/connectors/index.js';
import { LocalConnection } from '../../../src/connectors/local.js';
import { SshConnection, sshOptionsFromVars, type SshOptions } from '../../../src/connectors/ssh.js';

const SSHD = '/usr/sbin/sshd';
const user = os.userInfo().username;

describe('ssh options from inventory vars', () => {
  it('defaults and Ansible variables', () => {
    expect(sshOptionsFromVars('10.10.10.11', {}, '/inv')).toEqual({ host: '10.10.10.11', address: '10.10.10.11', port: 22, user: 'root', keyFile: undefined, password: undefined, become: false });
    const o = sshOptionsFromVars('pg-1', { ansible_host: '10.0.0.5', ansible_port: '2222', ansible_user: 'admin', ansible_ssh_private_key_file: 'keys/id', ansible_ssh_pass: 'pw', ansible_become: 'yes' }, '/inv');
    expect(o).toEqual({ host: 'pg-1', address: '10.0.0.5', port: 2222, user: 'admin', keyFile: '/inv/keys/id', password: 'pw', become: true });
    expect(sshOptionsFromVars('h', { ansible_ssh_private_key_file: '/abs/key', ansible_password: 'p' }, '/inv')).toMatchObject({ keyFile: '/abs/key', password: 'p' });
  });

  it('ansible_connection local gives a LocalConnection', () => {
    expect(createConnection('h', { ansible_connection: 'local' }, '/inv')).toBeInstanceOf(LocalConnection);
    expect(createConnection('h', {}, '/inv')).toBeInstanceOf(SshConnection);
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => (c.destroy(), resolve(true)));
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`sshd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TCP proxy to sshd whose connections the test can cut (a dropped network). */
function proxy(target: number): Promise<{ port: number; cut: () => void; server: net.Server }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const up = net.connect(target, '127.0.0.1');
    for (const s of [c, up]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    c.pipe(up).pipe(c);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as net.AddressInfo).port,
    cut: () => sockets.forEach((s) => s.destroy()),
    server,
  })));
}

describe.skipIf(!fs.existsSync(SSHD))(`SshConnection against a real sshd (${fs.existsSync(SSHD) ? SSHD : `skipped: ${SSHD} is absent, apt-get install openssh-server`})`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-sshd-'));
  const keyFile = path.join(dir, 'id_ed25519');
  let port = 0;
  let sshd: ChildProcess;
  const conns: SshConnection[] = [];
  const open = (o: Partial<SshOptions> = {}) => {
    const c = new SshConnection({ host: 'test', address: '127.0.0.1', port, user, keyFile, become: false, ...o });
    conns.push(c);
    return c;
  };

  beforeAll(async () => {
    const host = ssh2.utils.generateKeyPairSync('ed25519');
    const client = ssh2.utils.generateKeyPairSync('ed25519');
    fs.writeFileSync(path.join(dir, 'host_key'), host.private, { mode: 0o600 });
    fs.writeFileSync(keyFile, client.private, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'authorized_keys'), `${client.public}\n`, { mode: 0o600 });
    port = await freePort();
    fs.writeFileSync(path.join(dir, 'sshd_config'), [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'MaxSessions 10', 'LogLevel ERROR',
    ].join('\n') + '\n');
    if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    sshd = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    sshd.stderr!.on('data', (d) => (log += d));
    await waitForPort(port).catch((e) => {
      throw new Error(`${e.message}: ${log}`);
    });
  }, 30_000);

  afterAll(async () => {
    await Promise.all(conns.map((c) => c.close()));
    sshd?.kill();
  });

  it('exec: rc, stdout, stderr, stdin, env, large input and output', async () => {
    const c = open();
    await c.connect();
    expect(await c.exec('echo out; echo err >&2; exit 3')).toEqual({ rc: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await c.exec('echo "$0 $V"', { env: { V: "it's" } })).stdout).toBe("/bin/sh it's\n");
    const big = Buffer.alloc(3 * 1024 * 1024, 'abcdefgh');
    expect((await c.exec('sha256sum | cut -c1-64', { stdin: big })).stdout.trim()).toBe(
      (await new LocalConnection().exec('sha256sum | cut -c1-64', { stdin: big })).stdout.trim());
    expect((await c.exec('head -c 8000000 /dev/zero | tr "\\0" y')).stdout.length).toBe(8_000_000);
    expect((await c.exec('sleep 10', { timeoutMs: 500 })).rc).toBe(124);
  });

  it('env travels on stdin ahead of the command\'s own stdin (also through become and timeout)', async () => {
    const c = open();
    const env = { V: "a'b\nc", W: 'w' };
    const cmd = 'tr "\\0\\n" "  " </proc/$PPID/cmdline; echo; cat; printf "[%s]" "$V" "$W"';
    expect((await c.exec(cmd, { env, stdin: Buffer.from('in\n') })).stdout).toMatch(/^[^\n]*\nin\n\[a'b\nc\]\[w\]$/);
    const root = process.getuid?.() === 0;
    const r = await c.exec(`id -un; ${cmd}`, { env, stdin: 'in\n', timeoutMs: 20_000, becomeUser: root ? 'nobody' : undefined });
    expect(r.stdout).toMatch(new RegExp(`^${root ? 'nobody' : user}\\n[^\\n]*\\nin\\n\\[a'b\\nc\\]\\[w\\]$`));
    expect(r.stdout.split('\n')[1]).not.toContain("a'b"); // the parent's argv
  });

  // Slow hosts: every channel runs the login shell (bash may source ~/.bashrc under sshd).
  it('one persistent connection across 50 execs, round trips counted', { timeout: 120_000 }, async () => {
    const c = open();
    const sources = new Set<string>();
    for (let i = 0; i < 50; i++) sources.add((await c.exec('echo "$SSH_CONNECTION"')).stdout.split(' ')[1]);
    expect(sources.size).toBe(1);
    expect(c.roundTrips).toBe(50);
  });

  it('parallel execs beyond MaxSessions are queued on the one connection', { timeout: 120_000 }, async () => {
    const c = open();
    const out = await Promise.all(Array.from({ length: 40 }, (_, i) => c.exec(`sleep 0.2; echo ${i}`)));
    expect(out.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    expect(out.every((r) => r.rc === 0)).toBe(true);
    expect(c.roundTrips).toBe(40);
  });

  it.runIf(process.getuid?.() === 0)('becomeUser over ssh', async () => {
    expect((await open().exec('id -un', { becomeUser: 'nobody' })).stdout).toBe('nobody\n');
  });

  it('unreachable: refused, authentication failed, handshake timeout', async () => {
    const closed = await freePort();
    await expect(open({ port: closed }).connect()).rejects.toThrow(new UnreachableError('test', `ssh ${user}@127.0.0.1:${closed}: connection refused`));
    const other = path.join(dir, 'other_key');
    fs.writeFileSync(other, ssh2.utils.generateKeyPairSync('ed25519').private);
    await expect(open({ keyFile: other }).exec('true')).rejects.toThrow(/authentication failed \(tried publickey/);
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const p = (silent.address() as net.AddressInfo).port;
    await expect(open({ port: p, connectTimeoutMs: 700 }).connect()).rejects.toThrow(/timed out after 0.7s while connecting/);
    silent.close();
    await expect(open({ keyFile: path.join(dir, 'missing') }).connect()).rejects.toThrow(/cannot read private key file/);
  });

  it('a dropped connection fails the running command as unreachable; the next exec reconnects', async () => {
    const px = await proxy(port);
    const c = open({ port: px.port });
    expect((await c.exec('echo up')).stdout).toBe('up\n');
    const running = c.exec('sleep 5; echo late');
    setTimeout(px.cut, 300);
    await expect(running).rejects.toThrow(/connection lost while running a command/);
    await expect(running).rejects.toBeInstanceOf(UnreachableError);
    expect((await c.exec('echo again')).stdout).toBe('again\n');
    px.server.close();
  });

  it.runIf(fs.existsSync('/usr/bin/ssh-agent'))('authenticates with an ssh-agent', async () => {
    const sock = path.join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
      expect(spawnSync('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' }).status).toBe(0);
      const saved = process.env.SSH_AUTH_SOCK;
      process.env.SSH_AUTH_SOCK = sock;
      try {
        expect((await open({ keyFile: undefined }).exec('echo agent')).stdout).toBe('agent\n');
      } finally {
        if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
        else process.env.SSH_AUTH_SOCK = saved;
      }
    } finally {
      agent.kill();
    }
  });
});
