/**
 * pgpool: pgpool-II (Debian's pgpool2 4.3) in streaming-replication mode on every member, as the
 * alternative pooler and read/write router of the HA cookbook. Off unless `pgpool_enabled`.
 * Patroni stays in charge of failover: pgpool never promotes (no failover_command), it detaches a
 * node that goes down, finds the new primary, and re-attaches standbys once they stream again.
 * Pigsty has no pgpool: these parameters are pgplay's, named after pgpool's own settings.
 */
import type { PgsqlVars } from '../pgsql/defaults.js';

export interface PgpoolParams {
  pgpool_enabled: boolean;
  /** Client port. */
  pgpool_port: number;
  /** PCP (administration) port. */
  pgpool_pcp_port: number;
  pgpool_pcp_username: string;
  pgpool_pcp_password: string;
  /** Pre-forked children = concurrent client sessions per pgpool. */
  pgpool_num_init_children: number;
  /** Cached backend connections per child. */
  pgpool_max_pool: number;
  /** Spread read-only SELECTs over the members. */
  pgpool_load_balance: boolean;
  /** pgpool's database_redirect_preference_list: `.*:standby` sends reads to standbys (the primary only when none is up); '' balances over all members by pg_weight. */
  pgpool_redirect_preference: string;
  /** pgpool's write_function_list: '' decides by volatility (volatile functions go to the primary). */
  pgpool_write_function_list: string;
  /** Seconds between health checks of each backend (0: off). */
  pgpool_health_check_period: number;
  /** Seconds a health check may take to connect. */
  pgpool_health_check_timeout: number;
  /** Seconds between streaming-replication checks (primary lookup, auto failback, false primaries). */
  pgpool_sr_check_period: number;
  /** Re-attach a detached standby once it streams from the primary again. */
  pgpool_auto_failback: boolean;
  /** User of health and streaming checks; '' = pg_replication_username (allowed on the postgres db from the intranet, member of pg_monitor). */
  pgpool_check_user: string;
}

export type PgpoolVars = PgsqlVars & PgpoolParams;

export const defaults: PgpoolParams = {
  pgpool_enabled: false,
  pgpool_port: 9999,
  pgpool_pcp_port: 9898,
  pgpool_pcp_username: 'pgpool',
  pgpool_pcp_password: 'Pgpool.PCP',
  pgpool_num_init_children: 32,
  pgpool_max_pool: 4,
  pgpool_load_balance: true,
  pgpool_redirect_preference: '.*:standby',
  pgpool_write_function_list: '',
  pgpool_health_check_period: 1,
  pgpool_health_check_timeout: 2,
  pgpool_sr_check_period: 2,
  pgpool_auto_failback: true,
  pgpool_check_user: '',
};
