/** [pg_done] One line per instance: the connection string, databases and users. */
import { local } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import type { PgsqlVars } from '../defaults.js';

export const tasks: TaskNode<PgsqlVars>[] = [
  local<PgsqlVars>('pgsql init done', {
    run: (h) => {
      const v = h.vars;
      const port = v.pg_port !== 5432 ? `:${v.pg_port}` : '';
      const dbs = (v.pg_databases ?? []).map((d) => d.name).join(' ');
      const users = (v.pg_users ?? []).map((u) => u.name).join(' ');
      return { msg: `[${v.pg_role}] ${v.pg_instance} postgres://${h.name}${port}/${v.pg_primary_db} | ${dbs} | ${users}` };
    },
  }),
];
