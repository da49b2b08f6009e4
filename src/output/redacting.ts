/** Wraps any reporter so that no registered secret leaves the process. */
import { redactDeep } from '../api/secrets.js';
import type { EngineEvent, Reporter } from './events.js';

export class RedactingReporter implements Reporter {
  constructor(private readonly inner: Reporter) {}
  emit(e: EngineEvent): void {
    this.inner.emit(redactDeep(e));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
