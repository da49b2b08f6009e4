/**
 * pgsql: parameters and defaults. Names, meanings and defaults follow Pigsty's
 * roles/pgsql/defaults/main.yml wherever Pigsty has the same knob; deviations (Debian bookworm
 * packages, PostgreSQL 15, no pgBackRest yet) are marked DEVIATION and listed in docs/pgsql.md.
 */
import { pick, type Boolish } from '../../src/api/params.js';
import type { PgIdVars } from '../pg_id/defaults.js';
import type { Change } from './lib/sql.js';
import { defaults as node, type NodeParams } from '../node/defaults.js';
import { defaults as etcd, type EtcdParams } from '../etcd/defaults.js';

export type HbaAuth = 'deny' | 'pwd' | 'ssl' | 'sha' | 'cert' | 'ssl-md5' | 'ssl-sha' | 'md5' | 'os' | 'ident' | 'peer' | 'trust' | 'reject' | 'scram-sha-256';
export type HbaRole = 'default' | 'common' | 'primary' | 'replica' | 'offline' | 'standby' | 'delayed';

/** One HBA rule in Pigsty's format: either `addr` (+user/db/auth) or raw `rules` lines. */
export interface HbaRule {
  /** `${dbsu}`, `${repl}`, `${monitor}`, `${admin}`, `+role`, a user name or `all`. */
  user?: string;
  /** Database name, `all`, `replication`. */
  db?: string;
  /** Alias (local, localhost, admin, infra, cluster, intra|intranet, world|all) or an IPv4 CIDR. */
  addr?: string;
  /** pwd (scram-sha-256), ssl (hostssl + password), deny, ident, peer, trust, md5, cert ... */
  auth?: HbaAuth;
  /** Raw pg_hba.conf lines instead of user/db/addr/auth. */
  rules?: string[];
  title?: string;
  /** Sort key: 0-99 before the defaults, default rules 100-999, business rules default to 1000+. */
  order?: number;
  /** Only apply on instances with this role (`default`/`common`: everywhere). */
  role?: HbaRole;
}

export interface RoleMembership {
  name: string;
  state?: 'grant' | 'revoke' | 'absent';
  admin?: boolean;
}

/** A role or user (`pg_default_roles`, `pg_users`). */
export interface PgUser {
  name: string;
  /** Plain text, or an already hashed `SCRAM-SHA-256$...` / `md5...` verifier. */
  password?: string;
  login?: boolean;
  superuser?: boolean;
  createdb?: boolean;
  createrole?: boolean;
  inherit?: boolean;
  replication?: boolean;
  bypassrls?: boolean;
  /** Roles this user is a member of. */
  roles?: (string | RoleMembership)[];
  connlimit?: number;
  /** Days from now (converted to a date on the first run that creates the user). */
  expire_in?: number;
  /** 'YYYY-MM-DD' or 'infinity'. */
  expire_at?: string;
  comment?: string;
  /** Per-role parameters: ALTER ROLE ... SET key = value. */
  parameters?: Record<string, string | number | boolean>;
  /** `absent` drops the user (never the system ones). */
  state?: 'create' | 'absent';
  /** pgbouncer: in the userlist (roles/pgbouncer), with these pool options. */
  pgbouncer?: boolean;
  pool_mode?: string;
  pool_connlimit?: number;
}

export interface DbExtension {
  name: string;
  schema?: string;
  version?: string;
  state?: 'absent';
}

export interface DbSchema {
  name: string;
  owner?: string;
  state?: 'absent';
}

/** A business database (`pg_databases`). */
export interface PgDatabase {
  name: string;
  owner?: string;
  template?: string;
  encoding?: string;
  locale?: string;
  lc_collate?: string;
  lc_ctype?: string;
  /** FILE_COPY or WAL_LOG (PG >= 15). */
  strategy?: string;
  tablespace?: string;
  is_template?: boolean;
  allowconn?: boolean;
  connlimit?: number;
  /** Revoke CONNECT from PUBLIC (grant it to owner, replicator, monitor and admin). */
  revokeconn?: boolean;
  schemas?: (string | DbSchema)[];
  extensions?: (string | DbExtension)[];
  /** ALTER DATABASE ... SET key = value. */
  parameters?: Record<string, string | number | boolean>;
  comment?: string;
  /** `absent` drops it, `recreate` drops and creates it; default create. */
  state?: 'create' | 'absent' | 'recreate';
  pgbouncer?: boolean;
  /** pgbouncer pool options of this database (roles/pgbouncer): auth_user, pool_mode, pool_size, min_pool_size, reserve_pool, max_db_connections. */
  pool_auth_user?: string;
  pool_mode?: 'transaction' | 'session' | 'statement';
  pool_size?: number;
  pool_size_min?: number;
  pool_reserve?: number;
  pool_connlimit?: number;
  register_datasource?: boolean;
  baseline?: string;
}

