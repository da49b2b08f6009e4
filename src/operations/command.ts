/**
 * command / shell: run a command (always `changed`, as Ansible; tasks refine with changed_when).
 * `creates`/`removes` are tested in the same round trip as the command. When they say the command
 * must not run, the result is `ok` (the state it would produce is there), in a real run and in
 * check mode alike, as in Ansible.
 */
import type { Action, Module, ModuleResult } from '../api/types.js';
import { defineModule, run, tail } from './common.js';
import { q, qargs } from './shell-quote.js';

export interface CommandArgs {
  /** A shell command line, or an argv (each word quoted). */
  cmd: string | readonly string[];
  /** Do not run when this path exists (a relative path is relative to `chdir` when given). */
  creates?: string;
  /** Do not run when this path does not exist (relative to `chdir` when given). */
  removes?: string;
  chdir?: string;
  stdin?: string;
  env?: Record<string, string>;
  /** Seconds; the command is killed after it (rc 124). */
  timeout?: number;
}

const SKIP = '\x1ePGPLAY-SKIP:';

/** Where `creates`/`removes` is looked for: a relative path is taken relative to `chdir` (as Ansible does). */
export function guardPath(p: string, chdir: string | undefined): string {
  if (chdir === undefined || p.startsWith('/')) return p;
  return `${chdir.replace(/\/+$/, '')}/${p}`;
}

/**
 * The sh tests for creates/removes: print a skip marker and exit when the command must not run.
 * They run before `cd chdir` (so check mode can test them alone), with relative paths resolved
 * against `chdir`.
 */
export function guardScript(a: CommandArgs): string[] {
  const lines: string[] = [];
  if (a.creates !== undefined) lines.push(`if [ -e ${q(guardPath(a.creates, a.chdir))} ]; then printf '\\036PGPLAY-SKIP:%s' ${q(`${a.creates} exists`)}; exit 0; fi`);
  if (a.removes !== undefined) lines.push(`if [ ! -e ${q(guardPath(a.removes, a.chdir))} ]; then printf '\\036PGPLAY-SKIP:%s' ${q(`${a.removes} does not exist`)}; exit 0; fi`);
  return lines;
}

/** The result when creates/removes say the command must not run: the same in a real run and in check mode. */
function notRun(reason: string): ModuleResult {
  return { status: 'ok', msg: `skipped, since ${reason}`, rc: 0, stdout: '', stderr: '' };
}

export function commandScript(a: CommandArgs): string {
  const lines = guardScript(a);
  if (a.chdir !== undefined) lines.push(`cd -- ${q(a.chdir)} || exit 1`);
  lines.push(typeof a.cmd === 'string' ? a.cmd : qargs(a.cmd));
  return lines.join('\n');
}

const chomp = (s: string) => s.replace(/[\r\n]+$/, '');

function makeCommandModule(name: string): Module<CommandArgs> {
  return defineModule<CommandArgs>(name, async (args, ctx) => {
    const guards = guardScript(args);
    if (ctx.check) {
      if (!guards.length) return { status: 'skipped', msg: 'would run (not run in check mode)' };
      const r = await run(ctx, guards.join('\n'));
      if (r.stdout.startsWith(SKIP)) return notRun(r.stdout.slice(SKIP.length));
      return { status: 'skipped', msg: 'would run (not run in check mode)' };
    }
    const r = await run(ctx, commandScript(args), {
      stdin: args.stdin,
      env: args.env,
      timeoutMs: args.timeout === undefined ? undefined : args.timeout * 1000,
    });
    if (r.rc === 0 && r.stdout.startsWith(SKIP)) return notRun(r.stdout.slice(SKIP.length));
    const result: ModuleResult = { status: r.rc === 0 ? 'changed' : 'failed', rc: r.rc, stdout: chomp(r.stdout), stderr: chomp(r.stderr) };
    if (r.rc === 124 && args.timeout !== undefined) result.msg = `timed out after ${args.timeout}s`;
    else if (r.rc !== 0) result.msg = `non-zero return code ${r.rc}${r.stderr.trim() ? `: ${tail(r.stderr)}` : ''}`;
    return result;
  }, ['stdin', 'env']);
}

export const commandModule = makeCommandModule('command');
export const shellModule = makeCommandModule('shell');

/** Runs a command (an argv, or a command line run by /bin/sh). */
export function command(args: CommandArgs): Action<CommandArgs> {
  return { module: commandModule, args };
}

/** Runs a command line with /bin/sh (pipes, redirections, variables). */
export function shell(args: CommandArgs): Action<CommandArgs> {
  return { module: shellModule, args };
}
