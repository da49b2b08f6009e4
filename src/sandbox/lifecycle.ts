/**
 * `up`, `down`, `reset` and `status` of the whole sandbox, built from the one-job modules beside it.
 * This is also the API the e2e tests use (test/e2e/global-setup.ts calls sandboxUp()).
 */
import { existsSync, rmSync, rmdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  NETWORK, SHARED_PATHS as PATHS, PROXY_URL, allInstances, baseRecipeStamp, currentInstance, hostPaths, sandboxInstance,
  type SandboxHost, type SandboxInstance,
} from './config.js';
import { baseIsCurrent, baseStamp, buildBase, removeBase } from './base.js';
import { removeEmptyCgroupParents } from './cgroups.js';
import { SandboxError } from './errors.js';
import { say } from './exec.js';
import {
  anyHostMounted, busyInstances, ensureEtcHosts, hostRecord, hostStatus, initIdentity, installAccess, isMounted,
  launchHost, mountOverlay, mountedHosts, stopHost, waitForHost, wipeHost, type HostStatus,
} from './host.js';
import { ensureControllerPackages } from './install.js';
import { removeInstanceInventory, writeInstanceInventory } from './inventory.js';
import { bridgeUp, ensureBridge, removeBridge } from './network.js';
import { ensureProxy, proxyAnswers, proxyRecord, purgeProxyCache, stopProxy } from './proxy.js';
import { ensureKey, writeKnownHosts, writeSshConfig } from './ssh-key.js';
import { isAlive, withLock } from './state.js';

export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new SandboxError(
      `\`sandbox ${what}\` must run as root: it creates a bridge, network namespaces, cgroups and overlay mounts, and boots hosts with systemd-nspawn. Run it again with sudo or as root.`,
    );
  }
}

