import { describe, expect, it } from 'vitest';
import { kindOf, timings } from '../../../bench/lib/timings.js';

describe('bench timings', () => {
  it('times each task until the next starts, facts apart, grouped by kind', () => {
    const t = timings(
      [
        { task: 'Gathering Facts', at: 0 },
        { task: 'bench dir', at: 100 },
        { task: 'template 0', at: 110 },
        { task: 'file 0', at: 140 },
        { task: 'template 1', at: 150 },
        { task: 'file 1', at: 170 },
      ],
      200,
    );
    expect(t.factsMs).toBe(100);
    expect(t.tasks).toBe(5);
    expect(t.tasksMs).toBe(100);
    expect(t.byKind).toEqual([
      { kind: 'bench dir', tasks: 1, totalMs: 10, meanMs: 10 },
      { kind: 'template', tasks: 2, totalMs: 50, meanMs: 25 },
      { kind: 'file', tasks: 2, totalMs: 40, meanMs: 20 },
    ]);
  });

  it('names kinds by the task name without its number', () => {
    expect(kindOf('service 49')).toBe('service');
    expect(kindOf('Gathering Facts')).toBe('facts');
  });
});
