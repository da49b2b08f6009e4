/**
 * vitest globalSetup of the end-to-end suite: brings the sandbox up once per run (an idempotent
 * `./run sandbox up`: a no-op of about a second when the four hosts already answer SSH) and leaves it
 * up afterwards, for the next test files, the next run and the developers (no teardown).
 */
import { sandboxUp } from '../../src/sandbox/lifecycle.js';

export default async function setup(): Promise<void> {
  await sandboxUp();
}
