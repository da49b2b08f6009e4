/**
 * pgsql: PostgreSQL with Patroni on etcd, Pigsty's pgsql role rebuilt for Debian bookworm.
 * Tag tree: pg_install (pg_dbsu, pg_pkg, pg_link, pg_path, pg_dir, pg_bin, pg_alias),
 * pg_bootstrap (pg_config, pg_launch: pg_primary, pg_replica, pg_hba), pg_provision (pg_user,
 * pg_db), pg_crontab, pg_done. See docs/pgsql.md.
 */
import { role } from '../../src/api/playbook.js';
import { installAhead, type Later } from '../install-ahead.js';
import { defaults, type PgsqlVars } from './defaults.js';
import { schema } from './schema.js';
import { preparePgsql } from './prepare.js';
import { tasks } from './tasks/main.js';

export const pgsql = role<PgsqlVars>({
  name: 'pgsql',
  defaults: defaults as Partial<PgsqlVars>,
  schema,
  prepare: preparePgsql,
  tasks,
});

export default pgsql;

/** The pgsql role whose pg_pkg step also installs what the `later` roles will install on each host, in one transaction. */
export const pgsqlInstallingAhead = (later: Later[]) => role<PgsqlVars>({ ...pgsql, tasks: installAhead(tasks, 'install postgres packages', later) });
export type { PgsqlVars, PgsqlParams } from './defaults.js';
