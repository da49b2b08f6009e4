/**
 * pg_id: validates pgsql cluster definitions and derives the instance identity (pg_instance,
 * pg_cluster_members, pg_primary_ip, ...). Validation happens in `prepare`, before any host is
 * contacted, so a bad inventory stops the run with the file and path of the bad value.
 */
import { role } from '../../src/api/playbook.js';
import { defaults, type PgIdVars } from './defaults.js';
import { schema } from './schema.js';
import { prepareIdentity } from './identity.js';
import { tasks } from './tasks/main.js';

export const pgId = role<PgIdVars>({
  name: 'pg_id',
  defaults: defaults as Partial<PgIdVars>,
  schema,
  prepare: prepareIdentity,
  tasks,
});

export default pgId;
export type { PgIdVars, PgIdParams, PgIdDerived, PgRole } from './defaults.js';
