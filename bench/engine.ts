/**
 * Engine benchmark, bench200: 200 no-op tasks (template, file, command with creates, service
 * state, 50 of each) on the sandbox's node-1..3, under pgplay and, when ansible-playbook is
 * installed, under ansible-core in the same run, with the ratio per task. A first run of each
 * converges the hosts; the measured runs change nothing, so they measure each engine's own cost.
 * Also prints the CPU cost of starting `./run pgsql --list-hosts` and the load average at the
 * start and at the end.
 *
 *   npm run bench -- [-i inventory] [-l pattern] [-f forks] [--no-ansible]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_INVENTORY, PROJECT_ROOT } from '../src/cli/paths.js';
import { ansibleBench, ansibleVersion } from './lib/ansible.js';
import { loadAverage, startupCpu } from './lib/machine.js';
import { runOurs, type RunFigures } from './lib/ours.js';
import { printComparison, printRun } from './lib/report.js';

const { values } = parseArgs({
  options: {
    inventory: { type: 'string', short: 'i' },
    limit: { type: 'string', short: 'l' },
    forks: { type: 'string', short: 'f' },
    'no-ansible': { type: 'boolean' },
  },
});
const inventory = values.inventory ?? DEFAULT_INVENTORY;
const limit = values.limit ?? '10.10.10.11,10.10.10.12,10.10.10.13'; // node-1..3
const forks = Number(values.forks ?? 10);

console.log(`bench200 on ${limit} (inventory ${inventory}, forks ${forks})`);
console.log(`load average at start: ${loadAverage()}`);
const cpu = startupCpu(PROJECT_ROOT, ['pgsql', '--list-hosts']);
console.log(
  `./run pgsql --list-hosts: ${cpu.median.toFixed(2)} s CPU (user+sys, median of ${cpu.all.map((c) => c.toFixed(2)).join(' ')})` +
    (cpu.rebuilt ? `; ${cpu.rebuilt} run(s) that recompiled dist/ first not counted` : ''),
);

const o = { inventory, limit, forks };
printRun(await runOurs('pgplay converge', o));
const ours1 = await runOurs('pgplay no-op', o);
printRun(ours1);
if (!ours1.hosts.length) {
  console.error('bench: no host was reachable, nothing was measured (is the sandbox up? ./run sandbox up)');
  process.exit(1);
}

const version = values['no-ansible'] ? undefined : ansibleVersion();
let ansible: RunFigures | undefined;
let ours2: RunFigures | undefined;
if (values['no-ansible']) console.log('ansible-core: skipped (--no-ansible)');
else if (!version) console.log('ansible-core: ansible-playbook is not installed, only pgplay was measured (apt-get install ansible-core for the comparison)');
else {
  console.log(`ansible-core: ${version}`);
  const a = ansibleBench(inventory, limit, forks);
  const first = a.run('ansible first run');
  printRun(first);
  // hosts converged by an earlier bench: the first run changed nothing and is the measured no-op
  ansible = first.changed ? a.run('ansible no-op') : { ...first, label: 'ansible no-op (first run)' };
  if (first.changed) printRun(ansible);
  console.log(`ansible output and timings: ${a.dir}`);
  // pgplay again, right after ansible: ansible's run is bracketed by two of ours
  ours2 = await runOurs('pgplay no-op after', o);
  printRun(ours2);
}
if (ansible) printComparison(ours2 ? [ours1, ours2] : [ours1], ansible);
console.log(`load average at end: ${loadAverage()}`);
const failed = ours1.failed + (ours2?.failed ?? 0) + (ansible?.failed ?? 0);
process.exit(failed ? 1 : 0);
