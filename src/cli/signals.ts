/**
 * SIGINT/SIGTERM during a run: the first aborts the returned signal (the runner stops starting
 * tasks, cuts off what runs, recaps; exit 130); a second one exits at once with 130.
 */
import { EXIT } from '../api/errors.js';

/** The part of `process` this needs (tests pass their own). */
export interface SignalHost {
  on(signal: NodeJS.Signals, f: (s: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, f: (s: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
  stderr: { write(s: string): unknown };
}

export function onInterrupt(host: SignalHost = process): { signal: AbortSignal; dispose(): void } {
  const ctl = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (!ctl.signal.aborted) return ctl.abort(sig);
    host.stderr.write(`\n${sig} again: exiting at once\n`);
    host.exit(EXIT.interrupted);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) host.on(s, handler);
  return { signal: ctl.signal, dispose: () => signals.forEach((s) => host.off(s, handler)) };
}
