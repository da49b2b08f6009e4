/**
 * Memory, connection and worker settings computed from the host's facts and the pgsql parameters,
 * per config template (`pg_conf`: oltp, olap, tiny, crit), with Pigsty's formulas. Pure: the
 * Patroni templates only print what this returns.
 */
import type { Facts } from '../../../src/api/types.js';
import type { PgConf, PgRto, PgsqlParams, RtoPlan } from '../defaults.js';

export type ConfName = 'oltp' | 'olap' | 'tiny' | 'crit';

export function confName(c: PgConf | string): ConfName {
  const n = String(c).replace(/\.ya?ml$/, '');
  if (n === 'oltp' || n === 'olap' || n === 'tiny' || n === 'crit') return n;
  throw new Error(`pg_conf '${c}' is not one of oltp, olap, tiny, crit`);
}

export interface Tune {
  conf: ConfName;
  max_connections: number;
  max_locks_per_transaction: number;
  max_prepared_transactions: number;
  shared_buffers_mb: number;
  maintenance_work_mem_mb: number;
  effective_cache_size_mb: number;
  work_mem_mb: number;
  /** Size of the pg filesystem in 20 GiB units, clamped to 1..100 (Pigsty's pg_size_twentieth). */
  size_twentieth: number;
  min_wal_size_gb: number;
  max_wal_size_gb: number;
  max_slot_wal_keep_size_gb: number;
  temp_file_limit_gb: number;
  max_worker_processes: number;
  max_parallel_workers: number;
  max_parallel_workers_per_gather: number;
  max_parallel_maintenance_workers: number;
  fs_gb: number;
  mem_gb: number;
  // RTO plan
  ttl: number;
  loop_wait: number;
  retry_timeout: number;
  primary_start_timeout: number;
  safety_margin: number;
  synchronous_mode: boolean;
  synchronous_mode_strict: boolean;
}

/** Size in bytes of the filesystem holding `path`, from the facts (40 GiB when unknown, as Pigsty). */
export function fsBytes(facts: Facts, path: string): number {
  let best: { mount: string; size_mb: number } | undefined;
  for (const d of facts.disks ?? []) {
    const m = d.mount.endsWith('/') && d.mount !== '/' ? d.mount.slice(0, -1) : d.mount;
    const under = m === '/' || path === m || path.startsWith(m + '/');
    if (under && (!best || m.length > best.mount.length)) best = { mount: m, size_mb: d.size_mb };
  }
  return best && best.size_mb > 0 ? best.size_mb * 1048576 : 40 * 1073741824;
}

export function rtoPlan(p: Pick<PgsqlParams, 'pg_rto' | 'pg_rto_plan'>): RtoPlan {
  const mode: PgRto = p.pg_rto in p.pg_rto_plan ? p.pg_rto : 'norm';
  return p.pg_rto_plan[mode];
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

export function computeTune(p: PgsqlParams, facts: Pick<Facts, 'cpu_count' | 'mem_mb' | 'disks'>): Tune {
  const conf = confName(p.pg_conf);
  const cpu = Math.max(1, facts.cpu_count || 1);
  const mem = Math.max(256, facts.mem_mb || 0);
  const libs = p.pg_libs ?? '';
  const explicit = p.pg_max_conn !== 'auto' && Number(p.pg_max_conn) >= 20 ? Number(p.pg_max_conn) : undefined;
  const autoConn = conf === 'tiny' ? 250 : conf === 'olap' ? 500 : p.pg_default_service_dest === 'pgbouncer' ? 500 : 1000;
  const maxConn = explicit ?? autoConn;
  const heavyLocks = libs.includes('citus') || libs.includes('timescaledb');
  const locks = conf === 'olap' ? (heavyLocks ? 4 : 2) * maxConn : heavyLocks ? 2 * maxConn : maxConn;
  const sb = Math.ceil(mem * p.pg_shared_buffer_ratio);
  const maint = Math.ceil(sb * (conf === 'olap' ? 0.5 : 0.25));
  const [wmLo, wmHi] = conf === 'tiny' ? [16, 256] : conf === 'olap' ? [64, 8192] : [64, 1024];
  const fs = fsBytes(facts as Facts, p.pg_fs_main);
  const twentieth = clamp(Math.ceil(fs / 21474836480), 1, 100);
  const plan = rtoPlan(p);
  let workers: number, parallel: number, gather: number, mt: number;
  if (conf === 'tiny') {
    workers = Math.max(cpu + 4, 12);
    parallel = Math.max(Math.floor(cpu * 0.5), 1);
    gather = 0;
    mt = Math.max(Math.floor(cpu * 0.33), 1);
  } else if (conf === 'olap') {
    workers = Math.max(cpu + 12, 20);
    parallel = Math.max(Math.ceil(cpu * 0.8), 2);
    gather = Math.max(Math.floor(cpu * 0.5), 2);
    mt = Math.max(Math.ceil(cpu * 0.33), 2);
  } else {
    workers = Math.max(cpu + 8, 16);
    parallel = Math.max(Math.ceil(cpu * 0.5), 2);
    gather = conf === 'crit' ? 0 : clamp(Math.floor(cpu * 0.2), 2, 8);
    mt = Math.max(Math.ceil(cpu * 0.33), 2);
  }
  return {
    conf,
    max_connections: maxConn,
    max_locks_per_transaction: locks,
    max_prepared_transactions: libs.includes('citus') ? maxConn : 0,
    shared_buffers_mb: sb,
    maintenance_work_mem_mb: maint,
    effective_cache_size_mb: Math.max(mem - sb, 128),
    work_mem_mb: clamp(Math.floor(sb / maxConn), wmLo, wmHi),
    size_twentieth: twentieth,
    min_wal_size_gb: Math.min(twentieth, 200),
    max_wal_size_gb: Math.min(twentieth * 4, 2000),
    max_slot_wal_keep_size_gb: Math.min(twentieth * 6, 3000),
    temp_file_limit_gb: conf === 'olap' ? Math.min(twentieth * 4, 2000) : Math.min(twentieth, 200),
    max_worker_processes: workers + 8,
    max_parallel_workers: parallel,
    max_parallel_workers_per_gather: gather,
    max_parallel_maintenance_workers: mt,
    fs_gb: Math.max(Math.ceil(fs / 1073741824), 1),
    mem_gb: Math.max(Math.ceil(mem / 1024), 1),
    ttl: plan[0],
    loop_wait: plan[1],
    retry_timeout: plan[2],
    primary_start_timeout: plan[3],
    safety_margin: plan[4],
    synchronous_mode: conf === 'crit' || Number(p.pg_rpo) === 0,
    synchronous_mode_strict: conf === 'crit',
  };
}
