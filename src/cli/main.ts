/** ./run entry point: parse options, dispatch to the sandbox or run a playbook, map errors to exit codes. */
import fs from 'node:fs';
import path from 'node:path';
import { EXIT, UserError, formatDetail } from '../api/errors.js';
import { redact } from '../api/secrets.js';
import { coerceKeyValues, loadInventory, parseExtraVars } from '../inventory/index.js';
import { planPlaybook } from '../runner/plan.js';
import { listHosts, listTags, listTasks } from '../runner/listing.js';
import type { RunOptions } from '../runner/options.js';
import { checkTagFilter, splitTags } from '../runner/tags.js';
import { playRoles } from '../runner/walk.js';
import { parseCli, USAGE } from './args.js';
import { loadPlaybook } from './load-playbook.js';
import { onInterrupt } from './signals.js';
import { DEFAULT_INVENTORY, PROJECT_ROOT } from './paths.js';
import { askPasswords, connectionSettings, readProcessSettings } from './connection-settings.js';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'sandbox') {
    const { sandboxMain } = await import('../sandbox/cli.js');
    return sandboxMain(argv.slice(1));
  }
  if (argv[0] === 'demo') return (await import('./demo.js')).demoMain();
  if (argv[0] === 'inventory') {
    const s = readProcessSettings(); // ansible.cfg's inventory and vault_password_file
    return (await import('./inventory-command.js')).inventoryMain(argv.slice(1), { inventory: s.inventory?.[0], vaultPasswordFile: s.vaultPasswordFile });
  }
  const args = parseCli(argv);
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  // ansible.cfg and ANSIBLE_* (flags win); conn.vaultPasswordFile is for the vault loader
  const conn = connectionSettings(args, readProcessSettings());
  for (const w of conn.warnings) process.stderr.write(`[WARNING]: ${w}\n`);
  const inventoryFile = path.resolve(args.inventory ?? conn.inventory ?? DEFAULT_INVENTORY);
  if (!fs.existsSync(inventoryFile)) throw new UserError(`inventory ${inventoryFile} does not exist`, [{ file: inventoryFile, message: 'no such file or directory' }]);

  // vault passwords (flags, else ansible.cfg's vault_password_file), for -e @files and the inventory
  const { vaultSecrets } = await import('./inventory-command.js');
  const vault = await vaultSecrets(args.vault, conn.vaultPasswordFile);
  const extra = parseExtraVars(args.extraVars, process.cwd(), vault);
  const opts: RunOptions = {
    inventoryFile,
    limit: args.limit,
    tags: { only: splitTags(args.tags.length ? args.tags : ['all']), skip: splitTags(args.skipTags) },
    extraVars: extra.vars,
    extraSources: extra.sources,
    check: args.check,
    diff: args.diff,
    forks: conn.forks ?? 10,
    verbosity: args.verbosity,
    startAtTask: args.startAtTask,
    connectionVars: conn.vars,
  };
  const pb = await loadPlaybook(args.playbook);
  // the playbook's directory: its group_vars/ and host_vars/ are read after the inventory's
  const playbookDir = /[/\\]|\.ts$/.test(args.playbook) ? path.dirname(path.resolve(args.playbook)) : path.join(PROJECT_ROOT, 'playbooks');
  opts.inventoryLoad = { vault, playbookDir };
  checkTagFilter(pb, opts.tags); // a typo in -t / --skip-tags stops here, before any listing or host
  // -e key=value strings where the roles' schemas want a number or a boolean
  const schemas = pb.plays.flatMap((p) => playRoles(p).map((r) => r.schema)).filter((s): s is object => !!s);
  opts.extraVars = coerceKeyValues(extra.vars, extra.sources, schemas);

  if (args.listHosts || args.listTasks || args.listTags) {
    const out: string[] = [];
    if (args.listHosts) out.push(...listHosts(planPlaybook(pb, loadInventory(inventoryFile, opts.inventoryLoad), opts, { checkVars: false })));
    if (args.listTasks) out.push(...listTasks(pb, opts.tags));
    if (args.listTags) out.push(...listTags(pb));
    process.stdout.write(out.join('\n') + '\n');
    return EXIT.ok;
  }
  if (args.syntaxCheck) {
    // everything a run checks before its first connection: inventory, variables, roles' prepare hooks
    const plan = planPlaybook(pb, loadInventory(inventoryFile, opts.inventoryLoad), opts);
    for (const w of plan.warnings) process.stderr.write(`[WARNING]: ${w}\n`);
    process.stdout.write(`\nplaybook: ${args.playbook}\n`);
    return EXIT.ok;
  }
  opts.connectionVars = await askPasswords(args, conn.vars); // -k / -K

  // the runner (ssh2, p-limit) and the output (listr2, diff) are loaded only for a run, not for a listing
  const [{ runPlaybook }, { createReporter }] = await Promise.all([import('../runner/run.js'), import('../output/index.js')]);
  const reporter = createReporter({ json: args.json, verbosity: args.verbosity });
  const stop = onInterrupt();
  try {
    return (await runPlaybook(pb, opts, reporter, stop.signal)).exitCode;
  } finally {
    await reporter.close();
    stop.dispose();
  }
}

function printUserError(e: UserError): void {
  const details = e.details.map(formatDetail).filter((d) => !e.message.includes(d) && !e.message.includes(d.replace(/^.*?: /, '')));
  const lines = [`ERROR! ${e.message}`, ...details.map((d) => `  - ${d}`)];
  process.stderr.write(redact(lines.join('\n')) + '\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UserError) {
      printUserError(e);
      process.exit(e.exitCode);
    }
    process.stderr.write(`pgplay internal error (a bug; please report it with the command line):\n${(e as Error)?.stack ?? e}\n`);
    process.exit(EXIT.internal);
  },
);
