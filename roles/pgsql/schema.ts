/** JSON schema (ajv) of the pgsql parameters: types and enums, so errors say what is allowed. */
import { absPath, int, paramSchema, port, type ObjectSchema } from '../../src/api/params.js';
import type { PgsqlParams } from './defaults.js';
import { ADDR_ALIASES, HBA_AUTHS, HBA_ROLES } from './lib/hba.js';

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const strList = { type: 'array', items: str } as const;
const paramMap = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } } as const;

export const hbaRuleSchema = {
  type: 'object',
  properties: {
    user: str,
    db: str,
    addr: { type: 'string', description: `an alias (${ADDR_ALIASES.join(', ')}) or an IPv4 address/CIDR` },
    auth: { type: 'string', enum: HBA_AUTHS },
    rules: strList,
    title: str,
    order: { type: 'number' },
    role: { type: 'string', enum: [...HBA_ROLES] },
  },
  additionalProperties: false,
} as const;

const membership = { anyOf: [str, { type: 'object', required: ['name'], properties: { name: str, state: { enum: ['grant', 'revoke', 'absent'] }, admin: bool } }] };

export const userSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: str, password: str, login: bool, superuser: bool, createdb: bool, createrole: bool, inherit: bool, replication: bool, bypassrls: bool,
    roles: { type: 'array', items: membership }, connlimit: int(-1), expire_in: int(0), expire_at: str, comment: str, parameters: paramMap,
    state: { enum: ['create', 'absent'] }, pgbouncer: bool, pool_mode: { enum: ['transaction', 'session', 'statement'] }, pool_connlimit: int(-1),
  },
  additionalProperties: false,
} as const;

const named = (extra: object) => ({ anyOf: [str, { type: 'object', required: ['name'], properties: { name: str, state: { enum: ['absent'] }, ...extra }, additionalProperties: false }] });

export const databaseSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: str, owner: str, template: str, encoding: str, locale: str, lc_collate: str, lc_ctype: str,
    strategy: { type: 'string', enum: ['FILE_COPY', 'WAL_LOG', 'file_copy', 'wal_log'] }, tablespace: str, is_template: bool, allowconn: bool,
    connlimit: int(-1), revokeconn: bool, schemas: { type: 'array', items: named({ owner: str }) },
    extensions: { type: 'array', items: named({ schema: str, version: str }) }, parameters: paramMap, comment: str,
    state: { enum: ['create', 'absent', 'recreate'] }, pgbouncer: bool, register_datasource: bool, baseline: str,
    pool_auth_user: str, pool_mode: { enum: ['transaction', 'session', 'statement'] }, pool_size: int(1), pool_size_min: int(0), pool_reserve: int(0), pool_connlimit: int(-1),
  },
  additionalProperties: false,
} as const;

const rtoPlan = { type: 'array', minItems: 10, maxItems: 10 } as const;
const rtoPlans: ObjectSchema = {
  type: 'object',
  properties: { fast: rtoPlan, norm: rtoPlan, safe: rtoPlan, wide: rtoPlan },
  description: 'per RTO: [ttl, loop_wait, retry_timeout, primary_start_timeout, safety_margin, inter, fastinter, downinter, rise, fall]',
};

export const schema = paramSchema<PgsqlParams>({
    pg_users: { type: 'array', items: userSchema },
    pg_default_roles: { type: 'array', items: userSchema },
    pg_databases: { type: 'array', items: databaseSchema },
    pg_hba_rules: { type: 'array', items: hbaRuleSchema },
    pg_default_hba_rules: { type: 'array', items: hbaRuleSchema },
    pg_crontab: strList,
    pg_dbsu: str,
    pg_dbsu_uid: int(1, 65535),
    pg_dbsu_sudo: { enum: ['none', 'limit', 'all', 'nopass'] },
    pg_dbsu_home: absPath,
    pg_dbsu_ssh_exchange: bool,
    pg_version: int(10, 30),
    pg_bin_dir: absPath,
    pg_log_dir: absPath,
    pg_packages: strList,
    pg_extensions: strList,
    pg_data: absPath,
    pg_fs_main: absPath,
    pg_fs_backup: absPath,
    pg_storage_type: { enum: ['SSD', 'HDD'] },
    pg_listen: str,
    pg_port: port,
    pg_localhost: absPath,
    patroni_enabled: bool,
    patroni_mode: { enum: ['default', 'pause', 'remove'] },
    pg_namespace: absPath,
    patroni_port: port,
    patroni_log_dir: absPath,
    patroni_ssl_enabled: bool, // true is accepted and warned about: Patroni REST API TLS is not built yet (src/runner/unsupported.ts)
    patroni_watchdog_mode: { enum: ['off', 'automatic', 'required'] },
    patroni_username: str,
    patroni_password: str,
    pg_primary_db: str,
    pg_parameters: paramMap,
    pg_conf: { enum: ['oltp', 'olap', 'tiny', 'crit', 'oltp.yml', 'olap.yml', 'tiny.yml', 'crit.yml'] },
    pg_max_conn: { anyOf: [{ const: 'auto' }, int(20)] },
    pg_shared_buffer_ratio: { type: 'number', minimum: 0.01, maximum: 0.8 },
    pg_rto: { enum: ['fast', 'norm', 'safe', 'wide'] },
    pg_rpo: int(0),
    pg_libs: str,
    pg_checksum: bool,
    pg_pwd_enc: { enum: ['scram-sha-256', 'md5'] },
    pg_encoding: str,
    pg_locale: str,
    pg_lc_collate: str,
    pg_lc_ctype: str,
    pg_archive_command: str,
    pg_provision: bool,
    pg_default_privileges: strList,
    pg_default_schemas: strList,
    pg_reload: bool,
    pg_replication_username: str,
    pg_replication_password: str,
    pg_admin_username: str,
    pg_admin_password: str,
    pg_monitor_username: str,
    pg_monitor_password: str,
    pg_dbsu_password: str,
    node_firewall_intranet: strList,
    pg_default_service_dest: { enum: ['postgres', 'pgbouncer'] },
    pg_delay: { anyOf: [int(0), { type: 'string', pattern: '^[0-9]+(ms|s|min|h|d)?$' }], description: 'apply delay of a delayed replica' },
    pg_rto_plan: rtoPlans,
    pg_default_extensions: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: str, schema: str, version: str, state: { enum: ['absent'] } }, additionalProperties: false } },
});
