/**
 * Stopping a run on SIGINT/SIGTERM. The CLI aborts an AbortSignal with the signal's name; the runner
 * asks `stopped` before it starts anything on a host, and races what already runs against `cut()`,
 * so that a task cut off settles at once (the pool's close ends the command on the host).
 */

/** The value `cut()` resolves to when the run was interrupted first. */
export const CUT: unique symbol = Symbol('interrupted');

export class Interrupt {
  private readonly stopped$: Promise<typeof CUT>;

  constructor(private readonly signal?: AbortSignal) {
    this.stopped$ = new Promise((resolve) => {
      if (!signal) return;
      if (signal.aborted) resolve(CUT);
      else signal.addEventListener('abort', () => resolve(CUT), { once: true });
    });
  }

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

  /** `p`'s value, or CUT as soon as the run is interrupted while `p` is pending. */
  cut<T>(p: Promise<T>): Promise<T | typeof CUT> {
    if (!this.signal) return p;
    return Promise.race([p, this.stopped$]);
  }
}
