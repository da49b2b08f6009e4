/**
 * pgpool: pgpool-II as the alternative pooler and read/write router (HA cookbook, chapter
 * "Pooling Resources"), off unless pgpool_enabled. Tag tree: pgpool (pgpool_install,
 * pgpool_config, pgpool_launch, pgpool_reload, pgpool_stop). See docs/access.md.
 */
import { role } from '../../src/api/playbook.js';
import { defaults, type PgpoolVars } from './defaults.js';
import { schema } from './schema.js';
import { tasks } from './tasks/main.js';

export const pgpool = role<PgpoolVars>({
  name: 'pgpool',
  defaults: defaults as Partial<PgpoolVars>,
  schema,
  tasks,
});

export default pgpool;
export type { PgpoolVars, PgpoolParams } from './defaults.js';
