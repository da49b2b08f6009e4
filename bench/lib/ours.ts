/**
 * bench200 under pgplay: 200 no-op tasks (template, file, command with creates, service state, 50
 * of each) after one that makes the directory, run in-process with the runner (no ./run start-up).
 */
import path from 'node:path';
import { fileBeside, play, playbook, task } from '../../src/api/playbook.js';
import type { TaskNode } from '../../src/api/types.js';
import { command, file, service, template } from '../../src/operations/index.js';
import type { EngineEvent, Reporter } from '../../src/output/events.js';
import { runPlaybook } from '../../src/runner/run.js';
import { timings, type TaskMark, type Timings } from './timings.js';

const DIR = '/tmp/pgplay-bench';
export const CYCLES = 50;

function bench200() {
  const tasks: TaskNode[] = [task('bench dir', { do: () => file({ path: DIR, state: 'directory', mode: '0755' }) })];
  for (let n = 0; n < CYCLES; n++) {
    tasks.push(
      task(`template ${n}`, { do: (h) => template({ src: fileBeside(import.meta.url, '../templates/bench.conf.hbs'), dest: `${DIR}/t${n}.conf`, vars: { n, host: h.name }, mode: '0644' }) }),
      task(`file ${n}`, { do: () => file({ path: `${DIR}/d${n}`, state: 'directory', mode: '0750' }) }),
      task(`command ${n}`, { do: () => command({ cmd: `touch ${DIR}/c${n}`, creates: `${DIR}/c${n}` }) }),
      task(`service ${n}`, { do: () => service({ name: 'ssh', state: 'started' }) }),
    );
  }
  return playbook('bench', [play({ name: 'BENCH', hosts: 'all', tasks })]);
}

/** Keeps task starts and results, with their time. */
class Recorder implements Reporter {
  starts: TaskMark[] = [];
  results: Extract<EngineEvent, { event: 'host_result' }>[] = [];
  emit(e: EngineEvent): void {
    if (e.event === 'task_start') this.starts.push({ task: e.task, at: performance.now() });
    if (e.event === 'host_result') this.results.push(e);
  }
  async close(): Promise<void> {}
}

export interface RunFigures {
  label: string;
  hosts: string[];
  unreachable: string[];
  wallMs: number;
  taskRuns: number;
  changed: number;
  failed: number;
  roundTripsPerTask: number;
  timings: Timings;
}

export interface OursOptions {
  inventory: string;
  limit: string;
  forks: number;
}

export async function runOurs(label: string, o: OursOptions): Promise<RunFigures> {
  const pb = bench200();
  const rep = new Recorder();
  const t0 = performance.now();
  const s = await runPlaybook(pb, {
    inventoryFile: path.resolve(o.inventory),
    limit: o.limit,
    tags: { only: ['all'], skip: [] },
    extraVars: {},
    extraSources: {},
    check: false,
    diff: false,
    forks: o.forks,
    verbosity: 0,
  }, rep);
  const end = performance.now();
  const hosts = Object.entries(s.stats).filter(([, st]) => !st.unreachable).map(([h]) => h);
  const unreachable = Object.entries(s.stats).filter(([, st]) => st.unreachable).map(([h]) => h);
  const taskRuns = rep.results.filter((r) => r.task !== 'Gathering Facts' && r.status !== 'unreachable').length;
  return {
    label,
    hosts,
    unreachable,
    wallMs: end - t0,
    taskRuns,
    changed: rep.results.filter((r) => r.status === 'changed').length,
    failed: rep.results.filter((r) => r.status === 'failed').length,
    roundTripsPerTask: (s.roundTrips - hosts.length) / Math.max(1, taskRuns),
    timings: timings(rep.starts, end),
  };
}
