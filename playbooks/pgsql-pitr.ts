/**
 * pgsql-pitr: point-in-time recovery of a cluster from its pgBackRest backups (Pigsty's pgsql-pitr.yml).
 *   ./run pgsql-pitr -l pg-meta -e '{"pg_pitr": {}}'                                  # the latest state
 *   ./run pgsql-pitr -l pg-meta -e '{"pg_pitr": {"time": "2025-07-13 10:00:00+00"}}'
 *   ./run pgsql-pitr -l pg-meta -e '{"pg_pitr": {"name": "before_migration"}}'
 *   ./run pgsql-pitr -l pg-meta -e '{"pg_pitr": {"xid": "250000", "exclusive": true}}'
 *   ./run pgsql-pitr -l pg-meta -e '{"pg_pitr": {"lsn": "0/4001C80"}}'
 *   ./run pgsql-pitr -l pg-meta -e '{"pg_pitr": {"type": "immediate"}}'
 *   ./run pgsql-pitr -l pg-test -e pgbackrest_method=central -e '{"pg_pitr": {"cluster": "pg-meta"}}'
 *   ./run pgsql-pitr -l pg-meta -t down ; -t pitr ; -t up             # step by step
 * Tags: print (always); down: pause, stop (stop_patroni, stop_postgres); pitr: config, restore,
 * recovery, verify; up: etcd, start (start_postgres, start_patroni), resume, followup. See docs/pitr.md.
 */
import { play, playbook, withTags } from '../src/api/playbook.js';
import { nodeId } from '../roles/node_id/index.js';
import { pgId } from '../roles/pg_id/index.js';
import { pgPitr } from '../roles/pg_pitr/index.js';

const hasCluster = (vars: Record<string, unknown>) => vars.pg_cluster !== undefined && vars.pg_cluster !== null && vars.pg_cluster !== '';

export const pgsqlPitrPlay = play({
  name: 'PGSQL PITR',
  hosts: 'all',
  become: true,
  // a member that fails (e.g. the primary's restore) stops every member: replicas must not wait for a primary that will not come
  any_errors_fatal: true,
  host_filter: (vars) => hasCluster(vars),
  roles: [withTags(nodeId, ['id', 'node-id']), withTags(pgId, ['id', 'pg-id']), withTags(pgPitr, ['pg_pitr'])],
});

export default playbook('pgsql-pitr', [pgsqlPitrPlay], 'point-in-time recovery of a cluster from its pgBackRest backups');