export type PgConf = 'oltp' | 'olap' | 'tiny' | 'crit' | 'oltp.yml' | 'olap.yml' | 'tiny.yml' | 'crit.yml';
export type PgRto = 'fast' | 'norm' | 'safe' | 'wide';
/** [ttl, loop_wait, retry_timeout, primary_start_timeout, safety_margin, inter, fastinter, downinter, rise, fall] */
export type RtoPlan = [number, number, number, number, number, string, string, string, number, number];

export interface PgsqlParams {
  // ---- PG_BUSINESS
  pg_users: PgUser[];
  pg_databases: PgDatabase[];
  pg_hba_rules: HbaRule[];
  /** dbsu crontab lines (crontab(5) format without the user field). */
  pg_crontab: string[];
  pg_dbsu_password: string;
  pg_replication_username: string;
  pg_replication_password: string;
  pg_admin_username: string;
  pg_admin_password: string;
  pg_monitor_username: string;
  pg_monitor_password: string;

  // ---- PG_INSTALL
  pg_dbsu: string;
  pg_dbsu_uid: number;
  pg_dbsu_sudo: 'none' | 'limit' | 'all' | 'nopass';
  pg_dbsu_home: string;
  pg_dbsu_ssh_exchange: boolean;
  pg_version: number;
  pg_bin_dir: string;
  pg_log_dir: string;
  /** Package lists (comma/space separated, `${pg_version}` / `$v` substituted). */
  pg_packages: string[];
  pg_extensions: string[];

  // ---- PG_BOOTSTRAP
  pg_data: string;
  pg_fs_main: string;
  pg_fs_backup: string;
  pg_storage_type: 'SSD' | 'HDD';
  pg_listen: string;
  pg_port: number;
  pg_localhost: string;
  patroni_enabled: boolean;
  patroni_mode: 'default' | 'pause' | 'remove';
  pg_namespace: string;
  patroni_port: number;
  patroni_log_dir: string;
  patroni_ssl_enabled: boolean;
  patroni_watchdog_mode: 'off' | 'automatic' | 'required';
  patroni_username: string;
  patroni_password: string;
  pg_primary_db: string;
  pg_parameters: Record<string, string | number | boolean>;
  pg_conf: PgConf;
  pg_max_conn: 'auto' | number;
  pg_shared_buffer_ratio: number;
  pg_rto: PgRto;
  pg_rto_plan: Record<PgRto, RtoPlan>;
  pg_rpo: number;
  pg_libs: string;
  pg_delay: number | string;
  pg_checksum: boolean;
  pg_pwd_enc: 'scram-sha-256' | 'md5';
  pg_encoding: string;
  pg_locale: string;
  pg_lc_collate: string;
  pg_lc_ctype: string;
  /** DEVIATION: archive_command used until pgBackRest is configured (Pigsty: pgbackrest archive-push). */
  pg_archive_command: string;

  // ---- PG_PROVISION
  pg_provision: boolean;
  pg_default_roles: PgUser[];
  pg_default_privileges: string[];
  pg_default_schemas: string[];
  pg_default_extensions: DbExtension[];
  pg_reload: boolean;
  pg_default_hba_rules: HbaRule[];

  // ---- PG_ACCESS
  /** Intranet CIDRs of the `intra` HBA address alias. */
  node_firewall_intranet: string[];
  /** Where the default services route (pg_service, pgbouncer users). */
  pg_default_service_dest: 'pgbouncer' | 'postgres';
}

/**
 * Parameters of other roles that pgsql reads, declared by their owners: admin_ip and node_data
 * (node), node_crontab (node; pgbackrest's backup schedule; pg_crontab writes it), the etcd
 * endpoints (etcd), pgbackrest_enabled (pgbackrest: archive_command is pgBackRest's archive-push).
 */
export type PgsqlRefs = Pick<NodeParams, 'admin_ip' | 'node_data'> & Partial<Pick<NodeParams, 'node_crontab'>> & Pick<EtcdParams, 'etcd_port' | 'etcd_cluster'> & {
  pgbackrest_enabled?: Boolish;
};

