/**
 * SshConnection against a REAL sshd on 127.0.0.1 (test/unit/connectors/sshd-fixture.ts: a temporary
 * config, host key, authorized key and a known_hosts file with the real host key). Skipped (with the
 * reason) only when /usr/sbin/sshd is absent. Host key checking: known, changed, unknown, revoked,
 * accept-new, StrictHostKeyChecking=no, and ProxyJump through a second real sshd.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../../src/api/errors.js';
import { createConnection } from '../../../src/connectors/index.js';
import { fingerprint, loadKnownHosts, verifyHostKey } from '../../../src/connectors/known-hosts.js';
import { LocalConnection } from '../../../src/connectors/local.js';
import { SshConnection, sshOptionsFromVars, type SshOptions } from '../../../src/connectors/ssh.js';
import { freePort, startSshd, sshdAvailable, sshdSkipReason, type Sshd } from './sshd-fixture.js';

const user = os.userInfo().username;

describe('ssh options from inventory vars', () => {
  it('defaults and Ansible variables', () => {
    expect(sshOptionsFromVars('10.10.10.11', {}, '/inv')).toMatchObject({ host: '10.10.10.11', address: '10.10.10.11', port: 22, user: 'root', keyFile: undefined, password: undefined, become: false, jumps: [] });
    expect(sshOptionsFromVars('h', { ansible_become: true, ansible_become_user: 'postgres' }, '/inv')).toMatchObject({ become: true, becomeUser: 'postgres' });
    expect(sshOptionsFromVars('h', {}, '/inv').becomeUser).toBeUndefined();
    const o = sshOptionsFromVars('pg-1', { ansible_host: '10.0.0.5', ansible_port: '2222', ansible_user: 'admin', ansible_ssh_private_key_file: 'keys/id', ansible_ssh_pass: 'pw', ansible_become: 'yes' }, '/inv');
    expect(o).toMatchObject({ host: 'pg-1', address: '10.0.0.5', port: 2222, user: 'admin', keyFile: '/inv/keys/id', password: 'pw', become: true });
    expect(o.settingsError).toBeUndefined();
    expect(sshOptionsFromVars('h', { ansible_ssh_common_args: '-o UserKnownHostsFile=kh -o StrictHostKeyChecking=accept-new' }, '/inv').hostKeys)
      .toMatchObject({ userKnownHosts: ['/inv/kh'], unknown: 'record' });
    expect(sshOptionsFromVars('h', { ansible_ssh_private_key_file: '/abs/key', ansible_password: 'p' }, '/inv')).toMatchObject({ keyFile: '/abs/key', password: 'p' });
  });

  it('ansible_connection local gives a LocalConnection', () => {
    expect(createConnection('h', { ansible_connection: 'local' }, '/inv')).toBeInstanceOf(LocalConnection);
    expect(createConnection('h', {}, '/inv')).toBeInstanceOf(SshConnection);
  });
});

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

describe.skipIf(!sshdAvailable)(`SshConnection against a real sshd (${sshdSkipReason})`, () => {
  let sshd: Sshd;
  let port = 0;
  let keyFile = '';
  let dir = '';
  const conns: SshConnection[] = [];
  const open = (o: Partial<SshOptions> = {}) => {
    const c = new SshConnection({ host: 'test', address: '127.0.0.1', port, user, keyFile, become: false, hostKeys: { userKnownHosts: [sshd.knownHosts], globalKnownHosts: [] }, ...o });
    conns.push(c);
    return c;
  };

  beforeAll(async () => {
    sshd = await startSshd();
    ({ port, keyFile, dir } = sshd);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(conns.map((c) => c.close()));
    sshd?.stop();
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
    fs.appendFileSync(sshd.knownHosts, `[127.0.0.1]:${px.port} ${sshd.hostPublicKey}\n`);
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

describe.skipIf(!sshdAvailable)(`host keys and ProxyJump against real sshds (${sshdSkipReason})`, () => {
  let target: Sshd;
  let jump: Sshd;
  const conns: SshConnection[] = [];
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-trust-'));
  /** The host key the target presents, as a blob. */
  const targetKey = () => Buffer.from(target.hostPublicKey.split(' ')[1], 'base64');
  const otherKey = () => ssh2.utils.generateKeyPairSync('ed25519').public.trim().split(/\s+/).slice(0, 2).join(' ');
  const open = (o: Partial<SshOptions> = {}) => {
    const c = new SshConnection({ host: 'target', address: '127.0.0.1', port: target.port, user, keyFile: target.keyFile, become: false, ...o });
    conns.push(c);
    return c;
  };
  /** A connection whose options come from inventory variables, as the runner makes them. */
  const fromVars = (vars: Record<string, unknown>) => {
    const c = new SshConnection(sshOptionsFromVars('target', {
      ansible_host: '127.0.0.1', ansible_port: target.port, ansible_user: user, ansible_ssh_private_key_file: target.keyFile, ...vars,
    }, '/'));
    conns.push(c);
    return c;
  };
  const refusal = async (c: SshConnection): Promise<UnreachableError> => {
    const e = await c.connect().then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(UnreachableError);
    return e as UnreachableError;
  };

  beforeAll(async () => {
    [target, jump] = await Promise.all([startSshd(), startSshd()]);
    // the jump host also accepts the target's client key (ProxyJump logs in with the same identity)
    const pub = ssh2.utils.parseKey(fs.readFileSync(target.keyFile)) as ssh2.ParsedKey;
    fs.appendFileSync(path.join(jump.dir, 'authorized_keys'), `${pub.type} ${pub.getPublicSSH().toString('base64')}\n`);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(conns.map((c) => c.close()));
    target?.stop();
    jump?.stop();
  });

  it('a known key is accepted', async () => {
    const c = open({ hostKeys: { userKnownHosts: [target.knownHosts], globalKnownHosts: [] } });
    expect((await c.exec('echo in')).stdout).toBe('in\n');
    expect(c.authAttempts).toBeGreaterThan(0);
  });

  it('a changed key is refused before any authentication, naming the fingerprint, the file and line, and ssh-keygen -R', async () => {
    const kh = path.join(tmp(), 'known_hosts');
    fs.writeFileSync(kh, `# line 1\n[127.0.0.1]:${target.port} ${otherKey()}\n`);
    const c = open({ password: 'secret', hostKeys: { userKnownHosts: [kh], globalKnownHosts: [] } });
    const e = await refusal(c);
    expect(e.host).toBe('target');
    expect(e.message).toContain(`ssh ${user}@127.0.0.1:${target.port}: HOST KEY CHANGED`);
    expect(e.message).toContain(`ssh-ed25519 key ${fingerprint(targetKey())}`);
    expect(e.message).toContain(`${kh}:2`);
    expect(e.message).toContain(`ssh-keygen -R '[127.0.0.1]:${target.port}' -f ${kh}`);
    expect(e.message).not.toContain('secret');
    expect(c.authAttempts).toBe(0);
    // the same refusal with StrictHostKeyChecking=no and with ansible_host_key_checking false
    for (const vars of [{ ansible_ssh_common_args: `-o StrictHostKeyChecking=no -o UserKnownHostsFile=${kh}` }, { ansible_host_key_checking: false, ansible_ssh_common_args: `-o UserKnownHostsFile=${kh}` }]) {
      const d = fromVars(vars);
      expect((await refusal(d)).message).toMatch(/HOST KEY CHANGED/);
      expect(d.authAttempts).toBe(0);
    }
  });

  it('a revoked key is refused even though a line lists it', async () => {
    const kh = path.join(tmp(), 'known_hosts');
    fs.writeFileSync(kh, `[127.0.0.1]:${target.port} ${target.hostPublicKey}\n@revoked * ${target.hostPublicKey}\n`);
    const c = open({ hostKeys: { userKnownHosts: [kh], globalKnownHosts: [] } });
    const e = await refusal(c);
    expect(e.message).toMatch(new RegExp(`REVOKED host key: .*${fingerprint(targetKey()).replace(/[+/]/g, '\\$&')}.*${kh}:2 marks @revoked`));
    expect(c.authAttempts).toBe(0);
  });

  it('an unknown host is refused (default and StrictHostKeyChecking=yes), saying how to proceed; nothing is recorded', async () => {
    const dir = tmp();
    const kh = path.join(dir, 'known_hosts');
    const c = open({ hostKeys: { userKnownHosts: [kh], globalKnownHosts: [] } });
    const e = await refusal(c);
    expect(e.message).toContain(`unknown host key: the host presented the ssh-ed25519 key ${fingerprint(targetKey())}, and no known_hosts file lists [127.0.0.1]:${target.port} (looked in ${kh})`);
    expect(e.message).toMatch(/StrictHostKeyChecking=accept-new/);
    expect(c.authAttempts).toBe(0);
    const d = fromVars({ ansible_ssh_common_args: `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes` });
    expect((await refusal(d)).message).toMatch(/refused by StrictHostKeyChecking yes \(ansible_ssh_common_args -o StrictHostKeyChecking\)/);
    expect(fs.existsSync(kh)).toBe(false);
  });

  it('accept-new records the key (file 0600 in a new 0700 directory), then it is known', async () => {
    const kh = path.join(tmp(), 'new', 'known_hosts');
    const c = fromVars({ ansible_ssh_common_args: `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=accept-new` });
    expect((await c.exec('echo first')).stdout).toBe('first\n');
    expect(fs.statSync(kh).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(kh)).mode & 0o777).toBe(0o700);
    expect(verifyHostKey(loadKnownHosts([kh]), '127.0.0.1', target.port, targetKey()).status).toBe('ok');
    expect(spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${target.port}`, '-f', kh]).status).toBe(0);
    const again = fromVars({ ansible_ssh_common_args: `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes` });
    expect((await again.exec('echo second')).stdout).toBe('second\n');
  });

  it('StrictHostKeyChecking=no accepts (and records) an unknown host; ansible_host_key_checking false accepts without recording', async () => {
    const dir = tmp();
    const kh = path.join(dir, 'known_hosts');
    expect((await fromVars({ ansible_ssh_common_args: `-o StrictHostKeyChecking=no -o UserKnownHostsFile=${kh}` }).exec('echo no')).stdout).toBe('no\n');
    expect(verifyHostKey(loadKnownHosts([kh]), '127.0.0.1', target.port, targetKey()).status).toBe('ok');
    const kh2 = path.join(dir, 'known_hosts2');
    expect((await fromVars({ ansible_host_key_checking: false, ansible_ssh_common_args: `-o UserKnownHostsFile=${kh2}` }).exec('echo off')).stdout).toBe('off\n');
    expect(fs.existsSync(kh2)).toBe(false);
  });

  it('ProxyJump: through a second sshd whose key is checked too; the jump connection ends with the host\'s', async () => {
    const c = fromVars({ ansible_ssh_common_args: `-J ${user}@127.0.0.1:${jump.port} -o 'UserKnownHostsFile=${jump.knownHosts} ${target.knownHosts}' -o StrictHostKeyChecking=yes` });
    const [clientIp, clientPort, , serverPort] = (await c.exec('echo $SSH_CONNECTION')).stdout.trim().split(' ');
    expect([clientIp, serverPort]).toEqual(['127.0.0.1', String(target.port)]);
    // the target's client socket belongs to the jump's sshd, not to this process
    const ss = spawnSync('ss', ['-tnpH', 'state', 'established', `( sport = :${clientPort} )`], { encoding: 'utf8' });
    expect(ss.stdout).toMatch(/"sshd/);
    expect(ss.stdout).not.toContain(`pid=${process.pid},`);
    const toJump = () => spawnSync('ss', ['-tnpH', 'state', 'established', `( dport = :${jump.port} )`], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`pid=${process.pid},`));
    expect(toJump()).toHaveLength(1);
    await c.close();
    for (let i = 0; i < 100 && toJump().length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(toJump()).toEqual([]);
  });

  it('ProxyJump: a target the jump host cannot reach is unreachable, saying so', async () => {
    const closed = await freePort();
    const c = fromVars({ ansible_port: closed, ansible_ssh_common_args: `-J 127.0.0.1:${jump.port} -o UserKnownHostsFile=${jump.knownHosts}` });
    expect((await refusal(c)).message).toMatch(new RegExp(`^ssh ${user}@127\\.0\\.0\\.1:${closed}: via jump host 127\\.0\\.0\\.1:${jump.port} \\(.*\\): cannot reach 127\\.0\\.0\\.1:${closed} from there: `));
  });

  it('ProxyJump: the jump host\'s key is verified (unknown jump host refused, before any authentication)', async () => {
    const c = fromVars({ ansible_ssh_common_args: `-J 127.0.0.1:${jump.port} -o UserKnownHostsFile=${target.knownHosts}` });
    const e = await refusal(c);
    const jumpKey = Buffer.from(jump.hostPublicKey.split(' ')[1], 'base64');
    expect(e.message).toContain(`ssh ${user}@127.0.0.1:${target.port}: via jump host 127.0.0.1:${jump.port} (ssh ${user}@127.0.0.1:${jump.port}): unknown host key`);
    expect(e.message).toContain(fingerprint(jumpKey));
    expect(c.authAttempts).toBe(0);
  });
});
