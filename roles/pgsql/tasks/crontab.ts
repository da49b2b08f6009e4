/** [pg_crontab] node_crontab lines into /etc/cron.d/node_crontab and pg_crontab into the dbsu's crontab. */
import { task } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import { cron } from '../../../src/operations/index.js';
import type { PgsqlVars } from '../defaults.js';

export const tasks: TaskNode<PgsqlVars>[] = [
  task<PgsqlVars>('setup node crontab', {
    when: (h) => (h.vars.node_crontab ?? []).length > 0,
    do: (h) => cron({ name: 'node_crontab', entries: h.vars.node_crontab ?? [] }),
  }),
  task<PgsqlVars>('setup postgres dbsu crontab', {
    when: (h) => (h.vars.pg_crontab ?? []).length > 0,
    do: (h) => cron({ name: 'pg_crontab', user: h.vars.pg_dbsu, entries: ['PATH=/usr/pgsql/bin:/pg/bin:/usr/local/bin:/usr/bin:/bin', ...h.vars.pg_crontab] }),
  }),
];
