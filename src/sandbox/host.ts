/**
 * One host: its overlay (base read-only below, an upper dir of its own), its identity (hostname,
 * machine-id, sshd host keys, root's authorized_keys), booting it with systemd-nspawn from its own
 * cgroups and network namespace, waiting for SSH, and stopping it by recorded pid.
 * A host belongs to one instance (h.instance); everything here works on hosts of any instance.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { SHARED_PATHS as PATHS, allInstances, hostPaths, sandboxInstance, type SandboxHost, type SandboxInstance } from './config.js';
import { etcHostsText } from './base.js';
import { createHostCgroups, hostCgroupPids, killHostCgroup, removeHostCgroups } from './cgroups.js';
import { SandboxError } from './errors.js';
import { must, run, sleep } from './exec.js';
import { createHostNetwork, hostNetworkPresent, netnsPath, removeHostNetwork } from './network.js';
import { hostPublicKeys, publicKey, sshArgs } from './ssh-key.js';
import { isAlive, readJson, recordOf, removeFile, signal, waitGone, writeJson, type ProcRecord } from './state.js';

export interface HostRecord {
  /** systemd-nspawn (the launching shell exec'd into it, so it is also the pid that joined the cgroups). */
  nspawn: ProcRecord;
  /** The host's systemd (PID 1 inside), once known. */
  init?: ProcRecord;
  bootedAt: string;
}

export function hostRecord(h: SandboxHost): HostRecord | undefined {
  return readJson<HostRecord>(hostPaths(h).pidFile);
}

// ---------------------------------------------------------------------------------------------
// overlay

export function isMounted(dir: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === dir);
  } catch {
    return false;
  }
}

/** Hosts of this instance whose overlay is mounted. */
export function mountedHosts(inst: SandboxInstance): SandboxHost[] {
  return inst.hosts.filter((h) => isMounted(hostPaths(h).root));
}

/** Instances (other than `except`) with a host mounted or a host process alive: they use the bridge, proxy and base. */
export function busyInstances(except?: number): SandboxInstance[] {
  return allInstances().filter(
    (i) => i.n !== except && i.hosts.some((h) => isMounted(hostPaths(h).root) || isAlive(hostRecord(h)?.nspawn)),
  );
}

/** Does any instance have a host mounted on the base? (The base must not change then.) */
export function anyHostMounted(): boolean {
  return allInstances().some((i) => mountedHosts(i).length > 0);
}

export async function mountOverlay(h: SandboxHost): Promise<void> {
  const p = hostPaths(h);
  for (const d of [p.upper, p.work, p.root]) mkdirSync(d, { recursive: true });
  if (isMounted(p.root)) return;
  await must(`mounting the overlay of ${h.name}`, 'mount', [
    '-t', 'overlay', 'overlay',
    '-o', `lowerdir=${PATHS.baseRoot},upperdir=${p.upper},workdir=${p.work}`,
    p.root,
  ]);
}

export async function unmountOverlay(h: SandboxHost): Promise<void> {
  const root = hostPaths(h).root;
  for (let i = 0; i < 5 && isMounted(root); i++) {
    const r = await run('umount', [root]);
    if (r.code !== 0) await run('umount', ['-l', root]);
  }
  if (isMounted(root)) throw new SandboxError(`could not unmount ${root} (the overlay of ${h.name}); something still uses it.`);
}

/** Drops the host's own layer: the next boot starts from the base as a new machine. */
export function wipeHost(h: SandboxHost): void {
  const p = hostPaths(h);
  if (isMounted(p.root)) throw new SandboxError(`refusing to wipe ${h.name} while ${p.root} is mounted.`);
  rmSync(p.dir, { recursive: true, force: true });
}

