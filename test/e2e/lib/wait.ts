/** Waiting in the end-to-end tests. */

/** Calls fn until check holds, once a second, at most `seconds` more times; returns the last value. */
export async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, seconds: number): Promise<T> {
  let v = await fn();
  for (let i = 0; i < seconds && !check(v); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    v = await fn();
  }
  return v;
}
