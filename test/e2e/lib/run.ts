/**
 * `./run` as a child process for the end-to-end tests: `./run ARGS [-i INVENTORY] [--json]` from the
 * repository root with FORCE_COLOR=0, its JSON events parsed into a RunResult, and small readers of
 * those events for assertions and their messages.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository root (where `./run` is). */
export const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface Event {
  event: string;
  [k: string]: any;
}

export interface RunResult {
  code: number;
  events: Event[];
  /** The whole standard output (the events are its lines that start with `{`). */
  stdout: string;
  stderr: string;
  recap?: Event;
  ms: number;
}

export interface RunOptions {
  /** Adds `-i INVENTORY` after the arguments; without it `./run` uses its default inventory. */
  inventory?: string;
  /** Adds `--json` at the end (the default); events are parsed from stdout either way. */
  json?: boolean;
  /** The child gets SIGTERM after this long. */
  timeoutMs: number;
  /**
   * Keeps the run's stdout, after a `# ./run ARGS` line, in tmp/e2e-<log>-N.jsonl for diagnosis
   * (N counts the runs under this name from 1; writing errors are ignored). No file without it.
   */
  log?: string;
}

const logRuns = new Map<string, number>();

/** `./run ARGS [-i INVENTORY] [--json]`, events parsed. */
export function runPlay(args: string[], opts: RunOptions): Promise<RunResult> {
  const { inventory, json = true, timeoutMs, log } = opts;
  let n = 0;
  if (log !== undefined) {
    n = (logRuns.get(log) ?? 0) + 1;
    logRuns.set(log, n);
  }
  return new Promise((resolve) => {
    const t0 = Date.now();
    const argv = [...args, ...(inventory !== undefined ? ['-i', inventory] : []), ...(json ? ['--json'] : [])];
    const c = spawn(path.join(ROOT, 'run'), argv, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    let stderr = '';
    const timer = setTimeout(() => c.kill('SIGTERM'), timeoutMs);
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => {
      clearTimeout(timer);
      if (log !== undefined) {
        try {
          fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
          fs.writeFileSync(path.join(ROOT, 'tmp', `e2e-${log}-${n}.jsonl`), `# ./run ${args.join(' ')}\n${out}`);
        } catch {
          // diagnosis only
        }
      }
      const events = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Event);
      resolve({ code: code ?? 255, events, stdout: out, stderr, recap: events.find((e) => e.event === 'recap'), ms: Date.now() - t0 });
    });
  });
}

/** Failed and unreachable host results (or the end of stderr when there are none), for assertion messages. */
export const failures = (r: RunResult) =>
  r.events
    .filter((e) => e.event === 'host_result' && (e.status === 'failed' || e.status === 'unreachable'))
    .map((e) => `${e.host} ${e.task}: ${e.msg}`)
    .join('\n') || r.stderr.slice(-2000);

/** `HOST TASK: MSG` of every changed host result. */
export const changedTasks = (r: RunResult) => r.events.filter((e) => e.event === 'host_result' && e.status === 'changed').map((e) => `${e.host} ${e.task}: ${e.msg ?? ''}`);

/** The hosts (sorted) on which a task reported changed. */
export const changedOn = (r: RunResult, task: string) => r.events.filter((e) => e.event === 'host_result' && e.task === task && e.status === 'changed').map((e) => e.host).sort();

/** The recap's changed count per host. */
export const changedCounts = (r: RunResult) => Object.fromEntries(Object.entries(r.recap?.hosts ?? {}).map(([h, s]: [string, any]) => [h, s.changed]));

/** The recap's changed count summed over the hosts. */
export const totalChanged = (r: RunResult) => Object.values(r.recap?.hosts ?? {}).reduce((n: number, s: any) => n + s.changed, 0);

/** `HOST TASK: MSG` of every message event. */
export const messages = (r: RunResult) => r.events.filter((e) => e.event === 'message').map((e) => `${e.host} ${e.task}: ${e.msg}`).join('\n');
