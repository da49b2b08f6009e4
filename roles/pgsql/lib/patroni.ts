/**
 * Builds what the Patroni config template (templates/patroni.yml.hbs) prints: identity, DCS
 * endpoints, the RTO plan, and PostgreSQL parameters from the `pg_conf` parameter template
 * (templates/<conf>.yml.hbs) merged with `pg_parameters`.
 *
 * Parameters are split the way Patroni applies them:
 * - cluster-wide ones (Patroni's command-line options: max_connections, wal_level, ...) can only be
 *   set in the DCS: they go to `bootstrap.dcs` and are reconciled later with `patronictl edit-config`;
 * - all others go to the local `postgresql.parameters`, which Patroni applies on reload.
 */
import path from 'node:path';
import YAML from 'yaml';
import type { Facts, HostCtx } from '../../../src/api/types.js';
import { fileBeside } from '../../../src/api/playbook.js';
import { renderTemplate } from '../../../src/api/templating.js';
import type { PgsqlVars } from '../defaults.js';
import { hbaContext, renderHba } from './hba.js';
import { computeTune, type Tune } from './tune.js';

/** Parameters Patroni only takes from the DCS (CMDLINE_OPTIONS in patroni/postgresql/config.py). */
export const DCS_ONLY_PARAMS = [
  'max_connections', 'max_locks_per_transaction', 'max_prepared_transactions', 'max_worker_processes',
  'max_wal_senders', 'max_replication_slots', 'wal_level', 'track_commit_timestamp', 'wal_log_hints',
  'wal_keep_size', 'wal_keep_segments', 'hot_standby',
] as const;
/** Parameters Patroni sets itself; never ours. */
const PATRONI_OWNED = ['listen_addresses', 'port', 'cluster_name', 'hba_file', 'ident_file', 'config_file', 'data_directory'];

export type ParamValue = string | number;
export type Params = Array<[string, ParamValue]>;

export const HBA_BEGIN = '  # BEGIN pg_hba (pgplay: rendered from pg_default_hba_rules + pg_hba_rules; -t pg_hba rewrites this block)';
export const HBA_END = '  # END pg_hba';

const templateDir = fileBeside(import.meta.url, '../templates');

/** Renders a `pg_conf` parameter template into ordered [name, value] pairs. */
export function confParams(v: PgsqlVars, t: Tune): Params {
  const file = path.join(templateDir, `${t.conf}.yml.hbs`);
  const text = renderTemplate(file, { p: { ...v, pg_archive_command: archiveCommand(v) }, t });
  const doc = YAML.parse(text) as Record<string, unknown> | null;
  return Object.entries(doc ?? {}).map(([k, val]) => [k, normValue(val)]);
}

function normValue(v: unknown): ParamValue {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return v;
  return String(v);
}

/** WAL archiving target: pgBackRest's archive-push into the cluster's stanza when pgbackrest_enabled (roles/pgbackrest), else pg_archive_command. */
export function archiveCommand(v: Pick<PgsqlVars, 'pgbackrest_enabled' | 'pg_cluster' | 'pg_archive_command'>): string {
  const on = v.pgbackrest_enabled === true || /^(true|yes|on|y|1)$/i.test(String(v.pgbackrest_enabled ?? ''));
  return on ? `pgbackrest --stanza=${v.pg_cluster} archive-push %p` : v.pg_archive_command;
}

/** Template parameters overridden by pg_parameters, split into DCS-only and local ones. */
export function splitParams(base: Params, overrides: Record<string, unknown>): { dcs: Params; local: Params } {
  const merged = new Map<string, ParamValue>(base);
  for (const [k, val] of Object.entries(overrides ?? {})) {
    if (val === null || val === undefined) merged.delete(k);
    else merged.set(k, normValue(val));
  }
  const dcs: Params = [];
  const local: Params = [];
  for (const [k, val] of merged) {
    if (PATRONI_OWNED.includes(k)) continue;
    ((DCS_ONLY_PARAMS as readonly string[]).includes(k) ? dcs : local).push([k, val]);
  }
  return { dcs, local };
}

/** A YAML scalar Patroni reads back as the same value: numbers bare, everything else single-quoted. */
export function yamlScalar(v: ParamValue): string {
  return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
}

export function paramsBlock(params: Params, indent: number): string {
  const pad = ' '.repeat(indent);
  return params.map(([k, v]) => `${pad}${k}: ${yamlScalar(v)}`).join('\n');
}

