/**
 * ./run demo: the README's first command. Brings the sandbox up, runs the main job on it and
 * prints how to connect. Each step is an ordinary ./run invocation, so the output is the same.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';

const step = (args: string[]): number => {
  process.stdout.write(`\n==> ./run ${args.join(' ')}\n`);
  return spawnSync(path.join(PROJECT_ROOT, 'run'), args, { stdio: 'inherit' }).status ?? 1;
};

/** The main job: the whole installation when the install playbook exists, otherwise a ping. */
function mainJob(): string[] {
  return fs.existsSync(path.join(PROJECT_ROOT, 'playbooks', 'install.ts')) ? ['install'] : ['ping', '-l', 'all'];
}

export async function demoMain(): Promise<number> {
  for (const args of [['sandbox', 'up'], mainJob()]) {
    const rc = step(args);
    if (rc !== 0) return rc;
  }
  process.stdout.write(`
The sandbox is up. Next steps:
  ./run sandbox status                     hosts and addresses
  ./run sandbox ssh meta                   root shell on meta (10.10.10.10)
  ./run sandbox ssh node-1 -- patronictl -c /etc/patroni/patroni.yml list
  ./run ping -l all                        facts of every host
  ./run pgsql -l pg-test -t pg_hba         re-apply HBA rules on pg-test
  psql -h 10.10.10.10 -U dbuser_meta meta  the meta database (password: pg_users in inventory/sandbox.yml)
`);
  return 0;
}
