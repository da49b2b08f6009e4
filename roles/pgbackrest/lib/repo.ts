/**
 * Pure helpers of the pgbackrest role: which repository a host uses, the option lines of
 * pgbackrest.conf (instance side) and of the repository host's config, process counts, and the
 * reading of `pgbackrest info --output=json` against the instance's own system identifier.
 * Unit-tested in test/unit/roles/pgbackrest.test.ts.
 */
import type { RepoEntry, RepoValue } from '../defaults.js';

/** Where the repository host keeps one config file per remote repository entry. */
export const REPO_CONF_DIR = '/etc/pgbackrest-repo';
export const INITIAL_MARKER = '/etc/pgbackrest/initial.done';
export const PGBACKREST_CONF = '/etc/pgbackrest/pgbackrest.conf';

/** Options of a remote entry that describe how to reach the repository host (repo1-host*). */
const HOST_KEYS = ['host', 'host_user', 'host_port', 'host_cmd', 'host_config'];
const KEY_RE = /^[a-z0-9]+(_[a-z0-9]+)*$/;

export interface RemoteRepo {
  /** Inventory name of the repository host. */
  host: string;
  /** OS user owning the repository there (repo1-host-user). */
  user: string;
  /** Config file of the repository on that host (repo1-host-config). */
  config: string;
  /** Log and lock directories of that user. */
  logPath: string;
  lockPath: string;
}

export interface ResolvedRepo {
  /** Key of the entry in pgbackrest_repo (pgbackrest_method). */
  name: string;
  entry: RepoEntry;
  /** Set when the entry has `host`: a repository on another host, reached over SSH. */
  remote?: RemoteRepo;
}

/** `true`/`'y'`/`'yes'`/`'on'`/`'true'`/`'1'` (extra vars given as k=v stay strings). */
export function asBool(v: unknown): boolean {
  return v === true || v === 1 || /^(y|yes|on|true|1)$/i.test(String(v ?? '').trim());
}

/** pgBackRest's spelling of a value: booleans as y/n, `${pg_cluster}` substituted. */
export function optionValue(v: RepoValue, cluster: string): string {
  if (typeof v === 'boolean') return v ? 'y' : 'n';
  return String(v).split('${pg_cluster}').join(cluster);
}

/** Problems with a repository entry (empty when fine). */
export function checkEntry(name: string, entry: unknown): string[] {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return [`pgbackrest_repo.${name} must be a mapping of pgBackRest repository options`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (!KEY_RE.test(k)) out.push(`pgbackrest_repo.${name}.${k}: option names are pgBackRest repository options without the repo1- prefix, with _ for - (e.g. retention_full)`);
    else if (!['string', 'number', 'boolean'].includes(typeof v)) out.push(`pgbackrest_repo.${name}.${k}: must be a string, number or boolean`);
    else if (typeof v === 'string' && /[\r\n]/.test(v)) out.push(`pgbackrest_repo.${name}.${k}: must be a single line`);
  }
  const e = entry as Record<string, unknown>;
  if ('host' in e) {
    const t = String(e.host_type ?? 'ssh');
    if (t !== 'ssh') out.push(`pgbackrest_repo.${name}.host_type: only ssh is supported for a repository host (got ${t})`);
    if (e.type !== undefined && e.type !== 'posix') out.push(`pgbackrest_repo.${name}: a repository host keeps a posix repository (type ${String(e.type)} is not allowed with host)`);
    if (e.path === undefined || !String(e.path).startsWith('/')) out.push(`pgbackrest_repo.${name}.path: an absolute path on the repository host is required`);
    if (e.host_user !== undefined && !/^[a-z_][a-z0-9_-]*$/.test(String(e.host_user))) out.push(`pgbackrest_repo.${name}.host_user: not a valid user name`);
  }
  if (e.cipher_type !== undefined && e.cipher_type !== 'none' && !e.cipher_pass) out.push(`pgbackrest_repo.${name}: cipher_type ${String(e.cipher_type)} needs cipher_pass`);
  if (e.retention_full_type !== undefined && !['count', 'time'].includes(String(e.retention_full_type))) out.push(`pgbackrest_repo.${name}.retention_full_type: count or time`);
  return out;
}

