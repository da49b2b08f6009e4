/**
 * Packages installed ahead: an early apt task of a playbook (node's `node_pkg`, pgsql's `pg_pkg`)
 * installs, in its one transaction, also what the later roles of the playbook will install on that
 * host, so that a fresh host gets all its packages in one apt-get run. The later roles keep their
 * own apt tasks: on a fresh host they find everything present (ok, one read round trip); run on
 * their own (`-t pgbouncer`, another playbook) they install what they need as before.
 *
 * What a role would install comes from roles/packages.ts; what must be on the host before (pgsql's
 * createcluster.d setting) from the role's own tasks, run first on the hosts that will need them.
 */
import { block } from '../src/api/playbook.js';
import type { Action, HostCtx, Play, Role, RoleRef, Task, TaskNode, Vars } from '../src/api/types.js';
import { apt, type AptArgs } from '../src/operations/package.js';
import { beforeInstall, rolePackages } from './packages.js';

/** A role that will run later, and the variables it will see on a host (undefined: not on that host). */
export interface Later {
  role: Role;
  varsOn: (h: HostCtx<any>) => Vars | undefined;
}

const refOf = (r: Role | RoleRef): RoleRef => ('role' in r ? r : { role: r });

/**
 * The roles of later plays. A play runs on a host when its pattern holds the host and its
 * host_filter keeps it (--limit applies to every play alike). A role there sees the defaults of that
 * play's roles under this host's variables (inventory, extra vars; the play's own vars between).
 */
export function laterPlays(plays: readonly Play[]): Later[] {
  return plays.flatMap((p) => {
    const refs = (p.roles ?? []).map(refOf);
    const defaults = Object.assign({}, ...refs.map((r) => r.role.defaults));
    const varsOn = (h: HostCtx<any>): Vars | undefined => {
      if (!h.inventory.hosts(p.hosts).includes(h.name)) return undefined;
      const vars: Vars = { ...defaults, ...(p.vars ?? {}), ...(h.vars as Vars) };
      return !p.host_filter || p.host_filter(vars, h.name) ? vars : undefined;
    };
    return refs.map((r) => ({ role: r.role, varsOn: (h: HostCtx<any>) => when(r, h, varsOn(h)) }));
  });
}

/** Later roles of the same play: they see this host's variables as they are. */
export function laterRoles(roles: readonly (Role | RoleRef)[]): Later[] {
  return roles.map(refOf).map((r) => ({ role: r.role, varsOn: (h: HostCtx<any>) => when(r, h, h.vars as Vars) }));
}

function when(r: RoleRef, h: HostCtx<any>, vars: Vars | undefined): Vars | undefined {
  return vars && (!r.when || r.when({ ...h, vars })) ? vars : undefined;
}

/** What the later roles will install on this host, in order, each name once. */
export function packagesAhead(later: readonly Later[], h: HostCtx<any>): string[] {
  const out = new Set<string>();
  for (const l of later) {
    const vars = l.varsOn(h);
    if (vars) for (const p of rolePackages[l.role.name]?.(vars) ?? []) out.add(p);
  }
  return [...out];
}

const names = (n: AptArgs['name']) => (n === undefined ? [] : typeof n === 'string' ? [n] : [...n]);

/** The apt task, asking also for the later roles' packages. */
function widened<V>(t: Task<V, any>, later: readonly Later[]): Task<V, any> {
  return {
    ...t,
    tags: undefined,
    action: (h, item) => {
      const a = t.action(h, item) as Action<AptArgs> | null;
      if (!a || a.module.name !== 'apt' || (a.args.state ?? 'present') !== 'present') return a;
      return apt({ ...a.args, name: [...new Set([...names(a.args.name), ...packagesAhead(later, h)])] });
    },
  };
}

type H = HostCtx<any>;

/**
 * A task tree of a later role made to run here: every function of it sees the host with the
 * variables that role will see (varsOn), and nothing runs on a host that role will not run on.
 * Its tags are dropped: it runs under the tags of the apt task it comes before.
 */
function asLater(n: TaskNode<any>, varsOn: (h: H) => Vars | undefined): TaskNode<any> {
  const at = (h: H): H => ({ ...h, vars: varsOn(h) ?? h.vars });
  const own = n.kind === 'flush_handlers' ? undefined : n.when;
  const when = (h: H) => !!varsOn(h) && (!own || own(at(h)));
  const bu = n.kind === 'flush_handlers' ? undefined : n.become_user;
  const become_user = typeof bu === 'function' ? (h: H) => bu(at(h)) : bu;
  if (n.kind === 'flush_handlers') return n;
  if (n.kind === 'block') return { ...n, tags: undefined, when, become_user, tasks: n.tasks.map((c) => asLater(c, varsOn)), rescue: n.rescue?.map((c) => asLater(c, varsOn)), always: n.always?.map((c) => asLater(c, varsOn)) };
  const t = n;
  return {
    ...t,
    tags: undefined,
    when,
    become_user,
    action: (h, i) => t.action(at(h), i),
    local: t.local && ((h, i) => t.local!(at(h), i)),
    loop: t.loop && ((h) => t.loop!(at(h))),
    changed_when: t.changed_when && ((r, h) => t.changed_when!(r, at(h))),
    failed_when: t.failed_when && ((r, h) => t.failed_when!(r, at(h))),
    until: t.until && ((r, h) => t.until!(r, at(h))),
    delegate_to: typeof t.delegate_to === 'function' ? (h, i) => (t.delegate_to as (h: H, i: unknown) => string)(at(h), i) : t.delegate_to,
  };
}

/** The tasks later roles need before their packages, each run only on the hosts those roles will run on. */
function beforeTasks(later: readonly Later[]): TaskNode<any>[] {
  return later.flatMap((l) => (beforeInstall[l.role.name]?.(l.role) ?? []).map((t) => asLater(t, l.varsOn)));
}

/**
 * `nodes` with the apt task named `taskName` replaced by a block of the same name and tags: the
 * later roles' before-install tasks, then the apt task asking for its own packages and theirs.
 */
export function installAhead<V>(nodes: readonly TaskNode<V>[], taskName: string, later: readonly Later[]): TaskNode<V>[] {
  let found = false;
  const walk = (list: readonly TaskNode<V>[]): TaskNode<V>[] =>
    list.map((n) => {
      if (n.kind === 'block') return { ...n, tasks: walk(n.tasks) };
      if (n.kind !== 'task' || n.name !== taskName) return n;
      found = true;
      return block<V>({ name: taskName, tags: n.tags, tasks: [...beforeTasks(later), widened(n, later)] });
    });
  const out = walk(nodes);
  if (!found) throw new Error(`installAhead: no task named '${taskName}'`);
  return out;
}
