/** [pgbouncer_dir] (and pgbouncer_install) The Debian package, /etc/pgbouncer and the log directory. */
import { task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { apt, file } from '../../../src/operations/index.js';
import type { PgbouncerVars } from '../defaults.js';
import { PGB_DIR } from './common.js';

export const install: TaskNode<PgbouncerVars>[] = [
  task<PgbouncerVars>('install pgbouncer', { do: () => apt({ name: ['pgbouncer'], state: 'present' }) }),
];

export const dirs: TaskNode<PgbouncerVars>[] = [
  task<PgbouncerVars, string>('create pgbouncer dir', {
    loop: (h) => [PGB_DIR, h.vars.pgbouncer_log_dir],
    do: (h, path) => file({ path, state: 'directory', owner: h.vars.pg_dbsu, group: 'postgres', mode: '0750' }),
  }),
];
