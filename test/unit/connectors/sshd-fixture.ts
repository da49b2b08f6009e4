/**
 * A REAL sshd on 127.0.0.1 for connector tests: a temporary config, host key and authorized key.
 * `sshdAvailable` is false (and suites skip, saying why) only when /usr/sbin/sshd is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';

export const SSHD = '/usr/sbin/sshd';
export const sshdAvailable = fs.existsSync(SSHD);
export const sshdSkipReason = sshdAvailable ? SSHD : `skipped: ${SSHD} is absent, apt-get install openssh-server`;

export interface Sshd {
  port: number;
  dir: string;
  /** The client's private key file (authorized on this sshd). */
  keyFile: string;
  /** The host's public key, as a known_hosts line's "type base64" part. */
  hostPublicKey: string;
  /** A known_hosts file listing this sshd's real host key for 127.0.0.1 at its port. */
  knownHosts: string;
  stop(): void;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function waitForPort(port: number, ms = 10_000): Promise<void> {
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

/** Starts sshd -D on a free port of 127.0.0.1; `extraConfig` lines are appended to its sshd_config. */
export async function startSshd(extraConfig: string[] = []): Promise<Sshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-sshd-'));
  const keyFile = path.join(dir, 'id_ed25519');
  const host = ssh2.utils.generateKeyPairSync('ed25519');
  const client = ssh2.utils.generateKeyPairSync('ed25519');
  fs.writeFileSync(path.join(dir, 'host_key'), host.private, { mode: 0o600 });
  fs.writeFileSync(keyFile, client.private, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'authorized_keys'), `${client.public}\n`, { mode: 0o600 });
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'MaxSessions 10', 'LogLevel ERROR',
    ...extraConfig,
  ].join('\n') + '\n');
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const sshd: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  sshd.stderr!.on('data', (d) => (log += d));
  await waitForPort(port).catch((e) => {
    sshd.kill();
    throw new Error(`${e.message}: ${log}`);
  });
  const hostPublicKey = host.public.trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  return { port, dir, keyFile, hostPublicKey, knownHosts, stop: () => sshd.kill() };
}