/** Set by pgsql's tasks (set_fact): plans computed on the controller from what the hosts reported. */
export interface PgsqlSet {
  pg_dcs_patch?: Record<string, unknown> | null;
  pg_dcs_params_changed?: boolean;
  pg_db_plan?: Change[];
  pg_user_plan?: Change[];
  pg_hba_next?: string | null;
  pg_dbsu_ssh_pubkey?: string;
}

/** What pgsql tasks see: its parameters, the ones it reads from other roles, pg_id's identity. */
export type PgsqlVars = PgsqlParams & PgsqlRefs & PgIdVars & PgsqlSet;

export const defaults: PgsqlParams & Omit<PgsqlRefs, 'node_crontab' | 'pgbackrest_enabled'> = {
  pg_users: [],
  pg_databases: [],
  pg_hba_rules: [],
  pg_crontab: [],
  pg_dbsu_password: '',
  pg_replication_username: 'replicator',
  pg_replication_password: 'DBUser.Replicator',
  pg_admin_username: 'dbuser_dba',
  pg_admin_password: 'DBUser.DBA',
  pg_monitor_username: 'dbuser_monitor',
  pg_monitor_password: 'DBUser.Monitor',

  pg_dbsu: 'postgres',
  pg_dbsu_uid: 543, // Pigsty: 26 on EL, 543 on Debian/Ubuntu (26 is taken there)
  pg_dbsu_sudo: 'limit',
  pg_dbsu_home: '/var/lib/pgsql',
  pg_dbsu_ssh_exchange: true,
  pg_version: 15, // DEVIATION: Pigsty 18 from PGDG; Debian bookworm ships 15
  pg_bin_dir: '/usr/pgsql/bin',
  pg_log_dir: '/pg/log/postgres',
  pg_packages: ['postgresql-${pg_version} postgresql-client-${pg_version}', 'patroni python3-psycopg2 python3-etcd'],
  pg_extensions: [],

  pg_data: '/pg/data',
  pg_fs_main: '/data/postgres',
  pg_fs_backup: '/data/backups',
  pg_storage_type: 'SSD',
  pg_listen: '0.0.0.0',
  pg_port: 5432,
  pg_localhost: '/var/run/postgresql',
  patroni_enabled: true,
  patroni_mode: 'default',
  pg_namespace: '/pg',
  patroni_port: 8008,
  patroni_log_dir: '/pg/log/patroni',
  patroni_ssl_enabled: false,
  patroni_watchdog_mode: 'off',
  patroni_username: 'postgres',
  patroni_password: 'Patroni.API',
  pg_primary_db: 'postgres',
  pg_parameters: {},
  pg_conf: 'oltp.yml',
  pg_max_conn: 'auto',
  pg_shared_buffer_ratio: 0.25,
  pg_rto: 'norm',
  pg_rto_plan: {
    fast: [20, 5, 5, 15, 5, '1s', '0.5s', '1s', 3, 3],
    norm: [30, 5, 10, 25, 5, '2s', '1s', '2s', 3, 3],
    safe: [60, 10, 20, 45, 10, '3s', '1.5s', '3s', 3, 3],
    wide: [120, 20, 30, 95, 15, '4s', '2s', '4s', 3, 3],
  },
  pg_rpo: 1048576,
  pg_libs: 'pg_stat_statements, auto_explain',
  pg_delay: 0,
  pg_checksum: true,
  pg_pwd_enc: 'scram-sha-256',
  pg_encoding: 'UTF8',
  pg_locale: 'C',
  pg_lc_collate: 'C',
  pg_lc_ctype: 'C',
  pg_archive_command: '/bin/true',

  pg_provision: true,
  pg_default_roles: [
    { name: 'dbrole_readonly', login: false, comment: 'role for global read-only access' },
    { name: 'dbrole_offline', login: false, comment: 'role for restricted read-only access' },
    { name: 'dbrole_readwrite', login: false, roles: ['dbrole_readonly'], comment: 'role for global read-write access' },
    { name: 'dbrole_admin', login: false, roles: ['pg_monitor', 'dbrole_readwrite'], comment: 'role for object creation' },
    { name: 'postgres', superuser: true, comment: 'system superuser' },
    { name: 'replicator', replication: true, roles: ['pg_monitor', 'dbrole_readonly'], comment: 'system replicator' },
    { name: 'dbuser_dba', superuser: true, roles: ['dbrole_admin'], pgbouncer: true, pool_mode: 'session', pool_connlimit: 16, comment: 'pgsql admin user' },
    { name: 'dbuser_monitor', roles: ['pg_monitor', 'dbrole_readonly'], pgbouncer: true, parameters: { log_min_duration_statement: 1000 }, pool_mode: 'session', pool_connlimit: 8, comment: 'pgsql monitor user' },
  ],
  pg_default_privileges: [
    'GRANT USAGE      ON SCHEMAS    TO  dbrole_readonly',
    'GRANT SELECT     ON TABLES     TO  dbrole_readonly',
    'GRANT SELECT     ON SEQUENCES  TO  dbrole_readonly',
    'GRANT EXECUTE    ON FUNCTIONS  TO  dbrole_readonly',
    'GRANT USAGE      ON SCHEMAS    TO  dbrole_offline',
    'GRANT SELECT     ON TABLES     TO  dbrole_offline',
    'GRANT SELECT     ON SEQUENCES  TO  dbrole_offline',
    'GRANT EXECUTE    ON FUNCTIONS  TO  dbrole_offline',
    'GRANT INSERT     ON TABLES     TO  dbrole_readwrite',
    'GRANT UPDATE     ON TABLES     TO  dbrole_readwrite',
    'GRANT DELETE     ON TABLES     TO  dbrole_readwrite',
    'GRANT USAGE      ON SEQUENCES  TO  dbrole_readwrite',
    'GRANT UPDATE     ON SEQUENCES  TO  dbrole_readwrite',
    'GRANT TRUNCATE   ON TABLES     TO  dbrole_admin',
    'GRANT REFERENCES ON TABLES     TO  dbrole_admin',
    'GRANT TRIGGER    ON TABLES     TO  dbrole_admin',
    'GRANT CREATE     ON SCHEMAS    TO  dbrole_admin',
  ],
  pg_default_schemas: ['monitor'],
  pg_default_extensions: [
    { name: 'pg_stat_statements', schema: 'monitor' },
    { name: 'pgstattuple', schema: 'monitor' },
    { name: 'pg_buffercache', schema: 'monitor' },
    { name: 'pageinspect', schema: 'monitor' },
    { name: 'pg_prewarm', schema: 'monitor' },
    { name: 'pg_visibility', schema: 'monitor' },
    { name: 'pg_freespacemap', schema: 'monitor' },
    { name: 'postgres_fdw', schema: 'public' },
    { name: 'file_fdw', schema: 'public' },
    { name: 'btree_gist', schema: 'public' },
    { name: 'btree_gin', schema: 'public' },
    { name: 'pg_trgm', schema: 'public' },
    { name: 'intagg', schema: 'public' },
    { name: 'intarray', schema: 'public' },
  ],
  pg_reload: true,
  pg_default_hba_rules: [
    { user: '${dbsu}', db: 'all', addr: 'local', auth: 'ident', title: 'dbsu access via local os user ident', order: 100 },
    { user: '${dbsu}', db: 'replication', addr: 'local', auth: 'ident', title: 'dbsu replication from local os ident', order: 150 },
    { user: '${repl}', db: 'replication', addr: 'localhost', auth: 'pwd', title: 'replicator replication from localhost', order: 200 },
    { user: '${repl}', db: 'replication', addr: 'intra', auth: 'pwd', title: 'replicator replication from intranet', order: 250 },
    { user: '${repl}', db: 'postgres', addr: 'intra', auth: 'pwd', title: 'replicator postgres db from intranet', order: 300 },
    { user: '${monitor}', db: 'all', addr: 'localhost', auth: 'pwd', title: 'monitor from localhost with password', order: 350 },
    { user: '${monitor}', db: 'all', addr: 'infra', auth: 'pwd', title: 'monitor from infra host with password', order: 400 },
    { user: '${admin}', db: 'all', addr: 'intra', auth: 'pwd', title: 'admin @ intranet nodes with pwd', order: 450 },
    { user: '${admin}', db: 'all', addr: 'world', auth: 'ssl', title: 'admin @ everywhere with ssl & pwd', order: 500 },
    { user: '+dbrole_readonly', db: 'all', addr: 'localhost', auth: 'pwd', title: 'pgbouncer read/write via local socket', order: 550 },
    { user: '+dbrole_readonly', db: 'all', addr: 'intra', auth: 'pwd', title: 'read/write biz user via password', order: 600 },
    { user: '+dbrole_offline', db: 'all', addr: 'intra', auth: 'pwd', title: 'allow etl offline tasks from intranet', order: 650 },
  ],

  node_firewall_intranet: ['10.0.0.0/8', '192.168.0.0/16', '172.16.0.0/12'],
  pg_default_service_dest: 'pgbouncer',
  ...pick(node, ['admin_ip', 'node_data']),
  ...pick(etcd, ['etcd_port', 'etcd_cluster']),
};
