/** --json: one JSON event per line on stdout, for CI pipelines. */
import type { EngineEvent, Reporter } from './events.js';

export class JsonReporter implements Reporter {
  constructor(private readonly write: (s: string) => void = (s) => process.stdout.write(s + '\n')) {}
  emit(e: EngineEvent): void {
    this.write(JSON.stringify({ ts: new Date().toISOString(), ...e }));
  }
  async close(): Promise<void> {}
}
