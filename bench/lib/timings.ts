/**
 * Per-task wall times of one run, the same way for both engines: a task lasts from its start until
 * the next task starts (or the run ends), all hosts in lockstep. Tasks are grouped by kind, the
 * first word of their name ("template 7" → template); facts are kept apart.
 */
export interface TaskMark {
  task: string;
  /** Milliseconds, any origin. */
  at: number;
}

export interface KindTime {
  kind: string;
  tasks: number;
  totalMs: number;
  meanMs: number;
}

export interface Timings {
  factsMs: number;
  /** All tasks but facts. */
  tasks: number;
  tasksMs: number;
  byKind: KindTime[];
}

export const FACTS = 'Gathering Facts';

export function kindOf(task: string): string {
  return task === FACTS ? 'facts' : task.replace(/\s+\d+$/, '');
}

/** From task starts (in order) and the end of the run. */
export function timings(starts: TaskMark[], endAt: number): Timings {
  const kinds = new Map<string, { tasks: number; totalMs: number }>();
  let factsMs = 0;
  starts.forEach((s, i) => {
    const ms = (starts[i + 1]?.at ?? endAt) - s.at;
    if (s.task === FACTS) {
      factsMs += ms;
      return;
    }
    const k = kinds.get(kindOf(s.task)) ?? { tasks: 0, totalMs: 0 };
    k.tasks++;
    k.totalMs += ms;
    kinds.set(kindOf(s.task), k);
  });
  const byKind = [...kinds].map(([kind, k]) => ({ kind, tasks: k.tasks, totalMs: k.totalMs, meanMs: k.totalMs / k.tasks }));
  const tasks = byKind.reduce((n, k) => n + k.tasks, 0);
  return { factsMs, tasks, tasksMs: byKind.reduce((n, k) => n + k.totalMs, 0), byKind };
}