function writeFile(root: string, rel: string, text: string, mode = 0o644): void {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

/** First boot of a new host: hostname, a machine-id and sshd host keys of its own. */
export async function initIdentity(h: SandboxHost): Promise<void> {
  const root = hostPaths(h).root;
  const mid = join(root, 'etc/machine-id');
  const hasId = existsSync(mid) && readFileSync(mid, 'utf8').trim().length === 32;
  if (hasId && hostPublicKeys(h).length > 0) return;
  writeFile(root, 'etc/hostname', `${h.name}\n`);
  writeFile(root, 'etc/machine-id', randomBytes(16).toString('hex') + '\n', 0o444);
  mkdirSync(join(root, 'etc/ssh'), { recursive: true });
  await Promise.all(
    ['ed25519', 'ecdsa'].map(async (t) => {
      const key = join(root, `etc/ssh/ssh_host_${t}_key`);
      rmSync(key, { force: true });
      rmSync(`${key}.pub`, { force: true });
      await must(`generating sshd host keys for ${h.name}`, 'ssh-keygen', ['-q', '-t', t, '-N', '', '-C', `root@${h.name}`, '-f', key]);
    }),
  );
}

/**
 * Written at every `up` into every host: the sandbox key in root's authorized_keys (added, never
 * replacing keys a role or another checkout put there) and all hosts' keys in ssh_known_hosts.
 */
export function installAccess(h: SandboxHost): void {
  const root = hostPaths(h).root;
  const ak = join(root, 'root/.ssh/authorized_keys');
  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
  let cur = '';
  try {
    cur = readFileSync(ak, 'utf8');
  } catch {
    /* none yet */
  }
  const key = publicKey();
  if (!cur.split('\n').some((l) => l.trim() === key)) {
    writeFileSync(ak, (cur && !cur.endsWith('\n') ? cur + '\n' : cur) + key + '\n');
  }
  chmodSync(ak, 0o600);
  const known = sandboxInstance(h.instance).hosts.flatMap((x) => hostPublicKeys(x).map((k) => `${x.name},${x.ip} ${k}`)).join('\n') + '\n';
  const kh = join(root, 'etc/ssh/ssh_known_hosts');
  let old = '';
  try {
    old = readFileSync(kh, 'utf8');
  } catch {
    /* none */
  }
  if (old !== known) writeFile(root, 'etc/ssh/ssh_known_hosts', known);
}

/**
 * A host of an extra instance gets an /etc/hosts of its own (the base's names instance 0's
 * addresses), written into its layer while that still has none: a role's later edits are kept.
 */
export function ensureEtcHosts(h: SandboxHost): void {
  if (h.instance === 0) return;
  const p = hostPaths(h);
  if (existsSync(join(p.upper, 'etc/hosts'))) return;
  writeFile(p.root, 'etc/hosts', etcHostsText(sandboxInstance(h.instance)));
}

// ---------------------------------------------------------------------------------------------
// probes

export function portOpen(ip: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.on('connect', () => done(true));
    s.on('timeout', () => done(false));
    s.on('error', () => done(false));
  });
}

/** A real `ssh HOST true` with the sandbox key and known_hosts. */
export async function sshWorks(h: SandboxHost, timeoutMs = 8000): Promise<boolean> {
  const connect = Math.max(3, Math.floor(timeoutMs / 2500));
  const r = await run('ssh', [...sshArgs(h, ['-o', 'BatchMode=yes', '-o', `ConnectTimeout=${connect}`]), 'true'], { timeoutMs });
  return r.code === 0;
}

export type HostState = 'running' | 'stopped' | 'broken';

export interface HostStatus {
  host: SandboxHost;
  state: HostState;
  detail: string;
  pid?: number;
}

export async function hostStatus(h: SandboxHost): Promise<HostStatus> {
  const rec = hostRecord(h);
  const p = hostPaths(h);
  const alive = isAlive(rec?.nspawn);
  if (alive) {
    // a second, more patient try before calling it broken: on a loaded machine (several instances,
    // installs running) an SSH handshake can take longer than 8 s, and `up` restarts broken hosts
    if ((await sshWorks(h)) || (isAlive(rec!.nspawn) && (await sshWorks(h, 25_000)))) {
      return { host: h, state: 'running', detail: 'answers SSH', pid: rec!.nspawn.pid };
    }
    const detail = (await portOpen(h.ip, 22, 2000))
      ? `nspawn pid ${rec!.nspawn.pid} runs and port 22 answers, but the SSH login fails (another checkout's key? \`up\` authorizes this one) (console: ${p.consoleLog})`
      : `nspawn pid ${rec!.nspawn.pid} runs but SSH does not answer (console: ${p.consoleLog})`;
    return { host: h, state: 'broken', detail, pid: rec!.nspawn.pid };
  }
  const leftovers: string[] = [];
  if (rec) leftovers.push(`dead nspawn pid ${rec.nspawn.pid}`);
  if (isAlive(rec?.init)) leftovers.push(`orphaned systemd pid ${rec!.init!.pid}`);
  if (isMounted(p.root)) leftovers.push('overlay mounted');
  if (existsSync(netnsPath(h))) leftovers.push(`netns ${h.netns}`);
  if (hostCgroupPids(h).length) leftovers.push('processes in its cgroup');
  if (leftovers.length) return { host: h, state: 'broken', detail: `stale: ${leftovers.join(', ')}` };
  return { host: h, state: 'stopped', detail: existsSync(p.upper) ? 'stopped (its disk is kept)' : 'stopped' };
}

// ---------------------------------------------------------------------------------------------
// stop

/**
 * Stops a host by its recorded pids: SIGTERM to nspawn (which asks the host's systemd to shut down
 * cleanly), then SIGKILL of nspawn and of the host's PID 1 (which ends its whole pid namespace) if it
 * does not exit in time, then anything left in the host's own cgroups. Then removes the mount, netns
 * and cgroups. Safe on a host that is half there after a killed run.
 */
