/**
 * pgsql-rm: remove a cluster, or instances of it (Pigsty's pgsql-rm.yml).
 *   ./run pgsql-rm -l pg-test                       # the whole cluster (replicas first, then the primary)
 *   ./run pgsql-rm -l 10.10.10.13                   # one replica
 *   ./run pgsql-rm -l pg-test -e pg_rm_backup=false # keep the backups (the stanza stays)
 *   ./run pgsql-rm -l pg-test -t pg_backup          # only delete the stanza
 *   ./run pgsql-rm -l pg-test -e pg_rm_pkg=true     # uninstall the packages too
 * `pg_safeguard: true` on a cluster makes this refuse. Tags: pg_safeguard (always),
 * pg_monitor/pg_deregister, pg_access, pg_crontab, postgres (pg_replica, pg_primary, pg_meta),
 * pg_backup, pg_data, pg_pkg (pg_ext).
 */
import { play, playbook, withTags } from '../src/api/playbook.js';
import { nodeId } from '../roles/node_id/index.js';
import { pgId } from '../roles/pg_id/index.js';
import { pgRemove } from '../roles/pg_remove/index.js';

const hasCluster = (vars: Record<string, unknown>) => vars.pg_cluster !== undefined && vars.pg_cluster !== null && vars.pg_cluster !== '';

export const pgsqlRmPlay = play({
  name: 'PGSQL REMOVE',
  hosts: 'all',
  become: true,
  host_filter: (vars) => hasCluster(vars),
  roles: [withTags(nodeId, ['id', 'node-id']), withTags(pgId, ['id', 'pg-id']), pgRemove],
});

export default playbook('pgsql-rm', [pgsqlRmPlay], 'remove postgres clusters or instances: access, crontab, instances, DCS state, backups, data, packages');
