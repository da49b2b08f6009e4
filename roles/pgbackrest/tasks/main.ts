/**
 * The pgbackrest role's task tree (Pigsty's pgsql.yml tags): pg_backup (the play's role tag)
 * > pgbackrest > pgbackrest_install, pgbackrest_config (pgbackrest_repo), pgbackrest_init,
 * pgbackrest_backup. See docs/backup.md.
 */
import { block } from '../../../src/api/playbook.js';
import type { TaskNode } from '../../../src/api/types.js';
import type { PgbackrestVars } from '../defaults.js';
import { asBool } from '../lib/repo.js';
import { tasks as config } from './config.js';
import { probeTasks, tasks as init } from './init.js';
import { tasks as backup } from './backup.js';

export const tasks: TaskNode<PgbackrestVars>[] = [
  block<PgbackrestVars>({
    name: 'pgbackrest',
    tags: ['pgbackrest'],
    when: (h) => asBool(h.vars.pgbackrest_enabled),
    tasks: [
      block<PgbackrestVars>({ name: 'pgbackrest config', tags: ['pgbackrest_config'], tasks: config }),
      ...probeTasks,
      block<PgbackrestVars>({ name: 'pgbackrest stanza', tags: ['pgbackrest_init'], tasks: init }),
      block<PgbackrestVars>({ name: 'pgbackrest initial backup', tags: ['pgbackrest_backup'], tasks: backup }),
    ],
  }),
];
