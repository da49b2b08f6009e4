/**
 * Runs one task on one host: conditions, loop, retries, the module (or a controller-side step),
 * changed_when/failed_when, register and notify. Returns a normalised TaskResult.
 */
import type { Action, HostCtx, ModuleResult, Task, TaskResult } from '../api/types.js';
import { UnreachableError } from '../api/errors.js';
import type { Scope } from './walk.js';
import type { HostState } from './host-state.js';
import type { ConnectionPool } from './connection-pool.js';
import type { RunOptions } from './options.js';

export interface TaskEnv {
  opts: RunOptions;
  conns: ConnectionPool;
  ctxOf(hs: HostState): HostCtx<any>;
  log(host: string, msg: string): void;
}

/** `interrupted`: the run was interrupted while the task ran on the host (it was cut off). */
export type Outcome = TaskResult & { unreachable?: boolean; interrupted?: boolean };

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

export function normalise(r: ModuleResult): TaskResult {
  return { ...r, changed: r.status === 'changed', failed: r.status === 'failed', skipped: r.status === 'skipped' };
}

function statusOf(changed: boolean, failed: boolean, skipped: boolean): TaskResult['status'] {
  return failed ? 'failed' : changed ? 'changed' : skipped ? 'skipped' : 'ok';
}

export function skippedResult(msg: string): TaskResult {
  return { status: 'skipped', changed: false, failed: false, skipped: true, msg };
}

async function attempt(task: Task<any, any>, scope: Scope, hs: HostState, ctx: HostCtx<any>, item: unknown, env: TaskEnv): Promise<TaskResult> {
  if (task.local) {
    const out = task.local(ctx, item) ?? {};
    if (out.set) hs.set(out.set);
    const failed = !!out.failed;
    const changed = !!out.changed;
    return { status: statusOf(changed, failed, false), changed, failed, skipped: false, msg: out.msg, warnings: out.warnings };
  }
  const action: Action | null = task.action(ctx, item);
  if (!action) return skippedResult('nothing to do');
  const target = typeof task.delegate_to === 'function' ? task.delegate_to(ctx, item) : task.delegate_to ?? hs.name;
  const conn = await env.conns.get(target);
  const bu = task.become_user ?? scope.becomeUser;
  const check = task.check_mode === true || (env.opts.check && task.check_mode !== false);
  const r = await action.module.run(action.args, {
    conn,
    check,
    diff: env.opts.diff,
    becomeUser: typeof bu === 'function' ? bu(ctx) : bu,
    facts: ctx.facts,
    log: (m) => env.log(hs.name, m),
  });
  return normalise(r);
}

function applyOverrides(task: Task<any, any>, r: TaskResult, ctx: HostCtx<any>): TaskResult {
  let { changed, failed } = r;
  if (!r.skipped && task.changed_when) changed = !!task.changed_when(r, ctx);
  if (!r.skipped && task.failed_when) failed = !!task.failed_when(r, ctx);
  return { ...r, changed, failed, status: statusOf(changed, failed, r.skipped) };
}

async function runItem(task: Task<any, any>, scope: Scope, hs: HostState, ctx: HostCtx<any>, item: unknown, env: TaskEnv): Promise<TaskResult> {
  const retries = task.until ? task.retries ?? 3 : 0;
  const delay = task.delay ?? 5;
  let r = applyOverrides(task, await attempt(task, scope, hs, ctx, item, env), ctx);
  for (let i = 0; task.until && !task.until(r, ctx) && i < retries; i++) {
    env.log(hs.name, `retrying ${task.name} (${retries - i} retries left)`);
    await sleep(delay);
    r = applyOverrides(task, await attempt(task, scope, hs, ctx, item, env), ctx);
  }
  if (task.until && !task.until(r, ctx) && !r.failed) {
    r = { ...r, failed: true, status: 'failed', msg: `still not ready after ${retries} retries${r.msg ? `: ${r.msg}` : ''}` };
  }
  return r;
}

/** Runs the task for every loop item (or once) and aggregates. Never throws. */
export async function executeTask(task: Task<any, any>, scope: Scope, hs: HostState, env: TaskEnv): Promise<Outcome> {
  const ctx = env.ctxOf(hs);
  try {
    for (const w of scope.whens) if (!w(ctx)) return skippedResult('conditional result was false');
    if (task.when && !task.when(ctx)) return skippedResult('conditional result was false');
    if (!task.loop) return await runItem(task, scope, hs, ctx, undefined, env);

    const items = task.loop(ctx);
    if (!items.length) return skippedResult('no items');
    const results: TaskResult[] = [];
    for (const item of items) {
      const r = await runItem(task, scope, hs, env.ctxOf(hs), item, env);
      results.push({ ...r, item });
      if (r.failed) break;
    }
    const changed = results.some((r) => r.changed);
    const failed = results.some((r) => r.failed);
    const skipped = results.every((r) => r.skipped);
    const nChanged = results.filter((r) => r.changed).length;
    const firstFail = results.find((r) => r.failed);
    const msg = firstFail?.msg ?? `${results.length} item(s)${nChanged ? `, ${nChanged} changed` : ''}`;
    return {
      status: statusOf(changed, failed, skipped), changed, failed, skipped, msg, results,
      diff: results.flatMap((r) => r.diff ?? []),
      warnings: results.flatMap((r) => r.warnings ?? []),
      rc: firstFail?.rc, stdout: firstFail?.stdout, stderr: firstFail?.stderr,
    };
  } catch (e) {
    if (e instanceof UnreachableError) return { status: 'failed', changed: false, failed: true, skipped: false, msg: e.message, unreachable: true };
    const err = e as Error;
    const msg = env.opts.verbosity >= 3 && err.stack ? err.stack : err.message;
    return { status: 'failed', changed: false, failed: true, skipped: false, msg };
  }
}
