/**
 * One cgroup per host, in the named systemd v1 hierarchy and in the cgroup2 (unified) hierarchy:
 * pgplay/NAME for the default instance, pgplay/iN/NAME for instance N.
 *
 * PID 1 of this machine is not systemd, so nothing gives each nspawn a scope of its own. Without a
 * cgroup each, the hosts' systemds share one cgroup tree and fight over it. The launching shell moves
 * itself into the host's cgroups and then execs systemd-nspawn (--keep-unit) there.
 * The cgroup is also a precise record of every process that belongs to a host.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxHost } from './config.js';
import { sleep } from './exec.js';

let cachedRoots: string[] | undefined;

/** Mount points of the hierarchies the sandbox uses (the name=systemd v1 one, and cgroup2). */
export function cgroupRoots(): string[] {
  if (cachedRoots) return cachedRoots;
  const roots: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4];
    const [fstype, , superOpts = ''] = right.split(' ');
    if (fstype === 'cgroup2') roots.push(mountPoint);
    else if (fstype === 'cgroup' && superOpts.split(',').includes('name=systemd')) roots.push(mountPoint);
  }
  cachedRoots = [...new Set(roots)];
  return cachedRoots;
}

export function hostCgroupDirs(h: SandboxHost): string[] {
  return cgroupRoots().map((r) => join(r, h.cgroup));
}

/**
 * Removes the empty parents of an instance's host cgroups: pgplay/iN for an extra instance, and
 * pgplay itself when `top` (the last instance went down). Busy or absent ones are left alone.
 */
export function removeEmptyCgroupParents(tag: string, top: boolean): void {
  for (const r of cgroupRoots()) {
    for (const d of [...(tag ? [join(r, 'pgplay', tag)] : []), ...(top ? [join(r, 'pgplay')] : [])]) {
      try {
        rmdirSync(d);
      } catch {
        /* absent or still used */
      }
    }
  }
}

export function createHostCgroups(h: SandboxHost): string[] {
  const dirs = hostCgroupDirs(h);
  for (const d of dirs) mkdirSync(d, { recursive: true });
  return dirs;
}

function walk(dir: string, out: string[]): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name), out);
  out.push(dir); // children first
}

/** Every process in the host's cgroups (all hierarchies, all sub-cgroups its systemd made). */
export function hostCgroupPids(h: SandboxHost): number[] {
  const pids = new Set<number>();
  for (const d of hostCgroupDirs(h)) {
    const dirs: string[] = [];
    walk(d, dirs);
    for (const sub of dirs) {
      try {
        for (const p of readFileSync(join(sub, 'cgroup.procs'), 'utf8').split('\n')) if (p.trim()) pids.add(Number(p));
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return [...pids];
}

/** SIGKILLs whatever is left in the host's own cgroups (used only after the recorded pids are gone). */
export async function killHostCgroup(h: SandboxHost, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const pids = hostCgroupPids(h);
    if (pids.length === 0) return true;
    if (Date.now() > end) return false;
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await sleep(100);
  }
}

/** Removes the host's cgroup directories (deepest first). Returns false if some are still busy. */
export function removeHostCgroups(h: SandboxHost): boolean {
  let ok = true;
  for (const d of hostCgroupDirs(h)) {
    if (!existsSync(d)) continue;
    const dirs: string[] = [];
    walk(d, dirs);
    for (const sub of dirs) {
      try {
        rmdirSync(sub);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') ok = false;
      }
    }
  }
  return ok;
}
