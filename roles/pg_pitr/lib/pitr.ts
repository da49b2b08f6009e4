/**
 * pg_pitr, pure: validation of the `pg_pitr` request (before any host is touched), the restore plan
 * (recovery target, pgbackrest restore arguments, /pg/conf/pitr.conf), and the recovery settings
 * that pgBackRest writes and that must not outlive the recovery. Unit-tested in
 * test/unit/roles/pg_pitr.test.ts.
 */
import type { RepoEntry } from '../../pgbackrest/defaults.js';

export const TARGET_TYPES = ['time', 'name', 'xid', 'lsn', 'immediate', 'latest'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
export const ACTIONS = ['pause', 'promote', 'shutdown'] as const;
export type Action = (typeof ACTIONS)[number];

/** The `pg_pitr` fields (Pigsty's), as given (-e or inventory). */
export interface PitrRequest {
  cluster?: string;
  type?: string;
  time?: string;
  name?: string;
  xid?: string | number;
  lsn?: string;
  timeline?: string | number;
  exclusive?: boolean | string;
  action?: string;
  archive?: boolean | string;
  set?: string;
  db_include?: string[];
  db_exclude?: string[];
  link_map?: Record<string, string>;
  process?: number | string;
  repo?: RepoEntry;
  data?: string;
  port?: number | string;
}

export const PITR_FIELDS = ['cluster', 'type', 'time', 'name', 'xid', 'lsn', 'timeline', 'exclusive', 'action', 'archive', 'set', 'db_include', 'db_exclude', 'link_map', 'process', 'repo', 'data', 'port'] as const;

/** The validated request with every default filled in. */
export interface PitrPlan {
  /** Source stanza (a cluster name). */
  cluster: string;
  type: TargetType;
  /** The target value for time/name/xid/lsn (normalised: LSN upper case). */
  target?: string;
  timeline?: string;
  exclusive: boolean;
  action: Action;
  archive: boolean;
  set?: string;
  dbInclude: string[];
  dbExclude: string[];
  linkMap: Record<string, string>;
  process?: number;
  repo?: RepoEntry;
  data: string;
  port: number;
  /** Restoring from another cluster's stanza. */
  crossCluster: boolean;
  /** `data` is not the instance's data directory: restore beside it, leave the cluster alone. */
  side: boolean;
}

const TIME_RE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?\s*([+-]\d{2}(:?\d{2})?|Z|UTC)$/i;
const LSN_RE = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;
const LABEL_RE = /^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/;
const CLUSTER_RE = /^[A-Za-z0-9-]+$/;
const DB_RE = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;
const SYSTEM_DBS = ['postgres', 'template0', 'template1'];

const isBoolish = (v: unknown) => typeof v === 'boolean' || (typeof v === 'string' && /^(true|false|yes|no|on|off|y|n|1|0)$/i.test(v));
const toBool = (v: unknown) => v === true || /^(true|yes|on|y|1)$/i.test(String(v));
const isInt = (v: unknown) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));

export interface PitrContext {
  pg_cluster: string;
  pg_data: string;
  pg_port: number;
  /** The current time (tests pin it); a target time after it is refused. */
  now?: Date;
}

/** The instant a TIME_RE-valid target names, or undefined when a field is out of range (month 13, 25:00). */
export function pitrInstant(t: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?\s*(?:([+-])(\d{2}):?(\d{2})?|Z|UTC)$/i.exec(t);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, sign, oh, om] = m;
  const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, frac ? Math.floor(Number(frac) * 1000) : 0);
  const check = new Date(local);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +sec > 59) return undefined;
  const offsetMin = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0)) : 0;
  return new Date(local - offsetMin * 60_000);
}

/**
 * Checks a request; returns the plan or the list of problems (each names the field). Rules:
 * time/name/xid/lsn are mutually exclusive and imply the type; `type` must agree with the one
 * given (or be immediate/latest with none); `exclusive` only with time/xid/lsn; a side restore
 * (`data` not the instance's) needs its own `port`.
 */
