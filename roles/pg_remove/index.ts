/** pg_remove: remove a cluster or instances (Pigsty's roles/pg_remove and pgsql-rm.yml). See docs/backup.md (pgsql-rm). */
import { role } from '../../src/api/playbook.js';
import { defaults, type PgRemoveVars } from './defaults.js';
import { prepareRemove } from './prepare.js';
import { schema } from './schema.js';
import { tasks } from './tasks/main.js';

export const pgRemove = role<PgRemoveVars>({ name: 'pg_remove', defaults: defaults as Partial<PgRemoveVars>, schema, prepare: prepareRemove, tasks });

export default pgRemove;
export type { PgRemoveVars, PgRemoveParams } from './defaults.js';
