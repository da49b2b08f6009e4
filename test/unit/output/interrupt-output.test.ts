/** The plain and progress views of an interrupted run: the `interrupted` line and the recap so far. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../src/output/events.js';
import { emptyStats } from '../../../src/output/events.js';
import { PlainReporter } from '../../../src/output/plain.js';
import { ProgressReporter } from '../../../src/output/progress.js';

/** A run cut off in task 'long': h1 was running it, h2 still waited for a fork (no result). */
const events: EngineEvent[] = [
  { event: 'play_start', play: 'p', hosts: ['h1', 'h2'] },
  { event: 'task_start', play: 'p', task: 'long', tags: [], hosts: ['h1', 'h2'] },
  { event: 'interrupted', signal: 'SIGINT', running: [{ host: 'h1', task: 'long' }] },
  { event: 'host_result', task: 'long', host: 'h1', status: 'failed', msg: 'interrupted (SIGINT): the task was cut off', duration_ms: 5 },
  { event: 'task_end', task: 'long' },
  { event: 'play_end', play: 'p' },
  { event: 'recap', hosts: { h1: { ...emptyStats(), failed: 1 }, h2: emptyStats() }, duration_ms: 10, ok: false, round_trips: 1, interrupted: true },
];

afterEach(() => vi.restoreAllMocks());

describe('interrupted output', () => {
  it('plain lines', () => {
    const lines: string[] = [];
    const r = new PlainReporter(0, (s) => lines.push(s));
    for (const e of events) r.emit(e);
    const out = lines.join('\n');
    expect(out).toMatch(/interrupted \(SIGINT\): no new task starts; cutting off \[h1\] long/);
    expect(out).toMatch(/fatal: \[h1\]: FAILED! => interrupted \(SIGINT\): the task was cut off/);
    expect(out).toMatch(/PLAY RECAP \(interrupted\)/);
    expect(out).toMatch(/h1 +: ok=0 {2}changed=0 {2}unreachable=0 {2}failed=1/);
  });

  it('progress view: a host that never started does not hold the view; it closes and recaps', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    const listeners = process.listenerCount('SIGINT');
    const r = new ProgressReporter(0);
    r.emit(events[0]);
    r.emit(events[1]);
    await new Promise((res) => setTimeout(res, 50)); // the task's list is drawing now
    // no SIGINT listener of listr2's own while it draws (its handler exits 127 at once, before the recap)
    const drawing = process.listenerCount('SIGINT');
    for (const e of events.slice(2)) r.emit(e);
    await r.close(); // would never resolve while h2's line waited for a result
    vi.restoreAllMocks();
    expect(drawing).toBe(listeners);
    expect(out).toMatch(/interrupted \(SIGINT\): no new task starts; cutting off \[h1\] long/);
    expect(out).toMatch(/PLAY RECAP \(interrupted\)/);
    expect(out.indexOf('interrupted (SIGINT)')).toBeLessThan(out.indexOf('PLAY RECAP'));
  });
});
