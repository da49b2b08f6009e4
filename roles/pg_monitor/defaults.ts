/**
 * pg_monitor: exporters of a PostgreSQL instance and its registration with Prometheus (Pigsty's
 * pg_monitor role, rebuilt on Debian's exporter packages). Names follow Pigsty's PG_MONITOR
 * parameters; pgbackrest_exporter is a textfile collector here (DEVIATION, see docs/monitoring.md).
 */
import { pick } from '../../src/api/params.js';
import type { PgIdVars } from '../pg_id/defaults.js';
import { defaults as nodeMonitor, type NodeMonitorParams } from '../node_monitor/defaults.js';

export interface PgMonitorParams {
  pg_exporter_enabled: boolean;
  /** Pigsty's port (the package's own default is 9187); the same number on every node. */
  pg_exporter_port: number;
  /** Extra URL parameters of the exporter's DSN. */
  pg_exporter_params: string;
  /** Overrides the generated DSN (secret). */
  pg_exporter_url: string;
  /** Extra options of prometheus-postgres-exporter. */
  pg_exporter_options: string;
  pgbouncer_exporter_enabled: boolean;
  pgbouncer_exporter_port: number;
  /** The backup (pgbackrest info) and /pg disk collector for node_exporter's textfile directory. */
  pgbackrest_exporter_enabled: boolean;
  /** Expected time between two successful backups of this cluster (seconds); the backup alert adds prometheus_backup_grace. */
  pgbackrest_backup_interval: number;
  /** Paths whose filesystems are watched (free space alert). */
  pg_monitor_paths: string[];
}

/**
 * Parameters owned by other roles that pg_monitor reads (pgsql, pgbouncer, haproxy). They are not
 * given defaults here, so the owners' defaults win; the code falls back to Pigsty's values.
 */
export interface PgMonitorRefs extends Pick<NodeMonitorParams, 'node_exporter_textfile_dir'> {
  pg_monitor_username?: string;
  pg_monitor_password?: string;
  pg_dbsu?: string;
  pg_port?: number;
  pg_localhost?: string;
  pg_bin_dir?: string;
  pg_rpo?: number;
  patroni_enabled?: boolean;
  patroni_mode?: string;
  patroni_port?: number;
  patroni_ssl_enabled?: boolean;
  pgbouncer_enabled?: boolean;
  pgbouncer_port?: number;
  haproxy_enabled?: boolean;
  haproxy_exporter_port?: number;
  prometheus_sd_dir?: string;
}

export type PgMonitorVars = PgMonitorParams & PgMonitorRefs & PgIdVars;

export const defaults: PgMonitorParams & Pick<PgMonitorRefs, 'node_exporter_textfile_dir'> = {
  pg_exporter_enabled: true,
  pg_exporter_port: 9630,
  pg_exporter_params: 'sslmode=disable',
  pg_exporter_url: '',
  pg_exporter_options: '',
  pgbouncer_exporter_enabled: true,
  pgbouncer_exporter_port: 9631,
  pgbackrest_exporter_enabled: true,
  pgbackrest_backup_interval: 86400,
  pg_monitor_paths: ['/pg/data', '/pg/backup'],
  ...pick(nodeMonitor, ['node_exporter_textfile_dir']),
};

/** Values of the references, with Pigsty's defaults when the owner role is not in the play. */
export function refs(v: PgMonitorVars) {
  return {
    monitorUser: v.pg_monitor_username ?? 'dbuser_monitor',
    monitorPassword: v.pg_monitor_password ?? 'DBUser.Monitor',
    dbsu: v.pg_dbsu ?? 'postgres',
    pgPort: v.pg_port ?? 5432,
    socketDir: v.pg_localhost ?? '/var/run/postgresql',
    binDir: v.pg_bin_dir ?? '/usr/pgsql/bin',
    rpo: v.pg_rpo ?? 1048576,
    patroni: v.patroni_enabled !== false && v.patroni_mode !== 'remove' && v.patroni_ssl_enabled !== true,
    patroniPort: v.patroni_port ?? 8008,
    pgbouncer: v.pgbouncer_enabled !== false && v.pgbouncer_exporter_enabled !== false,
    pgbouncerPort: v.pgbouncer_port ?? 6432,
    haproxy: v.haproxy_enabled !== false,
    haproxyPort: v.haproxy_exporter_port ?? 9101,
  };
}
