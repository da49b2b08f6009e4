/**
 * pgbouncer: parameters and defaults. Names and defaults follow Pigsty's roles/pgsql/defaults
 * (PGBOUNCER section, pgb_*_hba_rules); the pool sizes Pigsty writes as constants in its
 * pgbouncer.ini are parameters here (`pgbouncer_*_pool_size`, ...), with Pigsty's values.
 */
import type { HbaRule, PgsqlVars } from '../pgsql/defaults.js';
import type { PgVipParams } from '../pg_vip/defaults.js';

export type PoolMode = 'transaction' | 'session' | 'statement';

export interface PgbouncerParams {
  /** Run pgbouncer on every instance of the cluster. */
  pgbouncer_enabled: boolean;
  pgbouncer_port: number;
  pgbouncer_log_dir: string;
  /** Let pgbouncer look up users that are not in the userlist (auth_user + monitor.pgbouncer_auth()). */
  pgbouncer_auth_query: boolean;
  pgbouncer_poolmode: PoolMode;
  /** Client TLS: disable, allow, prefer, require, verify-ca, verify-full. */
  pgbouncer_sslmode: 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
  /** Startup parameters pgbouncer ignores instead of refusing the connection. */
  pgbouncer_ignore_param: string[];
  /** pgplay: the pool limits Pigsty hard-codes in pgbouncer.ini. */
  pgbouncer_max_client_conn: number;
  pgbouncer_default_pool_size: number;
  pgbouncer_min_pool_size: number;
  pgbouncer_reserve_pool_size: number;
  pgbouncer_max_db_connections: number;
  pgbouncer_max_user_connections: number;
  pgbouncer_server_lifetime: number;
  /** Pigsty's default pgbouncer HBA rules (same format as pg_hba_rules). */
  pgb_default_hba_rules: HbaRule[];
  /** Business pgbouncer HBA rules. */
  pgb_hba_rules: HbaRule[];
}

/** Set by the config tasks: the userlist to write (null: leave the file alone). */
export interface PgbouncerSet {
  pgb_userlist?: string | null;
}

/** pgsql's parameters, the VIP (a `${vip}` listen placeholder) and pgbouncer's own. */
export type PgbouncerVars = PgsqlVars & Partial<Pick<PgVipParams, 'pg_vip_enabled' | 'pg_vip_address'>> & PgbouncerParams & PgbouncerSet;

export const defaults: PgbouncerParams = {
  pgbouncer_enabled: true,
  pgbouncer_port: 6432,
  pgbouncer_log_dir: '/pg/log/pgbouncer',
  pgbouncer_auth_query: false,
  pgbouncer_poolmode: 'transaction',
  pgbouncer_sslmode: 'disable',
  pgbouncer_ignore_param: ['extra_float_digits', 'application_name', 'TimeZone', 'DateStyle', 'IntervalStyle', 'search_path'],
  pgbouncer_max_client_conn: 20000,
  pgbouncer_default_pool_size: 50,
  pgbouncer_min_pool_size: 0,
  pgbouncer_reserve_pool_size: 30,
  pgbouncer_max_db_connections: 100,
  pgbouncer_max_user_connections: 100,
  pgbouncer_server_lifetime: 600,
  pgb_default_hba_rules: [
    { user: '${dbsu}', db: 'pgbouncer', addr: 'local', auth: 'peer', title: 'dbsu local admin access with os ident', order: 100 },
    { user: 'all', db: 'all', addr: 'localhost', auth: 'pwd', title: 'allow all user local access with pwd', order: 150 },
    { user: '${monitor}', db: 'pgbouncer', addr: 'intra', auth: 'pwd', title: 'monitor access via intranet with pwd', order: 200 },
    { user: '${monitor}', db: 'all', addr: 'world', auth: 'deny', title: 'reject all other monitor access addr', order: 250 },
    { user: '${admin}', db: 'all', addr: 'intra', auth: 'pwd', title: 'admin access via intranet with pwd', order: 300 },
    { user: '${admin}', db: 'all', addr: 'world', auth: 'deny', title: 'reject all other admin access addr', order: 350 },
    { user: 'all', db: 'all', addr: 'intra', auth: 'pwd', title: 'allow all user intra access with pwd', order: 400 },
  ],
  pgb_hba_rules: [],
};
