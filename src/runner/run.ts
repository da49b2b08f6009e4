/** Runs a playbook end to end: load inventory, plan (no host touched), execute, recap. */
import type { Playbook } from '../api/types.js';
import { EXIT } from '../api/errors.js';
import { loadInventory } from '../inventory/index.js';
import type { Reporter } from '../output/events.js';
import type { RunOptions } from './options.js';
import { planPlaybook } from './plan.js';
import { ConnectionPool } from './connection-pool.js';
import { PlayExecutor } from './execute-play.js';

export interface RunSummary {
  exitCode: number;
  stats: Record<string, import('../output/events.js').HostStats>;
  roundTrips: number;
}

export async function runPlaybook(pb: Playbook, opts: RunOptions, reporter: Reporter): Promise<RunSummary> {
  const t0 = Date.now();
  const inv = loadInventory(opts.inventoryFile);
  const plan = planPlaybook(pb, inv, opts);

  reporter.emit({
    event: 'playbook_start', playbook: pb.name, inventory: opts.inventoryFile, limit: opts.limit,
    tags: opts.tags.only, skip_tags: opts.tags.skip, check: opts.check, diff: opts.diff,
  });
  for (const w of plan.warnings) reporter.emit({ event: 'warning', msg: w });

  // Connections read the host's live variables (play `become` included) when first opened.
  const conns: ConnectionPool = new ConnectionPool(opts.inventoryFile, (h) => exec.state(h).vars());
  const exec: PlayExecutor = new PlayExecutor(inv, opts, reporter, conns);
  try {
    for (const pp of plan.plays) {
      await exec.runPlay(pp);
      if (exec.aborted) break;
    }
  } finally {
    await conns.closeAll();
  }

  const stats = Object.fromEntries([...exec.states].filter(([, s]) => s.played).map(([h, s]) => [h, s.stats]));
  const bad = Object.values(stats).some((s) => s.failed > 0 || s.unreachable > 0);
  reporter.emit({ event: 'recap', hosts: stats, duration_ms: Date.now() - t0, ok: !bad, round_trips: conns.roundTrips });
  return { exitCode: bad ? EXIT.hostFailed : EXIT.ok, stats, roundTrips: conns.roundTrips };
}
