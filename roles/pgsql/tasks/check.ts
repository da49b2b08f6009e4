/** [pg_install, pg_check] The node role ran here: stop early, naming the command that fixes it. */
import { assert, task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { command } from '../../../src/operations/index.js';
import type { PgsqlVars } from '../defaults.js';

export const tasks: TaskNode<PgsqlVars>[] = [
  task<PgsqlVars>('check node is prepared', {
    check_mode: false,
    changed_when: () => false,
    failed_when: () => false,
    register: 'pg_node_check',
    do: (h) => command({ cmd: ['test', '-d', String(h.vars.node_data ?? '/data')] }),
  }),
  assert<PgsqlVars>('node is prepared', (h) => h.reg.pg_node_check?.rc === 0, {
    msg: (h) => `${h.name} is not prepared: ${String(h.vars.node_data ?? '/data')} is missing. Run first: ./run node -l ${h.vars.pg_cluster}   (or ./run install)`,
  }),
];
