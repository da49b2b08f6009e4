/**
 * Builders for typed playbooks and roles. They only shape data; the runner (src/runner/) executes it.
 *
 *   export default playbook('pgsql', [
 *     play({ name: 'PGSQL', hosts: 'all', roles: [pgId, pgsql] }),
 *   ]);
 */
import path from 'node:path';
import { sourceDir } from './project-root.js';
import type {
  Action, Block, FlushHandlers, Handler, HostCtx, LocalOutcome, Play, Playbook, Role, RoleRef, Task,
  TaskNode, TaskOptions, Vars,
} from './types.js';

export interface TaskSpec<V, I> extends TaskOptions<V, I> {
  loop?: (h: HostCtx<V>) => readonly I[];
  do: (h: HostCtx<V>, item: I) => Action | null;
}

/** A task that applies one module action on each host (per loop item). */
export function task<V = Vars, I = unknown>(name: string, spec: TaskSpec<V, I>): Task<V, I> {
  const { do: action, ...opts } = spec;
  return { kind: 'task', name, ...opts, action };
}

export interface LocalSpec<V, I> extends TaskOptions<V, I> {
  loop?: (h: HostCtx<V>) => readonly I[];
  run: (h: HostCtx<V>, item: I) => LocalOutcome | void;
}

/** A controller-side task: sets variables, asserts, prints. Costs no round trip. */
export function local<V = Vars, I = unknown>(name: string, spec: LocalSpec<V, I>): Task<V, I> {
  const { run, ...opts } = spec;
  return { kind: 'task', name, ...opts, action: () => null, local: run };
}

/** Fails the host with `msg` unless `that` holds (Ansible's assert). */
export function assert<V = Vars>(name: string, that: (h: HostCtx<V>) => boolean | string, opts: TaskOptions<V> & { msg?: string | ((h: HostCtx<V>) => string) } = {}): Task<V, unknown> {
  const { msg, ...rest } = opts;
  return local<V, unknown>(name, {
    ...rest,
    run: (h) => {
      const ok = that(h);
      if (ok === true) return { msg: 'all assertions passed' };
      const text = typeof ok === 'string' ? ok : typeof msg === 'function' ? msg(h) : msg ?? `assertion failed: ${name}`;
      return { failed: true, msg: text };
    },
  });
}

/** Prints a message for each host (Ansible's debug). */
export function debug<V = Vars>(name: string, msg: (h: HostCtx<V>) => string, opts: TaskOptions<V> = {}): Task<V, unknown> {
  return local<V, unknown>(name, { ...opts, print: true, run: (h) => ({ msg: msg(h) }) });
}

export function block<V = Vars>(spec: Omit<Block<V>, 'kind'>): Block<V> {
  return { kind: 'block', ...spec };
}

export function flushHandlers(tags?: string[]): FlushHandlers {
  return { kind: 'flush_handlers', tags };
}

export function handler<V = Vars>(name: string, spec: TaskSpec<V, unknown> & { listen?: string[] }): Handler<V> {
  return task<V, unknown>(name, spec) as Handler<V>;
}

export function role<V>(spec: Role<V>): Role<V> {
  return spec;
}

export function withTags<V>(role: Role<V>, tags: string[], when?: RoleRef<V>['when']): RoleRef<V> {
  return { role, tags, when };
}

export function play(spec: Play): Play {
  return spec;
}

export function playbook(name: string, plays: Play[], description?: string): Playbook {
  return { name, plays, description };
}

/**
 * Absolute path of a file beside the calling module's source: fileBeside(import.meta.url, 'templates/x.hbs').
 * From compiled code (dist/) it is still the file in the source tree.
 */
export function fileBeside(metaUrl: string, rel: string): string {
  return path.join(sourceDir(metaUrl), rel);
}

export type { TaskNode };
