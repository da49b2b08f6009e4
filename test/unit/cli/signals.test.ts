/** ./run's signal handling: the first SIGINT/SIGTERM aborts the run's signal, a second one exits 130 at once. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onInterrupt } from '../../../src/cli/signals.js';

/** A stand-in for `process`: signals are emitted by the test, exit() and stderr are recorded. */
function fakeProcess() {
  const em = new EventEmitter();
  const exits: number[] = [];
  let stderr = '';
  const host = {
    on: (s: NodeJS.Signals, f: (s: NodeJS.Signals) => void) => em.on(s, f),
    off: (s: NodeJS.Signals, f: (s: NodeJS.Signals) => void) => em.off(s, f),
    exit: (code: number) => void exits.push(code),
    stderr: { write: (s: string) => (stderr += s) },
  };
  return { host, em, exits, stderr: () => stderr };
}

describe('onInterrupt', () => {
  it('first signal aborts with its name; a second exits 130 at once', () => {
    const p = fakeProcess();
    const stop = onInterrupt(p.host);
    expect(stop.signal.aborted).toBe(false);
    p.em.emit('SIGTERM', 'SIGTERM');
    expect(stop.signal.aborted).toBe(true);
    expect(stop.signal.reason).toBe('SIGTERM');
    expect(p.exits).toEqual([]);
    p.em.emit('SIGINT', 'SIGINT');
    expect(p.exits).toEqual([130]);
    expect(p.stderr()).toMatch(/SIGINT again: exiting at once/);
  });

  it('dispose removes the handlers', () => {
    const p = fakeProcess();
    const stop = onInterrupt(p.host);
    stop.dispose();
    expect(p.em.listenerCount('SIGINT') + p.em.listenerCount('SIGTERM')).toBe(0);
  });
});
