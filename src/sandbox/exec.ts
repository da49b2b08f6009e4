/** Small wrappers around node:child_process for the controller-side commands (ip, mount, ...). */
import { spawn, type SpawnOptions } from 'node:child_process';
import { SandboxError } from './errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
  /** Kill the command (SIGKILL) after this many milliseconds; the result then has code 124. */
  timeoutMs?: number;
}

/** Runs a command to completion; never throws for a non-zero exit (only when it cannot start). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const so: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd };
    const child = spawn(cmd, args, so);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code: 127, stdout, stderr: `${cmd}: ${e.code === 'ENOENT' ? 'command not found' : e.message}` });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code: timedOut ? 124 : code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

/** Runs a command and throws a SandboxError with `what` and its stderr when it fails. */
export async function must(what: string, cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const err = (r.stderr || r.stdout).trim().split('\n').slice(-6).join('\n');
    throw new SandboxError(`${what} failed: \`${[cmd, ...args].join(' ')}\` exited with ${r.code}${err ? `:\n${err}` : ''}`);
  }
  return r.stdout;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One progress line on stderr (stdout stays for command output such as `status`). */
export function say(msg: string): void {
  process.stderr.write(`sandbox: ${msg}\n`);
}
