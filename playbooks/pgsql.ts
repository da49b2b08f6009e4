/**
 * pgsql: PostgreSQL HA clusters with Patroni on etcd (Pigsty's pgsql.yml).
 *   ./run pgsql -l pg-test                 # create (or converge) a cluster
 *   ./run pgsql -l pg-test -t pg_hba       # re-apply HBA rules (reload, never restart)
 *   ./run pgsql -l pg-test -t pg_access    # pgbouncer, VIP, HAProxy services, pgpool (docs/access.md)
 *   ./run pgsql -l pg-test -t pg_user      # users only;  -t pg_db: databases only
 *   ./run pgsql --list-tags
 * Hosts without pg_cluster are dropped from the play. Tag tree in docs/pgsql.md.
 */
import { play, playbook, withTags } from '../src/api/playbook.js';
import { nodeId } from '../roles/node_id/index.js';
import { pgId } from '../roles/pg_id/index.js';
import { pgsqlInstallingAhead } from '../roles/pgsql/index.js';
import { laterRoles } from '../roles/install-ahead.js';
import { pgbackrest } from '../roles/pgbackrest/index.js';
import { pgMonitor } from '../roles/pg_monitor/index.js';
import { pgbouncer } from '../roles/pgbouncer/index.js';
import { pgVip } from '../roles/pg_vip/index.js';
import { pgService } from '../roles/pg_service/index.js';
import { pgpool } from '../roles/pgpool/index.js';

const hasCluster = (vars: Record<string, unknown>) => vars.pg_cluster !== undefined && vars.pg_cluster !== null && vars.pg_cluster !== '';

const afterPgsql = [
  withTags(pgbackrest, ['pg_backup']), // pgBackRest (docs/backup.md): config, stanza, initial backup
  // pg_access (docs/access.md): part of Pigsty's pgsql role, hence tagged pgsql too
  ...[pgbouncer, pgVip, pgService, pgpool].map((r) => withTags<any>(r, ['pgsql', 'pg_access'])),
  withTags(pgMonitor, ['pg_monitor']),
];

export const pgsqlPlay = play({
  name: 'PGSQL',
  hosts: 'all',
  become: true,
  host_filter: (vars) => hasCluster(vars),
  // pg_pkg installs, in the same apt transaction, the packages of the roles after pgsql
  roles: [withTags(nodeId, ['id', 'node-id']), withTags(pgId, ['id', 'pg-id']), withTags(pgsqlInstallingAhead(laterRoles(afterPgsql)), ['pgsql']), ...afterPgsql],
});

export default playbook('pgsql', [pgsqlPlay], 'PostgreSQL clusters managed by Patroni: install, bootstrap, provision users and databases');