export function validatePitr(input: unknown, ctx: PitrContext): { plan?: PitrPlan; errors: string[] } {
  const errors: string[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { errors: [`pg_pitr must be a mapping, e.g. {} (latest), {"time": "2025-01-01 12:00:00+00"}, {"name": "before_upgrade"}`] };
  }
  const p = input as Record<string, unknown>;
  for (const k of Object.keys(p)) {
    if (!(PITR_FIELDS as readonly string[]).includes(k)) errors.push(`pg_pitr.${k}: unknown field (fields: ${PITR_FIELDS.join(', ')})`);
  }
  const given = (['time', 'name', 'xid', 'lsn'] as const).filter((k) => p[k] !== undefined && p[k] !== null && p[k] !== '');
  if (given.length > 1) errors.push(`pg_pitr: ${given.join(' and ')} are mutually exclusive: give one recovery target`);
  let type: TargetType | undefined;
  if (p.type !== undefined && p.type !== null) {
    const t = String(p.type) === 'default' ? 'latest' : String(p.type);
    if (!(TARGET_TYPES as readonly string[]).includes(t)) errors.push(`pg_pitr.type: '${String(p.type)}' is not one of ${TARGET_TYPES.join(', ')}`);
    else type = t as TargetType;
  }
  if (given.length === 1) {
    const inferred = given[0];
    if (type && type !== inferred) errors.push(`pg_pitr.type: '${type}' contradicts pg_pitr.${inferred} (the type is inferred from the target given; drop type or the target)`);
    type = inferred;
  } else if (given.length === 0 && type && ['time', 'name', 'xid', 'lsn'].includes(type)) {
    errors.push(`pg_pitr.type ${type} needs pg_pitr.${type}`);
  }
  type = type ?? 'latest';

  let target: string | undefined;
  if (type === 'time' && p.time !== undefined) {
    target = String(p.time).trim();
    if (!TIME_RE.test(target)) errors.push(`pg_pitr.time: '${target}' is not 'YYYY-MM-DD HH:MM:SS[.ffffff]+TZ' with a time zone (e.g. 2025-07-13 10:00:00+00): without one the server's time zone would decide`);
    else {
      const at = pitrInstant(target);
      const now = ctx.now ?? new Date();
      if (!at) errors.push(`pg_pitr.time: '${target}' is not a valid date and time (month 01-12, a day of that month, hours 00-23, minutes and seconds 00-59)`);
      else if (at.getTime() > now.getTime()) {
        errors.push(`pg_pitr.time: '${target}' is in the future (now is ${now.toISOString()}): the restore could never reach it, and the cluster would already be stopped; give a time in the past, or {} for the latest state`);
      }
    }
  }
  if (type === 'name' && p.name !== undefined) {
    target = String(p.name);
    if (Buffer.byteLength(target) > 63) errors.push(`pg_pitr.name: restore point names are at most 63 bytes`);
    if (/[\r\n"]/.test(target)) errors.push(`pg_pitr.name: must not contain quotes or line breaks`);
  }
  if (type === 'xid' && p.xid !== undefined) {
    target = String(p.xid).trim();
    if (!/^\d+$/.test(target) || Number(target) < 3 || Number(target) >= 2 ** 32) errors.push(`pg_pitr.xid: '${target}' is not a transaction id (an integer 3..4294967295)`);
  }
  if (type === 'lsn' && p.lsn !== undefined) {
    target = String(p.lsn).trim().toUpperCase();
    if (!LSN_RE.test(target)) errors.push(`pg_pitr.lsn: '${String(p.lsn)}' is not an LSN like 0/4001C80`);
  }

  let exclusive = false;
  if (p.exclusive !== undefined) {
    if (!isBoolish(p.exclusive)) errors.push(`pg_pitr.exclusive: true or false`);
    exclusive = toBool(p.exclusive);
    if (exclusive && !['time', 'xid', 'lsn'].includes(type)) errors.push(`pg_pitr.exclusive applies to time, xid and lsn targets only (not ${type})`);
  }
  let action: Action = 'pause';
  if (p.action !== undefined) {
    if (!(ACTIONS as readonly string[]).includes(String(p.action))) errors.push(`pg_pitr.action: '${String(p.action)}' is not one of ${ACTIONS.join(', ')}`);
    else action = p.action as Action;
    if (type === 'latest' && action === 'shutdown') errors.push(`pg_pitr.action shutdown needs a recovery target: recovery to the end of WAL always promotes`);
  }
  let archive = false;
  if (p.archive !== undefined) {
    if (!isBoolish(p.archive)) errors.push(`pg_pitr.archive: true or false`);
    archive = toBool(p.archive);
  }
  let timeline: string | undefined;
  if (p.timeline !== undefined && p.timeline !== null) {
    timeline = String(p.timeline);
    if (!/^(latest|current|[1-9]\d*)$/.test(timeline)) errors.push(`pg_pitr.timeline: latest, current or a timeline number`);
    if (timeline === 'latest') timeline = undefined;
  }
  let set: string | undefined;
  if (p.set !== undefined && p.set !== null && String(p.set) !== 'latest') {
    set = String(p.set);
    if (!LABEL_RE.test(set)) errors.push(`pg_pitr.set: '${set}' is not a backup label like 20250713-022731F (see: pb info)`);
  }
  const cluster = p.cluster === undefined || p.cluster === null || p.cluster === '' ? ctx.pg_cluster : String(p.cluster);
  if (!CLUSTER_RE.test(cluster)) errors.push(`pg_pitr.cluster: '${cluster}' is not a cluster name`);

  const dbList = (key: 'db_include' | 'db_exclude'): string[] => {
    const v = p[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((d) => typeof d !== 'string' || !DB_RE.test(d))) {
      errors.push(`pg_pitr.${key}: a list of database names`);
      return [];
    }
    return v as string[];
  };
  const dbInclude = dbList('db_include');
  const dbExclude = dbList('db_exclude');
  if (dbInclude.length && dbExclude.length) errors.push(`pg_pitr.db_include and db_exclude cannot be combined`);
  for (const d of [...dbInclude, ...dbExclude]) if (SYSTEM_DBS.includes(d)) errors.push(`pg_pitr: ${d} is a system database: it is always restored`);

  const linkMap: Record<string, string> = {};
  if (p.link_map !== undefined && p.link_map !== null) {
    if (typeof p.link_map !== 'object' || Array.isArray(p.link_map)) errors.push(`pg_pitr.link_map: a mapping of link (e.g. pg_wal) to absolute path`);
    else
      for (const [k, v] of Object.entries(p.link_map as Record<string, unknown>)) {
        if (typeof v !== 'string' || !v.startsWith('/') || /[\s=]/.test(k)) errors.push(`pg_pitr.link_map.${k}: an absolute path`);
        else linkMap[k] = v;
      }
  }
  let process: number | undefined;
  if (p.process !== undefined && p.process !== null) {
    if (!isInt(p.process) || Number(p.process) < 1 || Number(p.process) > 64) errors.push(`pg_pitr.process: an integer 1..64`);
    else process = Number(p.process);
  }
  let repo: RepoEntry | undefined;
  if (p.repo !== undefined && p.repo !== null) {
    if (typeof p.repo !== 'object' || Array.isArray(p.repo)) errors.push(`pg_pitr.repo: a repository like the entries of pgbackrest_repo`);
    else if (Object.keys(p.repo).length) repo = p.repo as RepoEntry;
  }
  const data = p.data === undefined || p.data === null || p.data === '' ? ctx.pg_data : String(p.data);
  if (!data.startsWith('/') || /[\s'"]/.test(data)) errors.push(`pg_pitr.data: an absolute path`);
  let port = ctx.pg_port;
  if (p.port !== undefined && p.port !== null) {
    if (!isInt(p.port) || Number(p.port) < 1 || Number(p.port) > 65535) errors.push(`pg_pitr.port: a TCP port`);
    else port = Number(p.port);
  }
  const side = data.replace(/\/+$/, '') !== ctx.pg_data.replace(/\/+$/, '');
  if (side && port === ctx.pg_port) errors.push(`pg_pitr.data ${data} is not the instance's data directory (${ctx.pg_data}): such a restore runs beside the cluster and needs its own pg_pitr.port`);
  if (!side && port !== ctx.pg_port) errors.push(`pg_pitr.port ${port}: the cluster's own instance keeps pg_port ${ctx.pg_port}; give pg_pitr.data too to restore beside it`);

  if (errors.length) return { errors };
  return {
    errors,
    plan: { cluster, type, target, timeline, exclusive, action, archive, set, dbInclude, dbExclude, linkMap, process, repo, data, port, crossCluster: cluster !== ctx.pg_cluster, side },
  };
}

/** Arguments of `pgbackrest ... restore` (the config file, stanza and repository come from pitr.conf). */
export function restoreArgs(plan: PitrPlan, conf = '/pg/conf/pitr.conf'): string[] {
  const a = [`--config=${conf}`, `--stanza=${plan.cluster}`, '--delta'];
  if (plan.set) a.push(`--set=${plan.set}`);
  if (plan.type === 'immediate') a.push('--type=immediate');
  else if (plan.type !== 'latest') a.push(`--type=${plan.type}`, `--target=${plan.target}`);
  if (plan.exclusive) a.push('--target-exclusive');
  // pause is PostgreSQL's default action; latest has no target (it always promotes)
  if (plan.type !== 'latest' && plan.action !== 'pause') a.push(`--target-action=${plan.action}`);
  if (plan.timeline) a.push(`--target-timeline=${plan.timeline}`);
  a.push(`--archive-mode=${plan.archive ? 'preserve' : 'off'}`);
  return a;
}

/** A one-line description of the target, for messages. */
export function describeTarget(plan: PitrPlan): string {
  const what = plan.type === 'latest' ? 'the end of the WAL archive (latest)' : plan.type === 'immediate' ? 'the first consistent point of the backup (immediate)' : `${plan.type} ${plan.target}`;
  return `${what}${plan.exclusive ? ' (exclusive: just before it)' : ''}${plan.set ? ` from backup ${plan.set}` : ''}${plan.timeline ? ` on timeline ${plan.timeline}` : ''}`;
}

/**
 * The recovery settings PostgreSQL reads from postgresql.auto.conf after a pgBackRest restore,
 * for a given plan (what `pgbackrest restore` writes). Used to explain and unit-test the mapping.
 */
export function expectedRecoverySettings(plan: PitrPlan): Record<string, string> {
  const s: Record<string, string> = {};
  if (!plan.archive) s.archive_mode = 'off';
  if (plan.type === 'immediate') s.recovery_target = 'immediate';
  else if (plan.type !== 'latest') s[`recovery_target_${plan.type}`] = plan.target!;
  if (plan.exclusive) s.recovery_target_inclusive = 'false';
  if (plan.type !== 'latest' && plan.action !== 'pause') s.recovery_target_action = plan.action;
  if (plan.timeline) s.recovery_target_timeline = plan.timeline;
  else if (plan.type === 'immediate') s.recovery_target_timeline = 'current';
  return s;
}

/** Settings of a pgBackRest restore that must go once the instance is promoted (a replica cloned later would inherit them). */
export const RECOVERY_KEYS = ['restore_command', 'recovery_target', 'recovery_target_time', 'recovery_target_xid', 'recovery_target_lsn', 'recovery_target_name', 'recovery_target_inclusive', 'recovery_target_action', 'recovery_target_timeline'];

/**
 * postgresql.auto.conf without pgBackRest's recovery settings (and its comment line); keeps
 * `archive_mode = 'off'` unless `keepArchiveOff` is false. Everything else stays.
 */
export function cleanAutoConf(text: string, keepArchiveOff: boolean): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z_]+)\s*=/.exec(line);
    if (m && RECOVERY_KEYS.includes(m[1])) continue;
    if (m && m[1] === 'archive_mode' && !keepArchiveOff) continue;
    if (/^# Recovery settings generated by pgBackRest/.test(line)) continue;
    out.push(line);
  }
  return out.join('\n');
}

/** Fields of pg_controldata output. */
export function controlSummary(text: string): string {
  const f: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) f[m[1].trim()] = m[2].trim();
  }
  return [
    `state=${f['Database cluster state'] ?? '?'}`,
    `system-id=${f['Database system identifier'] ?? '?'}`,
    `timeline=${f["Latest checkpoint's TimeLineID"] ?? '?'}`,
    `redo=${f["Latest checkpoint's REDO location"] ?? '?'}`,
    `next-xid=${f["Latest checkpoint's NextXID"] ?? '?'}`,
    `checkpoint=${f['Time of latest checkpoint'] ?? '?'}`,
    `min-recovery-end=${f['Minimum recovery ending location'] ?? '?'}`,
  ].join(' ');
}
