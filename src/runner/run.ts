/**
 * Runs a playbook end to end: load inventory, plan (no host touched), execute, recap. When
 * `signal` aborts (the CLI's SIGINT/SIGTERM), nothing new starts, the connections close at once
 * (ending what runs on the hosts), the tasks cut off are booked as failed, and the recap so far
 * follows an `interrupted` event.
 */
import type { Playbook } from '../api/types.js';
import { EXIT } from '../api/errors.js';
import { loadInventory } from '../inventory/index.js';
import type { Reporter } from '../output/events.js';
import type { RunOptions } from './options.js';
import { planPlaybook } from './plan.js';
import { ConnectionPool } from './connection-pool.js';
import { PlayExecutor } from './execute-play.js';
import { Interrupt } from './interrupt.js';

/** How long an interrupted run waits for its connections to close before it recaps anyway. */
const CLOSE_GRACE_MS = 5000;

export interface RunSummary {
  exitCode: number;
  stats: Record<string, import('../output/events.js').HostStats>;
  roundTrips: number;
  interrupted: boolean;
}

export async function runPlaybook(pb: Playbook, opts: RunOptions, reporter: Reporter, signal?: AbortSignal): Promise<RunSummary> {
  const t0 = Date.now();
  const inv = loadInventory(opts.inventoryFile, opts.inventoryLoad);
  const plan = planPlaybook(pb, inv, opts);

  reporter.emit({
    event: 'playbook_start', playbook: pb.name, inventory: opts.inventoryFile, limit: opts.limit,
    tags: opts.tags.only, skip_tags: opts.tags.skip, check: opts.check, diff: opts.diff,
  });
  for (const w of plan.warnings) reporter.emit({ event: 'warning', msg: w });

  // Connections read the host's live variables (play `become` included) when first opened.
  const conns: ConnectionPool = new ConnectionPool(opts.inventoryFile, (h) => exec.state(h).vars());
  const interrupt = new Interrupt(signal);
  const exec: PlayExecutor = new PlayExecutor(inv, opts, reporter, conns, interrupt);
  let closing: Promise<void> | undefined;
  interrupt.onStop(() => {
    reporter.emit({ event: 'interrupted', signal: interrupt.reason, running: exec.runningTasks() });
    closing = conns.closeAll();
  });
  try {
    for (const pp of plan.plays) {
      if (exec.halted) break;
      await exec.runPlay(pp);
    }
  } finally {
    if (closing) await Promise.race([closing, new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref())]);
    else await conns.closeAll();
  }

  const stats = Object.fromEntries([...exec.states].filter(([, s]) => s.played).map(([h, s]) => [h, s.stats]));
  const interrupted = interrupt.stopped;
  const bad = interrupted || Object.values(stats).some((s) => s.failed > 0 || s.unreachable > 0);
  reporter.emit({ event: 'recap', hosts: stats, duration_ms: Date.now() - t0, ok: !bad, round_trips: conns.roundTrips, ...(interrupted ? { interrupted } : {}) });
  const exitCode = interrupted ? EXIT.interrupted : bad ? EXIT.hostFailed : EXIT.ok;
  return { exitCode, stats, roundTrips: conns.roundTrips, interrupted };
}
