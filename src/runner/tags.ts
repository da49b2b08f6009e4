/**
 * Tag selection, exactly as Ansible's Taggable.evaluate_tags: a task without tags counts as tagged
 * `untagged`; `always` runs unless skipped explicitly; `never` runs only when asked for by name;
 * `all` and `tagged` work as in Ansible; --skip-tags beats --tags.
 */
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
