/**
 * pgbackrest: backups with pgBackRest (Pigsty's pg_backup part of pgsql.yml): config, stanza,
 * initial backup, WAL archiving target, /pg/bin scripts, and a repository host when the selected
 * repository lives on another host. Runs after the pgsql role, on the same hosts. See docs/backup.md.
 */
import { role } from '../../src/api/playbook.js';
import { defaults, type PgbackrestVars } from './defaults.js';
import { schema } from './schema.js';
import { preparePgbackrest } from './prepare.js';
import { tasks } from './tasks/main.js';

export const pgbackrest = role<PgbackrestVars>({
  name: 'pgbackrest',
  defaults: defaults as Partial<PgbackrestVars>,
  schema,
  prepare: preparePgbackrest,
  tasks,
});

export default pgbackrest;
export type { PgbackrestVars, PgbackrestParams, RepoEntry } from './defaults.js';
