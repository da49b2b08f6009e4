/**
 * Tag selection, exactly as Ansible's Taggable.evaluate_tags: a task without tags counts as tagged
 * `untagged`; `always` runs unless skipped explicitly; `never` runs only when asked for by name;
 * `all` and `tagged` work as in Ansible; --skip-tags beats --tags.
 */
import type { Playbook } from '../api/types.js';
import { UserError } from '../api/errors.js';
import { eachTask, taskTags } from './walk.js';

export interface TagFilter {
  only: string[];
  skip: string[];
}

export const DEFAULT_FILTER: TagFilter = { only: ['all'], skip: [] };

export function splitTags(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((t) => t.trim()).filter(Boolean);
}

export function shouldRun(taskTags: Iterable<string>, filter: TagFilter): boolean {
  const own = new Set(taskTags);
  const tags = own.size ? own : new Set(['untagged']);
  const untagged = !own.size;
  const only = new Set(filter.only.length ? filter.only : ['all']);
  const skip = new Set(filter.skip);
  const meets = (set: Set<string>) => [...tags].some((t) => set.has(t));

  let run = true;
  if (only.size) {
    if (tags.has('always')) run = true;
    else if (only.has('all') && !tags.has('never')) run = true;
    else if (meets(only)) run = true;
    else if (only.has('tagged') && !untagged && !tags.has('never')) run = true;
    else run = false;
  }
  if (run && skip.size) {
    if (skip.has('all')) {
      if (!tags.has('always') || skip.has('always')) run = false;
    } else if (meets(skip)) run = false;
    else if (skip.has('tagged') && !untagged) run = false;
  }
  return run;
}

/** Tag names with a meaning of their own in a selection, valid whatever the playbook's tags. */
export const SPECIAL_TAGS = ['all', 'always', 'never', 'tagged', 'untagged'] as const;

/** Every tag of the playbook: those of its plays, roles, blocks and tasks. */
export function playbookTags(pb: Playbook): Set<string> {
  const out = new Set<string>();
  for (const play of pb.plays) {
    for (const { task, scope } of eachTask(play)) for (const t of taskTags(scope, task)) out.add(t);
    for (const t of play.tags ?? []) out.add(t);
  }
  return out;
}

/**
 * Refuses a --tags / --skip-tags value that names no tag of the playbook (Ansible accepts it and
 * runs nothing, or everything: a typo in --skip-tags would contact and change every host).
 */
export function checkTagFilter(pb: Playbook, filter: TagFilter): void {
  const known = playbookTags(pb);
  const valid = (t: string) => known.has(t) || (SPECIAL_TAGS as readonly string[]).includes(t);
  const bad = [...filter.only.map((t) => ['--tags', t]), ...filter.skip.map((t) => ['--skip-tags', t])].filter(([, t]) => !valid(t));
  if (!bad.length) return;
  const names = bad.map(([opt, t]) => `${opt} '${t}'`).join(', ');
  throw new UserError(
    `${names}: no such tag in playbook ${pb.name}; no host was contacted. Known tags: ${[...known].sort().join(', ')} (and ${SPECIAL_TAGS.join(', ')}; see --list-tags)`,
    bad.map(([opt, t]) => ({ path: opt, message: `unknown tag '${t}'` })),
  );
}
