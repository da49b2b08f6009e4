/** Small helpers shared by the modules. */
import type { ExecOptions, ExecResult, Module, ModuleContext, ModuleResult } from '../api/types.js';
import { UnreachableError } from '../api/errors.js';

/** Thrown by `fail`: ends a module run with a failed result. */
class ModuleFailure extends Error {
  constructor(readonly result: ModuleResult) {
    super(result.msg);
  }
}

/**
 * A module whose `run` may `fail(...)` or throw: errors become a failed result with the error's
 * message; an UnreachableError goes on to the runner.
 */
export function defineModule<A>(name: string, run: Module<A>['run'], secretArgs?: readonly (keyof A)[]): Module<A> {
  return {
    name,
    secretArgs,
    async run(args, ctx) {
      try {
        return await run(args, ctx);
      } catch (e) {
        if (e instanceof ModuleFailure) return e.result;
        if (e instanceof UnreachableError) throw e;
        return { status: 'failed', msg: `${name}: ${(e as Error).message}` };
      }
    },
  };
}

/** Ends the module run as failed (see `failed`). */
export function fail(msg: string, r?: ExecResult): never {
  throw new ModuleFailure(failed(msg, r));
}

/** Runs a command as the task's become user. */
export function run(ctx: ModuleContext, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return ctx.conn.exec(command, { becomeUser: ctx.becomeUser, ...opts });
}

/** The last lines of a command's error output (what a failure message quotes). */
export function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** A failed result quoting the stderr tail (or stdout when stderr is empty) of `r`. */
export function failed(msg: string, r?: ExecResult): ModuleResult {
  if (!r) return { status: 'failed', msg };
  const detail = tail(r.stderr) || tail(r.stdout);
  return { status: 'failed', msg: detail ? `${msg}: ${detail}` : msg, rc: r.rc, stdout: r.stdout, stderr: r.stderr };
}

/** '0644' from 0o644, '644' or '0644'. Throws on anything else (symbolic modes are not supported). */
export function normMode(mode: string | number): string {
  const s = typeof mode === 'number' ? mode.toString(8) : mode;
  if (!/^[0-7]{3,4}$/.test(s)) throw new Error(`invalid mode ${JSON.stringify(mode)}: use octal such as '0644'`);
  return s.padStart(4, '0');
}

/** `name: value` lines, for the before/after text of a diff. */
export function describeState(state: Record<string, unknown>): string {
  return Object.entries(state)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}\n`)
    .join('');
}