function secs(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

export interface UpOptions {
  /** The instance (0 = the default sandbox); PGPLAY_SANDBOX's when not given. */
  instance?: number;
  /** Hosts to drop and recreate from the base (new machine-id, keys, empty disk). */
  recreate?: SandboxHost[];
  /** Per-host boot timeout (default 90 s, or PGPLAY_SANDBOX_BOOT_TIMEOUT seconds). */
  bootTimeoutMs?: number;
  quiet?: boolean;
}

function pickInstance(n: number | undefined): SandboxInstance {
  return n === undefined ? currentInstance() : sandboxInstance(n);
}

function named(inst: SandboxInstance): string {
  return inst.n === 0 ? '' : ` of instance ${inst.n}`;
}

/** Runs fn holding the instance's own lock (for its whole up/down/reset). */
function withInstanceLock<T>(inst: SandboxInstance, fn: () => Promise<T>): Promise<T> {
  return withLock(fn, { file: inst.paths.instanceLock });
}

/** Runs fn holding the shared lock: the bridge, the proxy and the base change, overlays are mounted. */
function withSharedLock<T>(fn: () => Promise<T>): Promise<T> {
  return withLock(fn, { file: PATHS.lock });
}

/** Brings the sandbox (an instance of it) up, repairing whatever is stale; does nothing (quickly) when all its hosts answer SSH. */
export async function sandboxUp(opts: UpOptions = {}): Promise<void> {
  requireRoot('up');
  const inst = pickInstance(opts.instance);
  await withInstanceLock(inst, () => upLocked(inst, opts));
}

/**
 * Builds the base when it is missing or out of date, unless a host of ANY instance is mounted on the
 * old one (then it is kept, with a note). Called with the shared lock held, so nothing mounts meanwhile.
 */
async function ensureBase(inst: SandboxInstance, log: (m: string) => void): Promise<void> {
  if (baseIsCurrent()) return;
  if (anyHostMounted() && existsSync(PATHS.baseRoot)) {
    const busy = busyInstances().map((i) => i.n);
    log(`the base recipe changed (${baseStamp() ?? 'none'} -> ${baseRecipeStamp()}); hosts are mounted (instance ${busy.join(', ')}), so the old base is kept: run \`./run sandbox down\` for each instance, then \`up\`, to rebuild it.`);
    return;
  }
  for (const h of inst.hosts) await stopHost(h, { graceful: false });
  // an upper layer only fits the base it was made on: every instance's (none is mounted)
  for (const h of allInstances().flatMap((i) => i.hosts)) wipeHost(h);
  await buildBase();
}

async function upLocked(inst: SandboxInstance, opts: UpOptions): Promise<void> {
  const t0 = Date.now();
  const log = opts.quiet ? () => {} : say;
  const bootTimeoutMs = opts.bootTimeoutMs ?? Number(process.env.PGPLAY_SANDBOX_BOOT_TIMEOUT ?? 90) * 1000;
  const hosts = inst.hosts;
  const which = inst.n === 0 ? '' : ` of instance ${inst.n} (${hosts[0].ip}-${hosts[hosts.length - 1].ip.split('.')[3]})`;

  await withSharedLock(async () => {
    await ensureControllerPackages();
    await ensureKey();
    await ensureBridge();
    await ensureProxy();
  });
  writeSshConfig(inst);
  writeInstanceInventory(inst);

  for (const h of opts.recreate ?? []) {
    await stopHost(h);
    wipeHost(h);
  }

  if (!baseIsCurrent()) await withSharedLock(() => ensureBase(inst, log));

  // Access first (a fresh clone has a new key; hosts keep every key they were given), then probe.
  writeKnownHosts(inst);
  for (const h of mountedHosts(inst)) {
    if (existsSync(join(hostPaths(h).upper, 'etc/ssh'))) installAccess(h);
    ensureEtcHosts(h);
  }
  const before = await Promise.all(hosts.map((h) => hostStatus(h)));
  const todo = before.filter((s) => s.state !== 'running').map((s) => s.host);
  if (todo.length === 0) {
    log(`all ${hosts.length} hosts${which} up (${secs(t0)})`);
    return;
  }
  for (const s of before) if (s.state === 'broken') log(`repairing ${s.host.name}${named(inst)}: ${s.detail}`);

  // clears stale pids, mounts, netns, cgroups
  await Promise.all(todo.map((h) => stopHost(h, { graceful: true, timeoutMs: 5000 })));
  await withSharedLock(async () => {
    // another instance's down may have removed them since (when no host was mounted)
    await ensureBridge();
    await ensureProxy();
    if (!existsSync(join(PATHS.baseRoot, 'usr/bin/systemctl'))) await ensureBase(inst, log);
    // mounted under the shared lock: from here on, no base rebuild or purge, and no bridge removal
    for (const h of todo) await mountOverlay(h);
  });
  await Promise.all(todo.map((h) => initIdentity(h)));
  writeKnownHosts(inst);
  for (const h of mountedHosts(inst)) {
    installAccess(h);
    ensureEtcHosts(h);
  }

  const tb = Date.now();
  log(`booting ${todo.map((h) => h.name).join(', ')}${which} ...`);
  const results = await Promise.allSettled(
    todo.map(async (h) => {
      const rec = await launchHost(h);
      await waitForHost(h, rec, bootTimeoutMs);
    }),
  );
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failed.length) {
    if (failed.every((e) => e instanceof SandboxError)) {
      throw new SandboxError(failed.map((e) => (e as SandboxError).message).join('\n\n'));
    }
    throw failed.find((e) => !(e instanceof SandboxError));
  }
  const connect = inst.n === 0 ? './run sandbox ssh meta' : `PGPLAY_SANDBOX=${inst.n} ./run sandbox ssh meta`;
  const inv = inst.n === 0 ? '' : ` Inventory: ${relative(process.cwd(), inst.paths.inventory) || inst.paths.inventory}.`;
  log(`all ${hosts.length} hosts${which} up; booted ${todo.length} in ${secs(tb)} (total ${secs(t0)}). Connect with \`${connect}\`.${inv}`);
}

export interface DownOptions {
  /** The instance (0 = the default sandbox); PGPLAY_SANDBOX's when not given. */
  instance?: number;
  /** Also drop the base image and empty the apt cache (only when no other instance has hosts). */
  purge?: boolean;
  quiet?: boolean;
}

/**
 * Stops the instance's hosts cleanly and removes what `up` made for them (disks, netns, cgroups, its
 * generated inventory); the bridge and the proxy go too when no other instance has hosts.
 */
