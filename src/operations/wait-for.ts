/**
 * wait_for: poll ON THE HOST, in one long-running exec, until a TCP port opens (or closes) or a
 * path appears (or goes away). Waiting changes nothing: ok, or failed on timeout. In check mode
 * the condition is tested once, without waiting.
 */
import type { Action } from '../api/types.js';
import { defineModule, fail, run } from './common.js';
import { q } from './shell-quote.js';

export interface WaitForArgs {
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  path?: string;
  /** started/present: open or existing (default); stopped/absent: closed or gone. */
  state?: 'started' | 'stopped' | 'present' | 'absent';
  /** Seconds (default 300). */
  timeout?: number;
  /** Seconds before the first check (default 0). */
  delay?: number;
  /** Extended regexp (grep -E) the file content, or what the port sends, must match. */
  search_regex?: string;
  /** Seconds between checks (default 1). */
  sleep?: number;
}

export function describeWait(a: WaitForArgs): string {
  const up = a.state !== 'stopped' && a.state !== 'absent';
  if (a.port !== undefined) return `port ${a.port} on ${a.host ?? '127.0.0.1'}${up ? '' : ' to close'}${a.search_regex ? ` to send /${a.search_regex}/` : ''}`;
  return `${a.path}${up ? (a.search_regex ? ` to match /${a.search_regex}/` : '') : ' to disappear'}`;
}

/** The polling script; exits 0 when the condition holds, 3 on timeout. */
export function waitScript(a: WaitForArgs, timeout: number, delay: number): string {
  if ((a.port === undefined) === (a.path === undefined)) throw new Error('wait_for needs exactly one of port or path');
  const up = a.state !== 'stopped' && a.state !== 'absent';
  const re = a.search_regex;
  let probe: string;
  if (a.port !== undefined) {
    // bash's /dev/tcp when bash exists (Debian), nc -z otherwise. Each attempt is capped at 2 s.
    const bash = `timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"${re ? '; cat <&3' : ''}' "$h" "$p" 2>/dev/null`;
    const nc = re ? `nc -w 2 "$h" "$p" </dev/null 2>/dev/null` : `nc -z -w 2 "$h" "$p" 2>/dev/null`;
    const grep = re ? ` | grep -Eq -- ${q(re)}` : '';
    probe = [
      `h=${q(a.host ?? '127.0.0.1')}; p=${q(a.port)}`,
      'if command -v bash >/dev/null 2>&1; then probe() { ' + bash + grep + '; }',
      'elif command -v nc >/dev/null 2>&1; then probe() { ' + nc + grep + '; }',
      'else echo "wait_for: neither bash nor nc on this host" >&2; exit 4; fi',
    ].join('\n');
  } else {
    const test = re ? `grep -Eq -- ${q(re)} "$f" 2>/dev/null` : '[ -e "$f" ]';
    probe = `f=${q(a.path!)}\nprobe() { ${test}; }`;
  }
  return [
    probe,
    `check() { ${up ? 'probe' : '! probe'}; }`,
    delay > 0 ? `sleep ${delay}` : '',
    'start=$(date +%s)',
    'while :; do',
    '  if check; then echo "waited=$(( $(date +%s) - start ))"; exit 0; fi',
    `  if [ $(( $(date +%s) - start )) -ge ${timeout} ]; then exit 3; fi`,
    `  sleep ${a.sleep ?? 1}`,
    'done',
  ].filter(Boolean).join('\n');
}

export const waitForModule = defineModule<WaitForArgs>('wait_for', async (args, ctx) => {
  const what = describeWait(args);
  const timeout = ctx.check ? 0 : args.timeout ?? 300;
  const delay = ctx.check ? 0 : args.delay ?? 0;
  ctx.log(`waiting for ${what}`);
  const r = await run(ctx, waitScript(args, timeout, delay), { timeoutMs: (timeout + delay + 30) * 1000 });
  if (r.rc === 0) return { status: 'ok', msg: `${what}: ready after ${/waited=(\d+)/.exec(r.stdout)?.[1] ?? 0}s` };
  if (r.rc === 3 && ctx.check) return { status: 'skipped', msg: `${what}: not ready yet (check mode does not wait)` };
  if (r.rc === 3) return { status: 'failed', msg: `timed out after ${timeout}s waiting for ${what}`, rc: 3 };
  fail(`wait_for ${what} failed`, r);
});

/** Waits on the host for a port to open or close, or a path to appear or go away. */
export function wait_for(args: WaitForArgs): Action<WaitForArgs> {
  return { module: waitForModule, args };
}