export async function stopHost(
  h: SandboxHost,
  opts: { graceful?: boolean; timeoutMs?: number } = {},
): Promise<'clean' | 'killed' | 'not running'> {
  const rec = hostRecord(h);
  const graceful = opts.graceful ?? true;
  let how: 'clean' | 'killed' | 'not running' = 'not running';
  if (rec && isAlive(rec.nspawn)) {
    if (graceful && signal(rec.nspawn, 'SIGTERM') && (await waitGone(rec.nspawn, opts.timeoutMs ?? 30_000))) {
      how = 'clean';
    } else {
      how = 'killed';
      signal(rec.nspawn, 'SIGKILL');
      await waitGone(rec.nspawn, 5000);
    }
  }
  if (rec?.init && isAlive(rec.init)) {
    signal(rec.init, 'SIGKILL');
    await waitGone(rec.init, 5000);
  }
  if (!(await killHostCgroup(h))) {
    throw new SandboxError(`processes of ${h.name} are still running in its cgroups after SIGKILL; see \`./run sandbox status\`.`);
  }
  await unmountOverlay(h);
  await removeHostNetwork(h);
  removeHostCgroups(h);
  removeFile(hostPaths(h).pidFile);
  return how;
}

// ---------------------------------------------------------------------------------------------
// boot

function findInit(h: SandboxHost): ProcRecord | undefined {
  for (const pid of hostCgroupPids(h)) {
    try {
      const m = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      const ids = m?.[1].trim().split(/\s+/) ?? [];
      if (ids.length > 1 && ids[ids.length - 1] === '1') return recordOf(pid);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

function tail(file: string, n = 8): string {
  try {
    return readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

export const NSPAWN_FLAGS = (h: SandboxHost, root: string): string[] => [
  '-D', root,
  '-b',
  '-M', h.machine,
  `--hostname=${h.name}`,
  '--register=no',
  '--keep-unit',
  '--private-network',
  `--network-namespace-path=${netnsPath(h)}`,
  '--resolv-conf=off',
  '--timezone=off',
  '--link-journal=no',
  '--console=read-only',
  '--capability=CAP_NET_ADMIN,CAP_IPC_LOCK',
];

/** Starts nspawn for a host whose overlay is mounted and whose identity is written; does not wait. */
export async function launchHost(h: SandboxHost): Promise<HostRecord> {
  const p = hostPaths(h);
  await createHostNetwork(h);
  removeHostCgroups(h);
  const cgs = createHostCgroups(h);
  mkdirSync(dirname(p.consoleLog), { recursive: true });
  mkdirSync(dirname(p.pidFile), { recursive: true });
  const out = openSync(p.consoleLog, 'w');
  // The shell moves itself into the host's cgroups (every hierarchy), then becomes systemd-nspawn.
  const script = `${cgs.map((d, i) => `echo $$ > "$${i + 1}"/cgroup.procs`).join(' && ')} && shift ${cgs.length} && exec "$@"`;
  const child = spawn('/bin/sh', ['-c', script, 'sh', ...cgs, 'systemd-nspawn', ...NSPAWN_FLAGS(h, p.root)], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', TERM: 'dumb' },
  });
  closeSync(out);
  child.unref();
  const rec = child.pid ? recordOf(child.pid) : undefined;
  if (!rec) throw new SandboxError(`systemd-nspawn for ${h.name} exited at once; its console log is ${p.consoleLog}:\n${tail(p.consoleLog)}`);
  const record: HostRecord = { nspawn: rec, bootedAt: new Date().toISOString() };
  writeJson(p.pidFile, record);
  return record;
}

/** Waits until the host answers on port 22 and a real `ssh true` works; records its PID 1. */
export async function waitForHost(h: SandboxHost, record: HostRecord, timeoutMs: number): Promise<void> {
  const p = hostPaths(h);
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive(record.nspawn)) {
      throw new SandboxError(
        `host ${h.name} (${h.ip}) stopped while booting (systemd-nspawn pid ${record.nspawn.pid} exited). Its console log is ${p.consoleLog}:\n${tail(p.consoleLog)}`,
      );
    }
    if ((await portOpen(h.ip, 22, 300)) && (await sshWorks(h, 5000))) break;
    if (Date.now() > end) {
      throw new SandboxError(
        `host ${h.name} (${h.ip}) did not answer SSH within ${Math.round(timeoutMs / 1000)} s. Its console log is ${p.consoleLog}; last lines:\n${tail(p.consoleLog)}`,
      );
    }
    await sleep(150);
  }
  const init = findInit(h);
  if (init) writeJson(p.pidFile, { ...record, init } satisfies HostRecord);
}

export { hostNetworkPresent };
