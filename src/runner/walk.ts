/**
 * Walks a play's task tree with inherited scope (tags, conditions, role, become_user,
 * any_errors_fatal). Tags are inherited the same way everywhere: play → role → block → task.
 * Used by the executor and by --list-tasks / --list-tags.
 */
import type { Block, Handler, HostCtx, Play, Pred, Role, RoleRef, Task, TaskNode } from '../api/types.js';

export interface Scope {
  tags: string[];
  whens: Pred<any>[];
  role?: string;
  becomeUser?: string | ((h: HostCtx<any>) => string);
  anyErrorsFatal: boolean;
}

export type Section = 'pre_tasks' | 'roles' | 'tasks' | 'post_tasks';

export interface ScopedNodes {
  section: Section;
  scope: Scope;
  nodes: TaskNode<any>[];
}

export function asRoleRef(r: Role<any> | RoleRef<any>): RoleRef<any> {
  return 'role' in r ? r : { role: r };
}

export function playRoles(play: Play): Role<any>[] {
  return (play.roles ?? []).map((r) => asRoleRef(r).role);
}

/** The play's task lists in execution order, each with the scope it inherits. */
export function playSections(play: Play): ScopedNodes[] {
  const base: Scope = { tags: play.tags ?? [], whens: [], anyErrorsFatal: !!play.any_errors_fatal };
  const out: ScopedNodes[] = [];
  if (play.pre_tasks?.length) out.push({ section: 'pre_tasks', scope: base, nodes: play.pre_tasks });
  for (const r of play.roles ?? []) {
    const ref = asRoleRef(r);
    out.push({
      section: 'roles',
      scope: { ...base, tags: [...base.tags, ...(ref.tags ?? [])], whens: ref.when ? [ref.when] : [], role: ref.role.name },
      nodes: ref.role.tasks,
    });
  }
  if (play.tasks?.length) out.push({ section: 'tasks', scope: base, nodes: play.tasks });
  if (play.post_tasks?.length) out.push({ section: 'post_tasks', scope: base, nodes: play.post_tasks });
  return out;
}

export function blockScope(scope: Scope, b: Block<any>): Scope {
  return {
    ...scope,
    tags: [...scope.tags, ...(b.tags ?? [])],
    whens: b.when ? [...scope.whens, b.when] : scope.whens,
    becomeUser: b.become_user ?? scope.becomeUser,
    anyErrorsFatal: scope.anyErrorsFatal || !!b.any_errors_fatal,
  };
}

export function taskTags(scope: Scope, t: Task<any, any>): string[] {
  return [...new Set([...scope.tags, ...(t.tags ?? [])])];
}

/** Every task of the play in order, with its scope (blocks flattened: block, rescue, always). */
export function* eachTask(play: Play): Generator<{ task: Task<any, any>; scope: Scope; section: Section }> {
  function* visit(nodes: TaskNode<any>[], scope: Scope, section: Section): Generator<{ task: Task<any, any>; scope: Scope; section: Section }> {
    for (const n of nodes) {
      if (n.kind === 'task') yield { task: n, scope, section };
      else if (n.kind === 'block') {
        const s = blockScope(scope, n);
        yield* visit(n.tasks, s, section);
        yield* visit(n.rescue ?? [], s, section);
        yield* visit(n.always ?? [], s, section);
      }
    }
  }
  for (const sec of playSections(play)) yield* visit(sec.nodes, sec.scope, sec.section);
}

/** Handlers of the play: the play's own, then each role's. */
export function playHandlers(play: Play): { handler: Handler<any>; role?: string }[] {
  const out: { handler: Handler<any>; role?: string }[] = [];
  for (const r of play.roles ?? []) for (const h of asRoleRef(r).role.handlers ?? []) out.push({ handler: h, role: asRoleRef(r).role.name });
  for (const h of play.handlers ?? []) out.push({ handler: h });
  return out;
}
