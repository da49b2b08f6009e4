/** The pgsql role's task tree, tagged as Pigsty's pgsql.yml (see docs/pgsql.md). */
import { block } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import type { PgsqlVars } from '../defaults.js';
import { tasks as dbsu } from './dbsu.js';
import { tasks as install } from './install.js';
import { tasks as config } from './config.js';
import { tasks as launch } from './launch.js';
import { tasks as user } from './user.js';
import { tasks as database } from './database.js';
import { tasks as crontab } from './crontab.js';
import { tasks as done } from './done.js';
import { tasks as check } from './check.js';

export const tasks: TaskNode<PgsqlVars>[] = [
  block<PgsqlVars>({
    name: 'postgres install',
    tags: ['pg_install'],
    tasks: [
      block<PgsqlVars>({ name: 'node prerequisites', tags: ['pg_check'], tasks: check }),
      block<PgsqlVars>({ name: 'postgres dbsu', tags: ['pg_dbsu'], tasks: dbsu }),
      ...install,
    ],
  }),
  block<PgsqlVars>({
    name: 'postgres bootstrap',
    tags: ['pg_bootstrap'],
    when: (h) => h.vars.patroni_enabled,
    tasks: [
      block<PgsqlVars>({ name: 'patroni config', tags: ['pg_config'], tasks: config }),
      block<PgsqlVars>({ name: 'patroni launch', tags: ['pg_launch'], tasks: launch }),
    ],
  }),
  block<PgsqlVars>({
    name: 'postgres provision',
    tags: ['pg_provision'],
    tasks: [
      block<PgsqlVars>({ name: 'postgres users', tags: ['pg_user'], tasks: user }),
      block<PgsqlVars>({ name: 'postgres databases', tags: ['pg_db'], tasks: database }),
    ],
  }),
  block<PgsqlVars>({ name: 'crontab', tags: ['pg_crontab'], tasks: crontab }),
  block<PgsqlVars>({ name: 'summary', tags: ['pg_done'], tasks: done }),
];
