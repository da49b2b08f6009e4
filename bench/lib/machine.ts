/** What the machine was doing: load average, and the CPU cost of starting `./run`. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The 1, 5 and 15 minute load averages, as /proc/loadavg writes them. */
export function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * CPU seconds (user + system) of `./run ARGS` as bash's `time` reports them: the median of `runs`
 * runs that started the compiled code. A run that recompiled dist/ first (a source changed: others
 * may be editing this tree) is not counted, and is retried, up to `runs * 3` tries in all.
 */
export function startupCpu(root: string, args: string[], runs = 5): { median: number; all: number[]; rebuilt: number } {
  // bash's time reports on the shell's stderr, turned to stdout here; the command's output is dropped
  const script = `TIMEFORMAT='%U %S'; { time "$0" "$@" >/dev/null 2>&1; } 2>&1`;
  const stamp = path.join(root, 'dist', '.built');
  const built = () => (fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0);
  const all: number[] = [];
  let rebuilt = 0;
  for (let tries = 0; all.length < runs && tries < runs * 3; tries++) {
    const before = built();
    const out = execFileSync('bash', ['-c', script, path.join(root, 'run'), ...args], { encoding: 'utf8' });
    const [u, s] = out.trim().split('\n').pop()!.split(' ').map(Number);
    if (built() !== before || before === 0) rebuilt++;
    else all.push(u + s);
  }
  const sorted = [...all].sort((a, b) => a - b);
  return { median: sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN, all, rebuilt };
}
