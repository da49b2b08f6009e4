/**
 * `up`, `down`, `reset` and `status` of the whole sandbox, built from the one-job modules beside it.
 * This is also the API the e2e tests use (test/e2e/global-setup.ts calls sandboxUp()).
 */
import { existsSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS, NETWORK, PATHS, PROXY_URL, baseRecipeStamp, hostPaths, type SandboxHost } from './config.js';
import { baseIsCurrent, baseStamp, buildBase, removeBase } from './base.js';
import { cgroupRoots } from './cgroups.js';
import { SandboxError } from './errors.js';
import { say } from './exec.js';
import {
  anyHostMounted, hostStatus, initIdentity, installAccess, isMounted, launchHost, mountOverlay, stopHost,
  waitForHost, wipeHost, type HostStatus,
} from './host.js';
import { ensureControllerPackages } from './install.js';
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
  /** Hosts to drop and recreate from the base (new machine-id, keys, empty disk). */
  recreate?: SandboxHost[];
  /** Per-host boot timeout (default 90 s, or PGPLAY_SANDBOX_BOOT_TIMEOUT seconds). */
  bootTimeoutMs?: number;
  quiet?: boolean;
}

/** Brings the sandbox up, repairing whatever is stale; does nothing (quickly) when all hosts answer SSH. */
export async function sandboxUp(opts: UpOptions = {}): Promise<void> {
  requireRoot('up');
  await withLock(() => upLocked(opts));
}

async function upLocked(opts: UpOptions): Promise<void> {
  const t0 = Date.now();
  const log = opts.quiet ? () => {} : say;
  const bootTimeoutMs = opts.bootTimeoutMs ?? Number(process.env.PGPLAY_SANDBOX_BOOT_TIMEOUT ?? 90) * 1000;

  await ensureControllerPackages();
  await ensureKey();
  writeSshConfig();
  await ensureBridge();
  await ensureProxy();

  for (const h of opts.recreate ?? []) {
    await stopHost(h);
    wipeHost(h);
  }

  if (!baseIsCurrent()) {
    if (anyHostMounted() && existsSync(PATHS.baseRoot)) {
      log(`the base recipe changed (${baseStamp() ?? 'none'} -> ${baseRecipeStamp()}); hosts are mounted, so the old base is kept: run \`./run sandbox down\` then \`up\` to rebuild it.`);
    } else {
      for (const h of HOSTS) {
        await stopHost(h, { graceful: false });
        wipeHost(h); // an upper layer only fits the base it was made on
      }
      await buildBase();
    }
  }

  // Access first (a fresh clone has a new key; hosts keep every key they were given), then probe.
  writeKnownHosts();
  for (const h of HOSTS) if (isMounted(hostPaths(h).root) && existsSync(join(hostPaths(h).upper, 'etc/ssh'))) installAccess(h);
  const before = await Promise.all(HOSTS.map((h) => hostStatus(h)));
  const todo = before.filter((s) => s.state !== 'running').map((s) => s.host);
  if (todo.length === 0) {
    log(`all ${HOSTS.length} hosts up (${secs(t0)})`);
    return;
  }
  for (const s of before) if (s.state === 'broken') log(`repairing ${s.host.name}: ${s.detail}`);

  await Promise.all(
    todo.map(async (h) => {
      await stopHost(h, { graceful: true, timeoutMs: 5000 }); // clears stale pids, mounts, netns, cgroups
      await mountOverlay(h);
      await initIdentity(h);
    }),
  );
  writeKnownHosts();
  for (const h of HOSTS) if (isMounted(hostPaths(h).root)) installAccess(h);

  const tb = Date.now();
  log(`booting ${todo.map((h) => h.name).join(', ')} ...`);
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
  log(`all ${HOSTS.length} hosts up; booted ${todo.length} in ${secs(tb)} (total ${secs(t0)}). Connect with \`./run sandbox ssh meta\`.`);
}

export interface DownOptions {
  /** Also drop the base image and empty the apt cache. */
  purge?: boolean;
  quiet?: boolean;
}

/** Stops every host cleanly and removes what `up` made (hosts' disks, netns, bridge, proxy process). */
export async function sandboxDown(opts: DownOptions = {}): Promise<void> {
  requireRoot('down');
  await withLock(async () => {
    const t0 = Date.now();
    const log = opts.quiet ? () => {} : say;
    await Promise.all(
      HOSTS.map(async (h) => {
        const how = await stopHost(h, { graceful: true });
        if (how === 'killed') log(`${h.name} did not shut down within 30 s and was killed (console: ${hostPaths(h).consoleLog})`);
        wipeHost(h);
      }),
    );
    await stopProxy();
    await removeBridge();
    for (const r of cgroupRoots()) {
      try {
        rmdirSync(join(r, 'pgplay'));
      } catch {
        /* absent or still used */
      }
    }
    rmSync(PATHS.hosts, { recursive: true, force: true });
    if (existsSync(PATHS.keyDir)) writeKnownHosts();
    if (opts.purge) {
      removeBase();
      purgeProxyCache();
      rmSync(PATHS.logs, { recursive: true, force: true });
      log('purged the base image and the apt cache');
    }
    log(`down (${secs(t0)})`);
  });
}

/** Drops the named hosts and boots them fresh from the base (others are left alone, or repaired). */
export async function resetHosts(hosts: SandboxHost[], opts: Omit<UpOptions, 'recreate'> = {}): Promise<void> {
  requireRoot('reset');
  await withLock(() => upLocked({ ...opts, recreate: hosts }));
}

export interface SandboxStatus {
  hosts: HostStatus[];
  base: { present: boolean; stamp?: string; current: boolean };
  proxy: { url: string; answers: boolean; pid?: number };
  bridge: { name: string; up: boolean };
  allRunning: boolean;
}

export async function sandboxStatus(): Promise<SandboxStatus> {
  if (existsSync(PATHS.keyDir) && existsSync(PATHS.key)) {
    writeSshConfig();
    writeKnownHosts();
  }
  const hosts = await Promise.all(HOSTS.map((h) => hostStatus(h)));
  const rec = proxyRecord();
  return {
    hosts,
    base: { present: existsSync(PATHS.baseRoot), stamp: baseStamp(), current: baseIsCurrent() },
    proxy: { url: PROXY_URL, answers: await proxyAnswers(), pid: isAlive(rec) ? rec!.pid : undefined },
    bridge: { name: NETWORK.bridge, up: await bridgeUp() },
    allRunning: hosts.every((s) => s.state === 'running'),
  };
}
