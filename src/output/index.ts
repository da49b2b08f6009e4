/** Picks the reporter: JSON events, live progress on a terminal, or plain lines. */
import type { Reporter } from './events.js';
import { JsonReporter } from './json.js';
import { PlainReporter } from './plain.js';
import { ProgressReporter } from './progress.js';
import { RedactingReporter } from './redacting.js';

export function createReporter(o: { json: boolean; verbosity: number; tty?: boolean }): Reporter {
  const tty = o.tty ?? (!!process.stdout.isTTY && process.env.TERM !== 'dumb' && !process.env.CI);
  const inner = o.json ? new JsonReporter() : tty ? new ProgressReporter(o.verbosity) : new PlainReporter(o.verbosity);
  return new RedactingReporter(inner);
}

export type { Reporter, EngineEvent, HostStats } from './events.js';