/**
 * The entry selected by `method`, with a repository host resolved to an inventory host
 * (`host: ''` = the first host of `infra`). Returns an error text when it cannot be resolved.
 */
export function resolveRepo(method: string, repos: Record<string, RepoEntry> | undefined, infraHosts: readonly string[], inventoryHosts: readonly string[]): ResolvedRepo | string {
  const entry = repos?.[method];
  if (!entry) return `pgbackrest_method '${method}' is not an entry of pgbackrest_repo (entries: ${Object.keys(repos ?? {}).join(', ') || 'none'})`;
  const problems = checkEntry(method, entry);
  if (problems.length) return problems.join('; ');
  if (!('host' in entry)) return { name: method, entry };
  let host = String(entry.host ?? '');
  if (!host) {
    if (!infraHosts.length) return `pgbackrest_repo.${method}.host is empty, which means the first host of the 'infra' group, but the inventory has no infra group`;
    host = infraHosts[0];
  }
  if (!inventoryHosts.includes(host)) return `pgbackrest_repo.${method}.host ${host} is not a host of the inventory: pgplay sets the repository host up (package, user, keys, config), so it must be in the inventory (e.g. in the infra group)`;
  const user = String(entry.host_user ?? 'pgbackrest');
  return {
    name: method,
    entry,
    remote: { host, user, config: String(entry.host_config ?? `${REPO_CONF_DIR}/${method}.conf`), logPath: `/var/log/pgbackrest-repo`, lockPath: `/tmp/pgbackrest-repo` },
  };
}

/** `repo1-*` lines of the instance's pgbackrest.conf. */
export function clientRepoLines(r: ResolvedRepo, cluster: string): string[] {
  if (!r.remote) return repoLines(r.entry, cluster);
  const lines = [`repo1-host=${r.remote.host}`, `repo1-host-user=${r.remote.user}`, `repo1-host-config=${r.remote.config}`];
  for (const k of ['host_port', 'host_cmd']) if (r.entry[k] !== undefined) lines.push(`repo1-${k.replace(/_/g, '-')}=${optionValue(r.entry[k], cluster)}`);
  return lines;
}

/** `repo1-*` lines of the repository itself (a local repository, or the repository host's config). */
export function repoLines(entry: RepoEntry, cluster: string): string[] {
  return Object.entries(entry)
    .filter(([k]) => !HOST_KEYS.includes(k) && k !== 'host_type')
    .map(([k, v]) => `repo1-${k.replace(/_/g, '-')}=${optionValue(v, cluster)}`);
}

/** Pigsty's process counts: backup/archive 1/4 of the CPUs (2..4), restore all of them (max 8). */
export function processMax(cpu: number): { backup: number; restore: number; archive: number } {
  const c = Math.max(1, Math.floor(cpu || 1));
  const quarter = Math.min(Math.max(Math.ceil(c / 4), 2), 4);
  return { backup: quarter, restore: Math.min(c, 8), archive: quarter };
}

/** One cluster served by a repository host: its stanza section there. */
export interface StanzaHost {
  host: string;
  port: number;
  data: string;
  socket: string;
  dbsu: string;
}