export async function sandboxDown(opts: DownOptions = {}): Promise<void> {
  requireRoot('down');
  const inst = pickInstance(opts.instance);
  await withInstanceLock(inst, async () => {
    const t0 = Date.now();
    const log = opts.quiet ? () => {} : say;
    await Promise.all(
      inst.hosts.map(async (h) => {
        const how = await stopHost(h, { graceful: true });
        if (how === 'killed') log(`${h.name}${named(inst)} did not shut down within 30 s and was killed (console: ${hostPaths(h).consoleLog})`);
        wipeHost(h);
      }),
    );
    removeEmptyCgroupParents(inst.tag, false);
    rmSync(inst.paths.hosts, { recursive: true, force: true });
    if (existsSync(PATHS.keyDir)) writeKnownHosts(inst);
    removeInstanceInventory(inst);
    await withSharedLock(async () => {
      const busy = busyInstances(inst.n).map((i) => i.n);
      if (busy.length === 0) {
        await stopProxy();
        await removeBridge();
        removeEmptyCgroupParents('', true);
      } else {
        log(`the bridge ${NETWORK.bridge} and the apt proxy stay up: instance ${busy.join(', ')} still has hosts`);
      }
      if (opts.purge) {
        if (busy.length === 0) {
          removeBase();
          purgeProxyCache();
          rmSync(PATHS.sharedLogs, { recursive: true, force: true });
          log('purged the base image and the apt cache');
        } else {
          log(`--purge: the base image and the apt cache are kept (instance ${busy.join(', ')} uses them)`);
        }
      }
    });
    if (opts.purge) {
      if (inst.n === 0) for (const h of inst.hosts) rmSync(hostPaths(h).consoleLog, { force: true });
      else rmSync(inst.paths.logs, { recursive: true, force: true });
    }
    log(`down${inst.n === 0 ? '' : ` (instance ${inst.n})`} (${secs(t0)})`);
  });
  if (inst.n !== 0) {
    for (const d of [inst.paths.run, inst.paths.state]) {
      try {
        rmdirSync(d); // only when empty (logs are kept until down --purge)
      } catch {
        /* not empty, or absent */
      }
    }
  }
}

/** Drops the named hosts and boots them fresh from the base (others are left alone, or repaired). */
export async function resetHosts(hosts: SandboxHost[], opts: Omit<UpOptions, 'recreate'> = {}): Promise<void> {
  requireRoot('reset');
  const inst = opts.instance !== undefined ? sandboxInstance(opts.instance) : hosts.length ? sandboxInstance(hosts[0].instance) : currentInstance();
  const strays = hosts.filter((h) => h.instance !== inst.n);
  if (strays.length) throw new SandboxError(`reset: ${strays.map((h) => `${h.name} (${h.ip})`).join(', ')} is not a host of instance ${inst.n}.`);
  await withInstanceLock(inst, () => upLocked(inst, { ...opts, recreate: hosts }));
}

export interface SandboxStatus {
  /** The instance number (0 = the default sandbox). */
  instance: number;
  /** Its inventory (inventory/sandbox.yml for 0, the generated inventory/sandbox-N.yml otherwise). */
  inventory: string;
  hosts: HostStatus[];
  base: { present: boolean; stamp?: string; current: boolean };
  proxy: { url: string; answers: boolean; pid?: number };
  bridge: { name: string; up: boolean };
  allRunning: boolean;
}

export async function sandboxStatus(instance?: number): Promise<SandboxStatus> {
  const inst = pickInstance(instance);
  if (existsSync(PATHS.keyDir) && existsSync(PATHS.key)) {
    writeSshConfig(inst);
    writeKnownHosts(inst);
  }
  const hosts = await Promise.all(inst.hosts.map((h) => hostStatus(h)));
  const rec = proxyRecord();
  return {
    instance: inst.n,
    inventory: inst.paths.inventory,
    hosts,
    base: { present: existsSync(PATHS.baseRoot), stamp: baseStamp(), current: baseIsCurrent() },
    proxy: { url: PROXY_URL, answers: await proxyAnswers(), pid: isAlive(rec) ? rec!.pid : undefined },
    bridge: { name: NETWORK.bridge, up: await bridgeUp() },
    allRunning: hosts.every((s) => s.state === 'running'),
  };
}

/**
 * Instances that have state: 0 always, and every other one with a host's disk, pid record, mount or
 * network namespace left (running, stopped with disks kept, or broken).
 */
export function instancesWithState(): number[] {
  return allInstances()
    .filter(
      (i) =>
        i.n === 0 ||
        i.hosts.some((h) => {
          const p = hostPaths(h);
          return existsSync(p.dir) || existsSync(p.pidFile) || isMounted(p.root) || existsSync(`/run/netns/${h.netns}`) || !!hostRecord(h);
        }),
    )
    .map((i) => i.n);
}

