/**
 * Helpers of the backup and PITR end-to-end tests (backup.test.ts, pitr.test.ts): `./run` with the
 * inventory of the sandbox instance PGPLAY_SANDBOX selects, ssh and psql on its hosts, and small
 * readers of `pgbackrest info` and Patroni's member list.
 */
import { expect } from 'vitest';
import { HOSTS, PATHS } from '../../src/sandbox/config.js';
import { failures, runPlay, totalChanged, type RunResult } from './lib/run.js';
import { sshTo } from './lib/ssh.js';
import { eventually as poll } from './lib/wait.js';

export { changedTasks, failures, messages, totalChanged, type Event, type RunResult } from './lib/run.js';
export type { Out } from './lib/ssh.js';

export const INV = PATHS.inventory;
export const ip = (name: string) => HOSTS.find((h) => h.name === name)!.ip;
export const META = ip('meta');
export const PG_TEST = ['node-1', 'node-2', 'node-3'].map(ip);

/** `./run ARGS -i <instance inventory> --json`, events parsed. */
export const run = (args: string[], timeoutMs = 10 * 60_000): Promise<RunResult> => runPlay(args, { inventory: INV, timeoutMs });

/** A run that must succeed; logs its duration. */
export async function runOk(args: string[], label = args.join(' ')): Promise<RunResult> {
  const r = await run(args);
  console.log(`./run ${label}: ${(r.ms / 1000).toFixed(1)}s, changed ${totalChanged(r)}`);
  expect(r.code, failures(r)).toBe(0);
  return r;
}

/**
 * ssh and ok on the instance's hosts (ok's message has stdout and stderr); psql as postgres on a
 * host (local socket) with ON_ERROR_STOP, one statement per line of output.
 */
export const { sh: ssh, ok, psql } = sshTo(PATHS.sshConfig, { stdoutInMessage: true, onErrorStop: true });

/** A command as the dbsu with its login environment (PATH has /pg/bin). */
export const asPg = (host: string, cmd: string) => ok(host, `cd /tmp && runuser -l postgres -c ${shq(cmd)}`);
export const asPgRaw = (host: string, cmd: string) => ssh(host, `cd /tmp && runuser -l postgres -c ${shq(cmd)}`);
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface BackupInfo {
  label: string;
  type: 'full' | 'diff' | 'incr';
  database: { id: number };
  timestamp: { start: number; stop: number };
}

/** The backups of the host's own stanza, from `pb --output=json info`. */
export async function backups(host: string): Promise<BackupInfo[]> {
  const out = await asPg(host, 'pb --output=json info');
  const info = JSON.parse(out.replace(/"system-id"\s*:\s*(\d+)/g, '"system-id":"$1"')) as { backup: BackupInfo[] }[];
  return info[0]?.backup ?? [];
}

export interface Member {
  Member: string;
  Host: string;
  Role: string;
  State: string;
  TL?: number;
}

export const members = async (host: string, cluster: string) => JSON.parse(await ok(host, `patronictl -c /etc/patroni/patroni.yml list ${cluster} -f json`)) as Member[];

export const eventually = <T>(fn: () => Promise<T>, check: (v: T) => boolean, seconds = 60): Promise<T> => poll(fn, check, seconds);

/** Is a replica streaming from its upstream (Patroni 3.0 shows replicas as "running" either way)? */
export const streaming = async (host: string) => (await ssh(host, `cd /tmp && runuser -u postgres -- psql -X -qAt -c "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver LIMIT 1), 'none')"`)).stdout;

/** A cluster is healthy: one leader (running) and every other member a running replica whose WAL receiver streams. */
export async function expectHealthy(host: string, cluster: string, size: number, seconds = 120): Promise<Member[]> {
  const state = async () => {
    const list = await members(host, cluster).catch(() => [] as Member[]);
    const replicas = list.filter((m) => m.Role !== 'Leader');
    const recv = await Promise.all(replicas.map((m) => streaming(m.Host)));
    return { list, lines: list.map((m) => `${m.Member} ${m.Role} ${m.State}${m.Role === 'Leader' ? '' : ` ${recv[replicas.indexOf(m)]}`}`).sort() };
  };
  const healthy = (s: { list: Member[]; lines: string[] }) =>
    s.list.length === size && s.lines.filter((l) => / Leader running$/.test(l)).length === 1 && s.lines.filter((l) => / Replica running streaming$/.test(l)).length === size - 1;
  const s = await eventually(state, healthy, seconds);
  expect(healthy(s), `${cluster} is not healthy: ${s.lines.join('; ')}`).toBe(true);
  return s.list;
}

/** Switches WAL on a primary and waits until that segment is archived (its .done status, or recycled). */
export async function archiveNow(host: string, db = 'postgres'): Promise<void> {
  const seg = await psql(host, 'SELECT pg_walfile_name(pg_switch_wal())', db);
  const w = '/pg/data/pg_wal';
  // pg_stat_archiver.last_archived_wal is the last file archived, which is not always the newest segment
  const done = await eventually(
    async () => (await ssh(host, `test -f ${w}/archive_status/${seg}.done || ! test -f ${w}/${seg}`)).code === 0,
    (v) => v,
    90,
  );
  expect(done, `WAL ${seg} was not archived in 90s`).toBe(true);
}
