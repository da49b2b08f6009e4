/**
 * pg_pitr: point-in-time recovery of a whole cluster with pgBackRest (Pigsty's roles/pg_pitr and
 * pgsql-pitr.yml). The request `pg_pitr` is validated before any host is touched. See docs/pitr.md.
 */
import { role } from '../../src/api/playbook.js';
import { defaults, type PgPitrVars } from './defaults.js';
import { schema } from './schema.js';
import { preparePitr } from './prepare.js';
import { tasks } from './tasks/main.js';

export const pgPitr = role<PgPitrVars>({
  name: 'pg_pitr',
  defaults: defaults as Partial<PgPitrVars>,
  schema,
  prepare: preparePitr,
  tasks,
});

export default pgPitr;
export type { PgPitrVars, PgPitrParams } from './defaults.js';