/** The pg_hba rules block of the Patroni config, markers included. Same bytes whoever renders it. */
export function hbaBlock(h: HostCtx<PgsqlVars>): string {
  const lines = renderHba([...(h.vars.pg_default_hba_rules ?? []), ...(h.vars.pg_hba_rules ?? [])], hbaContext(h));
  return [HBA_BEGIN, '  pg_hba:', ...lines.map((l) => `    - ${yamlScalar(l)}`), HBA_END].join('\n');
}

/** Replaces the pg_hba block in a rendered Patroni config; undefined when the markers are missing. */
export function replaceHbaBlock(config: string, block: string): string | undefined {
  const b = config.indexOf(HBA_BEGIN + '\n');
  const e = config.indexOf(HBA_END, b);
  if (b < 0 || e < 0) return undefined;
  return config.slice(0, b) + block + config.slice(e + HBA_END.length);
}

export function etcdEndpoints(h: HostCtx<PgsqlVars>): string[] {
  let hosts: string[] = [];
  try {
    hosts = h.inventory.hosts(h.vars.etcd_cluster || 'etcd');
  } catch {
    hosts = [];
  }
  const port = h.vars.etcd_port ?? 2379;
  return [...hosts].sort().map((ip) => `${ip}:${port}`);
}

/** Desired DCS (dynamic) configuration: what `patronictl edit-config` reconciles. */
export function dcsConfig(v: PgsqlVars, t: Tune, dcs: Params): Record<string, unknown> {
  return {
    ttl: t.ttl,
    loop_wait: t.loop_wait,
    retry_timeout: t.retry_timeout,
    primary_start_timeout: t.primary_start_timeout,
    maximum_lag_on_failover: Number(v.pg_rpo),
    maximum_lag_on_syncnode: -1,
    primary_stop_timeout: 30,
    synchronous_mode: t.synchronous_mode,
    synchronous_mode_strict: t.synchronous_mode_strict,
    failsafe_mode: true,
    postgresql: {
      use_slots: true,
      use_pg_rewind: true,
      remove_data_directory_on_rewind_failure: true,
      parameters: Object.fromEntries(dcs),
    },
  };
}

/** Everything patroni.yml.hbs needs. */
export function patroniVars(h: HostCtx<PgsqlVars>, facts: Facts = h.facts) {
  const v = h.vars;
  const t = computeTune(v, facts);
  const { dcs, local } = splitParams(confParams(v, t), v.pg_parameters);
  const watchdog = v.patroni_watchdog_mode === 'off' && t.conf === 'crit' ? 'automatic' : v.patroni_watchdog_mode;
  const initdb: string[] = [];
  if (v.pg_checksum) initdb.push('data-checksums');
  if (v.pg_encoding) initdb.push(`encoding: ${v.pg_encoding}`);
  if (v.pg_locale) initdb.push(`locale: ${v.pg_locale}`);
  if (v.pg_lc_collate) initdb.push(`lc-collate: ${v.pg_lc_collate}`);
  if (v.pg_lc_ctype) initdb.push(`lc-ctype: ${v.pg_lc_ctype}`);
  const allow = [...new Set([v.admin_ip, ...(v.pg_cluster_members ?? [])].filter(Boolean))].sort();
  const listen = String(v.pg_listen).replace('${ip}', h.name).replace('${lo}', '127.0.0.1');
  return {
    v,
    t,
    host: h.name,
    etcd_hosts: etcdEndpoints(h).join(','),
    watchdog_mode: watchdog,
    log_file_num: t.conf === 'crit' ? 16 : 4,
    initdb,
    allowlist: allow.join(', '),
    pg_listen: listen,
    dcs: dcsConfig(v, t, dcs),
    dcs_params_block: paramsBlock(dcs, 8),
    local_params_block: paramsBlock(local, 4),
    hba_block: hbaBlock(h),
    replication_password: yamlScalar(v.pg_replication_password),
    restapi_password: yamlScalar(v.patroni_password),
    dbsu_password: v.pg_dbsu_password ? yamlScalar(v.pg_dbsu_password) : '',
    summary: `${t.conf}: max_connections=${t.max_connections} shared_buffers=${t.shared_buffers_mb}MB work_mem=${t.work_mem_mb}MB effective_cache_size=${t.effective_cache_size_mb}MB (node ${facts.cpu_count}C ${facts.mem_mb}MB, disk ${t.fs_gb}GB)`,
  };
}
