/** [always, pg-id] Prints the instance identity computed by prepare; costs no round trip. */
import { local } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import type { PgIdVars } from '../defaults.js';
import { identityLine } from '../identity.js';

export const tasks: TaskNode<PgIdVars>[] = [
  local<PgIdVars>('pgsql identity', {
    tags: ['always', 'pg-id'],
    run: (h) => ({ msg: identityLine(h.vars, h.name) }),
  }),
];
