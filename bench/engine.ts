/**
 * Engine benchmark: 200 no-op tasks (template, file, command with creates, service state, 50 of
 * each) on every reachable host. A first run converges the hosts; the second, measured run changes
 * nothing, so what is measured is the engine's own cost per task.
 *
 *   npm run bench -- [-i inventory] [-l pattern] [-f forks]
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileBeside, play, playbook, task } from '../src/api/playbook.js';
import type { TaskNode } from '../src/api/types.js';
import { command, file, service, template } from '../src/operations/index.js';
import type { EngineEvent, Reporter } from '../src/output/events.js';
import { runPlaybook } from '../src/runner/run.js';
import { DEFAULT_INVENTORY } from '../src/cli/paths.js';

const { values } = parseArgs({ options: { inventory: { type: 'string', short: 'i' }, limit: { type: 'string', short: 'l' }, forks: { type: 'string', short: 'f' } } });
const DIR = '/tmp/pgplay-bench';
const CYCLES = 50;

const tasks: TaskNode[] = [task('bench dir', { do: () => file({ path: DIR, state: 'directory', mode: '0755' }) })];
for (let n = 0; n < CYCLES; n++) {
  tasks.push(
    task(`template ${n}`, { do: (h) => template({ src: fileBeside(import.meta.url, 'templates/bench.conf.hbs'), dest: `${DIR}/t${n}.conf`, vars: { n, host: h.name }, mode: '0644' }) }),
    task(`file ${n}`, { do: () => file({ path: `${DIR}/d${n}`, state: 'directory', mode: '0750' }) }),
    task(`command ${n}`, { do: () => command({ cmd: `touch ${DIR}/c${n}`, creates: `${DIR}/c${n}` }) }),
    task(`service ${n}`, { do: () => service({ name: 'ssh', state: 'started' }) }),
  );
}
const pb = playbook('bench', [play({ name: 'BENCH', hosts: 'all', tasks })]);

class Counter implements Reporter {
  results: Extract<EngineEvent, { event: 'host_result' }>[] = [];
  emit(e: EngineEvent): void {
    if (e.event === 'host_result') this.results.push(e);
  }
  async close(): Promise<void> {}
}

async function once(label: string) {
  const rep = new Counter();
  const t0 = performance.now();
  const s = await runPlaybook(pb, {
    inventoryFile: path.resolve(values.inventory ?? DEFAULT_INVENTORY),
    limit: values.limit,
    tags: { only: ['all'], skip: [] },
    extraVars: {},
    extraSources: {},
    check: false,
    diff: false,
    forks: Number(values.forks ?? 10),
    verbosity: 0,
  }, rep);
  const secs = (performance.now() - t0) / 1000;
  const hosts = Object.entries(s.stats).filter(([, st]) => !st.unreachable).map(([h]) => h);
  const taskRuns = rep.results.filter((r) => r.task !== 'Gathering Facts' && r.status !== 'unreachable').length;
  const changed = rep.results.filter((r) => r.status === 'changed').length;
  const failed = rep.results.filter((r) => r.status === 'failed').length;
  const rtPerTask = (s.roundTrips - hosts.length) / Math.max(1, taskRuns);
  console.log(
    `${label}: ${hosts.length} host(s), ${taskRuns} task runs in ${secs.toFixed(2)}s = ${(taskRuns / secs).toFixed(0)} host-tasks/s, ` +
      `${(tasks.length / secs).toFixed(1)} tasks/s, ${rtPerTask.toFixed(2)} round trips per task, changed=${changed} failed=${failed}`,
  );
  const unreachable = Object.entries(s.stats).filter(([, st]) => st.unreachable).map(([h]) => h);
  if (unreachable.length) console.log(`${label}: unreachable (left out): ${unreachable.join(', ')}`);
  return { failed, measured: hosts.length };
}

await once('converge');
const { failed, measured } = await once('no-op   ');
if (!measured) console.error('bench: no host was reachable, nothing was measured (is the sandbox up? ./run sandbox up)');
process.exit(failed || !measured ? 1 : 0);