/** The `[stanza]` section of the repository host's config: pg1 is the primary, then the replicas. */
export function repoStanzaLines(hosts: readonly StanzaHost[]): string[] {
  const out: string[] = [];
  hosts.forEach((m, i) => {
    const n = i + 1;
    out.push(`pg${n}-host=${m.host}`, `pg${n}-host-user=${m.dbsu}`, `pg${n}-path=${m.data}`, `pg${n}-port=${m.port}`, `pg${n}-socket-path=${m.socket}`);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// stanza state
// ---------------------------------------------------------------------------------------------

export type StanzaState =
  | { state: 'missing'; message: string }
  /** backups: of the current database system (older systems' backups are not counted). */
  | { state: 'ok'; systemId: string; version: string; backups: number }
  | { state: 'mismatch'; repoSystemId: string; repoVersion: string; systemId: string; version: string }
  | { state: 'error'; message: string };

interface InfoDb {
  id: number;
  'system-id': string;
  version: string;
}

interface InfoStanza {
  name: string;
  repo?: { key: number; status?: { code: number; message: string } }[];
  status: { code: number; message: string };
  db?: InfoDb[];
  backup?: { label?: string; type?: string; database?: { id?: number } }[];
}

/** Parses `pgbackrest info --output=json`, keeping 64-bit system identifiers exact (as strings). */
export function parseInfo(text: string): InfoStanza[] {
  const safe = text.replace(/"system-id"\s*:\s*(\d+)/g, '"system-id":"$1"');
  const v = JSON.parse(safe) as unknown;
  if (!Array.isArray(v)) throw new Error('pgbackrest info: expected a JSON list');
  return v as InfoStanza[];
}

/**
 * What the repository says about `stanza` compared with the instance (`systemId` from
 * pg_controldata, `version` its major version). Codes: 1 missing stanza path, 3 missing stanza data
 * (both: create it); 0 ok and 2 no valid backups (the stanza exists); anything else is an error.
 */
export function stanzaState(infoJson: string, stanza: string, systemId: string, version: string): StanzaState {
  let list: InfoStanza[];
  try {
    list = parseInfo(infoJson);
  } catch (e) {
    return { state: 'error', message: `cannot read pgbackrest info: ${(e as Error).message}` };
  }
  const s = list.find((x) => x.name === stanza);
  if (!s) return { state: 'missing', message: 'stanza not listed' };
  const code = s.status?.code;
  if (code === 1 || code === 3) return { state: 'missing', message: s.status.message };
  if (code !== 0 && code !== 2) {
    const repos = (s.repo ?? []).filter((r) => r.status && r.status.code !== 0).map((r) => `repo${r.key}: ${r.status!.message}`);
    return { state: 'error', message: `stanza ${stanza}: ${s.status?.message ?? 'unknown status'} (code ${code})${repos.length ? `: ${repos.join('; ')}` : ''}` };
  }
  const db = [...(s.db ?? [])].sort((a, b) => a.id - b.id).pop();
  if (!db) return { state: 'error', message: `stanza ${stanza} has no database history` };
  const repoSystemId = String(db['system-id']);
  const repoVersion = String(db.version);
  if (repoSystemId !== systemId || repoVersion !== String(version)) return { state: 'mismatch', repoSystemId, repoVersion, systemId, version: String(version) };
  return { state: 'ok', systemId, version: String(version), backups: (s.backup ?? []).filter((b) => b.database?.id === db.id).length };
}

/** The failure message of a mismatched stanza, with the two ways out. */
export function mismatchMessage(o: { stanza: string; method: string; where: string; host: string; dbsu: string; cluster: string; st: Extract<StanzaState, { state: 'mismatch' }> }): string {
  const { st } = o;
  return [
    `stanza ${o.stanza} in the '${o.method}' repository (${o.where}) belongs to another database system: ` +
      `repository system-id ${st.repoSystemId} (PostgreSQL ${st.repoVersion}), this instance ${st.systemId} (PostgreSQL ${st.version}). ` +
      `WAL archiving and backups of ${o.cluster} fail until this is resolved ("do not match stanza ... HINT: is this the correct stanza?"). Either:`,
    `  - keep the old backups and move the stanza to this database (after a restore from another cluster, a re-created cluster or a major upgrade): on ${o.host} as ${o.dbsu}: pb stanza-upgrade`,
    `  - or drop the old backups: ./run pgsql-rm -l ${o.cluster} -t pg_backup   (deletes the stanza), then ./run pgsql -l ${o.cluster} -t pg_backup`,
  ].join('\n');
}

/** Content of the initial-backup marker: the backup is taken once per stanza, repository and database system. */
export function markerLine(stanza: string, method: string, systemId: string): string {
  return `stanza=${stanza} repo=${method} system-id=${systemId}`;
}

/** Fields of pg_controldata output (LC_ALL=C). */
export function controlData(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) out[m[1].trim()] = m[2].trim();
  }
  return out;
}
