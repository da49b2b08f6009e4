/**
 * Pid records. A process is identified by its pid AND its start time (field 22 of /proc/PID/stat),
 * so a recycled pid is never mistaken for ours and never signalled.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { PATHS } from './config.js';
import { SandboxError } from './errors.js';
import { sleep } from './exec.js';

export interface ProcRecord {
  pid: number;
  /** Start time in clock ticks since boot, from /proc/PID/stat. */
  start: number;
}

export function procStat(pid: number): { state: string; start: number; ppid: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces and parentheses: split after the last ')'
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]), start: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

export function recordOf(pid: number): ProcRecord | undefined {
  const st = procStat(pid);
  return st ? { pid, start: st.start } : undefined;
}

/** The recorded process still exists (same pid, same start time) and is not a zombie. */
export function isAlive(rec: ProcRecord | undefined): boolean {
  if (!rec) return false;
  const st = procStat(rec.pid);
  return !!st && st.start === rec.start && st.state !== 'Z' && st.state !== 'X';
}

/** Sends a signal to a recorded process only if it is still that process. */
export function signal(rec: ProcRecord | undefined, sig: NodeJS.Signals | number): boolean {
  if (!rec || !isAlive(rec)) return false;
  try {
    process.kill(rec.pid, sig);
    return true;
  } catch {
    return false;
  }
}

export async function waitGone(rec: ProcRecord | undefined, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (isAlive(rec)) {
    if (Date.now() > end) return false;
    await sleep(100);
  }
  return true;
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

/**
 * An exclusive lock file holding the owner's pid record; a lock whose owner is gone is taken over.
 *
 * Two kinds (see lifecycle.ts): each instance's own lock, held by its `up`, `down` and `reset` for
 * their whole run (a developer and a test run may call `up` at the same time), and the shared lock
 * (PATHS.lock), held briefly while the bridge, the proxy or the base change and while overlays are
 * mounted. Always the instance lock first, then the shared one, never the other way round.
 */
export async function withLock<T>(fn: () => Promise<T>, opts: { file?: string; waitMs?: number } = {}): Promise<T> {
  const file = opts.file ?? PATHS.lock;
  const waitMs = opts.waitMs ?? 20 * 60_000;
  mkdirSync(dirname(file), { recursive: true });
  const me = recordOf(process.pid)!;
  const started = Date.now();
  const end = started + waitMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, JSON.stringify(me));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readJson<ProcRecord>(file);
      if (!owner || !isAlive(owner)) {
        // stale (its owner died) or being written right now: take it over if it stays stale
        await sleep(owner ? 0 : 200);
        const again = readJson<ProcRecord>(file);
        if (!again || !isAlive(again)) removeFile(file);
        continue;
      }
      if (Date.now() > end) {
        throw new SandboxError(
          `another sandbox command (pid ${owner.pid}) has held ${file} for too long; wait for it to finish or end it.`,
        );
      }
      if (!announced && Date.now() - started > 1500) {
        // short waits (another instance mounting its hosts) are not worth a line
        process.stderr.write(`sandbox: waiting for another sandbox command (pid ${owner.pid}) to finish ...\n`);
        announced = true;
      }
      await sleep(owner.pid === me.pid ? 50 : 200);
    }
  }
  try {
    return await fn();
  } finally {
    const owner = readJson<ProcRecord>(file);
    if (owner && owner.pid === me.pid && owner.start === me.start) removeFile(file);
  }
}
