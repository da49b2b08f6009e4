/** --list-hosts, --list-tasks and --list-tags: read the plan, contact no host. */
import type { Playbook, TaskNode } from '../api/types.js';
import type { Plan } from './plan.js';
import { shouldRun, type TagFilter } from './tags.js';
import { eachTask, playSections, taskTags } from './walk.js';

export function listHosts(plan: Plan): string[] {
  const seen = new Set<string>();
  for (const p of plan.plays) for (const h of p.hosts) seen.add(h);
  return [...seen];
}

export function listTasks(pb: Playbook, filter: TagFilter): string[] {
  const lines = [`playbook: ${pb.name}`];
  pb.plays.forEach((play, i) => {
    lines.push('', `  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: [${(play.tags ?? []).join(', ')}]`, '    tasks:');
    for (const { task, scope } of eachTask(play)) {
      const tags = taskTags(scope, task);
      if (!shouldRun(tags, filter)) continue;
      const name = scope.role ? `${scope.role} : ${task.name}` : task.name;
      lines.push(`      ${name}\tTAGS: [${tags.join(', ')}]`);
    }
  });
  return lines;
}

interface TagNode {
  children: Map<string, TagNode>;
  /** This tag and the tags above it. */
  path: Set<string>;
}

/**
 * Tags as a tree: a tag nests under the tags of the role/block that contains it. A role's tags are
 * a path (`withTags(r, ['pgsql', 'pg_access'])`: pg_access under pgsql); the tags of one block or
 * task are siblings; a tag already on the path above is not drawn again below itself.
 */
export function tagTree(pb: Playbook): Map<string, TagNode> {
  const root: TagNode = { children: new Map(), path: new Set() };
  const child = (p: TagNode, t: string): TagNode | undefined => {
    if (p.path.has(t)) return undefined;
    let c = p.children.get(t);
    if (!c) p.children.set(t, (c = { children: new Map(), path: new Set([...p.path, t]) }));
    return c;
  };
  const siblings = (parents: TagNode[], tags: string[]): TagNode[] => {
    if (!tags.length) return parents;
    const next: TagNode[] = [];
    for (const p of parents) for (const t of tags) next.push(child(p, t) ?? p);
    return [...new Set(next)];
  };
  const path = (parents: TagNode[], tags: string[]): TagNode[] => parents.map((p) => tags.reduce((n, t) => child(n, t) ?? n, p));
  const visit = (nodes: TaskNode<any>[], parents: TagNode[]) => {
    for (const n of nodes) {
      const here = siblings(parents, n.tags ?? []);
      if (n.kind === 'block') {
        visit(n.tasks, here);
        visit(n.rescue ?? [], here);
        visit(n.always ?? [], here);
      }
    }
  };
  for (const play of pb.plays) {
    const playNode = path([root], play.tags ?? []);
    for (const sec of playSections(play)) {
      const roleTags = sec.scope.tags.slice((play.tags ?? []).length);
      visit(sec.nodes, path(playNode, roleTags));
    }
  }
  return root.children;
}

export function listTags(pb: Playbook): string[] {
  const lines = [`playbook: ${pb.name}`, ''];
  pb.plays.forEach((play, i) => {
    const all = new Set<string>();
    for (const { task, scope } of eachTask(play)) taskTags(scope, task).forEach((t) => all.add(t));
    lines.push(`  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: [${(play.tags ?? []).join(', ')}]`);
    lines.push(`      TASK TAGS: [${[...all].sort().join(', ')}]`);
  });
  lines.push('', 'tag tree:');
  const draw = (m: Map<string, TagNode>, indent: string) => {
    for (const [t, n] of m) {
      lines.push(`${indent}${t}`);
      draw(n.children, indent + '  ');
    }
  };
  draw(tagTree(pb), '  ');
  return lines;
}
