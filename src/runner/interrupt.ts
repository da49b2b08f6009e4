/**
 * Stopping a run on SIGINT/SIGTERM. The CLI aborts an AbortSignal with the signal's name; the runner
 * asks `stopped` before it starts anything on a host, and races what already runs against `cut()`,
 * so that a task cut off settles at once (the pool's close ends the command on the host).
 */

/** The value `cut()` resolves to when the run was interrupted first. */
export const CUT: unique symbol = Symbol('interrupted');

export class Interrupt {
  constructor(private readonly signal?: AbortSignal) {}

  get stopped(): boolean {
    return !!this.signal?.aborted;
  }

  /** The signal's name ('SIGINT', 'SIGTERM') or what the caller aborted with. */
  get reason(): string {
    const r: unknown = this.signal?.reason;
    return typeof r === 'string' ? r : r instanceof Error ? r.message : 'interrupted';
  }

  /** Calls `f` once, when the run is interrupted (at once when it already is). */
  onStop(f: () => void): void {
    if (!this.signal) return;
    if (this.signal.aborted) f();
    else this.signal.addEventListener('abort', f, { once: true });
  }

  /**
   * `p`'s value, or CUT as soon as the run is interrupted while `p` is pending. The listener goes
   * when `p` settles: a long run keeps nothing per task.
   */
  cut<T>(p: Promise<T>): Promise<T | typeof CUT> {
    const signal = this.signal;
    if (!signal) return p;
    if (signal.aborted) return Promise.resolve(CUT);
    return new Promise((resolve, reject) => {
      const onAbort = () => resolve(CUT);
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
        (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
      );
    });
  }
}
