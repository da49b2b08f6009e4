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

/**
 * Mean wall time per task, all hosts in lockstep, by kind of task; ratio = ansible / pgplay. pgplay
 * is the mean of its no-op runs around ansible's (one before, one after: the load moves during
 * ansible's minutes); the last line gives the ratio against each of them.
 */
export function printComparison(ours: RunFigures[], ansible: RunFigures): void {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const perTask = (r: RunFigures) => r.timings.tasksMs / Math.max(1, r.timings.tasks);
  const ratio = (a: number, o: number) => `${(a / o).toFixed(1)}x`;
  const rows: string[][] = [['task', 'pgplay', 'ansible-core', 'ratio']];
  for (const k of ours[0].timings.byKind) {
    const o = mean(ours.map((r) => r.timings.byKind.find((x) => x.kind === k.kind)?.meanMs ?? NaN));
    const a = ansible.timings.byKind.find((x) => x.kind === k.kind);
    rows.push([`${k.kind} (${k.tasks})`, ms(o), a ? ms(a.meanMs) : '-', a ? ratio(a.meanMs, o) : '-']);
  }
  const o = mean(ours.map(perTask));
  rows.push(['all tasks', ms(o), ms(perTask(ansible)), ratio(perTask(ansible), o)]);
  const f = mean(ours.map((r) => r.timings.factsMs));
  rows.push(['facts', ms(f), ms(ansible.timings.factsMs), ratio(ansible.timings.factsMs, f)]);
  const w = mean(ours.map((r) => r.wallMs));
  rows.push(['whole run (wall)', ms(w), ms(ansible.wallMs), ratio(ansible.wallMs, w)]);
  const width = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`\nno-op, per task: ${ours.map((r) => r.label).join(' and ')} (mean) against ${ansible.label}`);
  for (const r of rows) console.log(r.map((c, i) => (i ? c.padStart(width[i]) : c.padEnd(width[i]))).join('  '));
  console.log(`all tasks, ratio against each pgplay run: ${ours.map((r) => `${r.label} ${ratio(perTask(ansible), perTask(r))}`).join(', ')}`);
  console.log('(pgplay runs in-process: its whole-run wall has no start-up; ansible-playbook\'s includes its own)');
}
