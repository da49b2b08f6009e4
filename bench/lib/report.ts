/** Printing bench figures: one line per run, and the per-task table of pgplay against ansible-core. */
import type { RunFigures } from './ours.js';

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

export function printRun(r: RunFigures): void {
  const t = r.timings;
  const rt = Number.isNaN(r.roundTripsPerTask) ? '' : `, ${r.roundTripsPerTask.toFixed(2)} round trips per task`;
  console.log(
    `${r.label}: ${r.hosts.length} host(s), ${r.taskRuns} host-tasks in ${(r.wallMs / 1000).toFixed(2)} s wall ` +
      `(facts ${ms(t.factsMs)}, ${t.tasks} tasks ${(t.tasksMs / 1000).toFixed(2)} s = ${ms(t.tasksMs / Math.max(1, t.tasks))} per task${rt}), ` +
      `changed=${r.changed} failed=${r.failed}`,
  );
  if (r.unreachable.length) console.log(`${r.label}: unreachable (left out): ${r.unreachable.join(', ')}`);
}

/** Mean wall time per task, all hosts in lockstep, by kind of task; ratio = ansible / pgplay. */
export function printComparison(ours: RunFigures, ansible: RunFigures): void {
  const rows: string[][] = [['task', 'pgplay', 'ansible-core', 'ratio']];
  for (const k of ours.timings.byKind) {
    const a = ansible.timings.byKind.find((x) => x.kind === k.kind);
    rows.push([`${k.kind} (${k.tasks})`, ms(k.meanMs), a ? ms(a.meanMs) : '-', a ? `${(a.meanMs / k.meanMs).toFixed(1)}x` : '-']);
  }
  const perTask = (r: RunFigures) => r.timings.tasksMs / Math.max(1, r.timings.tasks);
  rows.push(['all tasks', ms(perTask(ours)), ms(perTask(ansible)), `${(perTask(ansible) / perTask(ours)).toFixed(1)}x`]);
  rows.push(['facts', ms(ours.timings.factsMs), ms(ansible.timings.factsMs), `${(ansible.timings.factsMs / ours.timings.factsMs).toFixed(1)}x`]);
  rows.push(['whole run (wall)', ms(ours.wallMs), ms(ansible.wallMs), `${(ansible.wallMs / ours.wallMs).toFixed(1)}x`]);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`\nno-op, per task (${ours.label} against ${ansible.label}):`);
  for (const r of rows) console.log(r.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  '));
}
