/**
 * apt: Debian packages present, latest or absent (dpkg-query to read, apt-get to change), and the
 * package lists refreshed with `update_cache` (in the read round trip, at most once a task).
 */
import type { Action, ModuleResult } from '../api/types.js';
import { dpkgCommand, parseDpkg, parsePolicy, policyCommand } from '../facts/packages.js';
import { sectionScript, sections } from '../facts/script.js';
import { defineModule, fail, run } from './common.js';
import { q, qargs } from './shell-quote.js';

export interface AptArgs {
  /** Package names; `name=version` pins a version. None (or []) with `update_cache`: only refresh the lists. */
  name?: string | readonly string[];
  /** Default present. */
  state?: 'present' | 'absent' | 'latest';
  /** Refresh the package lists first (when older than cache_valid_time), whether or not anything is installed. */
  update_cache?: boolean;
  /** Seconds the package lists stay fresh for update_cache (default 0: always refresh). */
  cache_valid_time?: number;
  /** Default false (--no-install-recommends). */
  install_recommends?: boolean;
  /**
   * Default true: an install is a fresh-host-fast transaction. dpkg does not fsync each file before
   * renaming it into place (`--force-unsafe-io`, as Docker's Debian images do; a crash mid-install
   * may leave files of those packages empty), and man-db's trigger, which rebuilds the whole manual
   * index after every transaction that brings manual pages, is skipped for this transaction (man-db's
   * daily timer indexes the new pages). Which packages and versions get installed does not change.
   * false: apt-get's plain behaviour.
   */
  fast?: boolean;
}

interface Spec {
  name: string;
  version?: string;
}

/** Touched after each successful `apt-get update`; its age is the age of the package lists. */
export const STAMP_DIR = '/var/lib/apt/periodic';
const STAMP = `${STAMP_DIR}/update-success-stamp`;

function specs(a: AptArgs): Spec[] {
  const names = a.name === undefined ? [] : typeof a.name === 'string' ? [a.name] : [...a.name];
  return names.map((s) => {
    const [name, version] = s.split('=', 2);
    return { name, version };
  });
}

/** sh test: true when the package lists are older than `secs` (never refreshed by pgplay: stale). */
function staleTest(secs: number): string {
  return `[ $(( $(date +%s) - $(stat -c %Y ${STAMP} 2>/dev/null || echo 0) )) -ge ${secs} ]`;
}

const UPDATE = `apt-get update -q && mkdir -p ${STAMP_DIR} && touch ${STAMP}`;

/** man-db's trigger does nothing while this flag file is absent (see man-db's postinst and /usr/share/doc/man-db/NEWS). */
export const MANDB_FLAG = '/var/lib/man-db/auto-update';

/** dpkg's options: keep changed config files (confold/confdef); with `fast`, no fsync per file. */
function dpkgOptions(fast: boolean): string {
  const opts = ['--force-confold', '--force-confdef', ...(fast ? ['--force-unsafe-io'] : [])];
  return opts.map((o) => `-o Dpkg::Options::=${o}`).join(' ');
}

/**
 * sh lines that take man-db's flag away for the rest of the script and put it back when the script
 * ends, whatever its outcome (EXIT trap), only when it was there.
 */
function skipManDb(): string[] {
  return [`if [ -e ${MANDB_FLAG} ]; then rm -f ${MANDB_FLAG}; trap 'touch ${MANDB_FLAG}' EXIT; fi`];
}

/**
 * The `cache` section of the read script (update_cache): with `refresh`, runs `apt-get update` when
 * the lists are older than `secs` and prints `updated` (or `failed` and the error's last lines),
 * else `fresh`; without (check mode) it only prints `stale` or `fresh`.
 */
function cacheCommand(secs: number, refresh: boolean): string {
  const stale = refresh
    ? `if out=$({ ${UPDATE}; } 2>&1); then echo updated; else echo failed; printf '%s\\n' "$out" | tail -n 5; fi`
    : 'echo stale';
  return `if ${staleTest(secs)}; then ${stale}; else echo fresh; fi`;
}

/**
 * One round trip: refresh the lists (update_cache, when stale, real runs only) first, then read
 * installed versions and, for `latest`, candidates (from the lists just refreshed).
 */
export function readScript(a: AptArgs, refresh: boolean): string {
  const names = specs(a).map((s) => s.name);
  const parts: Record<string, string> = {};
  if (a.update_cache) parts.cache = cacheCommand(a.cache_valid_time ?? 0, refresh);
  if (names.length) parts.dpkg = dpkgCommand(names);
  if (names.length && a.state === 'latest') parts.policy = policyCommand(names);
  return sectionScript(parts);
}

export type CacheState = 'updated' | 'fresh' | 'stale' | 'failed' | 'unknown';

/** The `cache` section: its state and, when failed, apt-get's error lines. */
export function parseCache(section: string | undefined): { state: CacheState; error: string } {
  const [first, ...rest] = (section ?? '').split('\n');
  const state = (['updated', 'fresh', 'stale', 'failed'] as const).find((s) => s === first.trim()) ?? 'unknown';
  return { state, error: rest.join('\n').trim() };
}

export interface AptPlan {
  /** Specs to install (as given, with pins). */
  install: string[];
  remove: string[];
  before: string;
  after: string;
}

/** What to install or remove, given installed versions and (state latest) candidates. */
export function planApt(a: AptArgs, installed: Record<string, string>, candidates: Record<string, string>): AptPlan {
  const state = a.state ?? 'present';
  const install: string[] = [];
  const remove: string[] = [];
  const before: string[] = [];
  const after: string[] = [];
  for (const s of specs(a)) {
    const have = installed[s.name];
    let want: string | undefined;
    if (state === 'absent') {
      if (have !== undefined) {
        remove.push(s.name);
        want = 'absent';
      }
    } else if (have === undefined || (s.version !== undefined && have !== s.version)) {
      install.push(s.version === undefined ? s.name : `${s.name}=${s.version}`);
      want = s.version ?? candidates[s.name] ?? 'installed';
    } else if (state === 'latest' && candidates[s.name] !== undefined && candidates[s.name] !== have) {
      install.push(s.name);
      want = candidates[s.name];
    }
    if (want !== undefined) {
      before.push(`${s.name}: ${have ?? 'absent'}\n`);
      after.push(`${s.name}: ${want}\n`);
    }
  }
  return { install, remove, before: before.join(''), after: after.join('') };
}

/**
 * The change. `refreshed`: the read round trip of this task just ran `apt-get update`, so it is not
 * run again; otherwise the lists are refreshed only when apt does not know a package to install
 * (update_cache's age test already ran in the read round trip).
 */
export function applyScript(a: AptArgs, plan: AptPlan, refreshed = false): string {
  const lines = ['export DEBIAN_FRONTEND=noninteractive', 'set -e'];
  const apt = 'apt-get -y -q -o DPkg::Lock::Timeout=300';
  if (plan.install.length) {
    if (!refreshed) {
      const known = plan.install.map((s) => `apt-cache show -- ${q(s.split('=')[0])} >/dev/null 2>&1`).join(' && ');
      lines.push(`if ! { ${known}; }; then ${UPDATE}; fi`);
    }
    const recommends = a.install_recommends ? '' : ' --no-install-recommends';
    const fast = a.fast !== false;
    if (fast) lines.push(...skipManDb());
    lines.push(`${apt}${recommends} ${dpkgOptions(fast)} install -- ${qargs(plan.install)}`);
  }
  if (plan.remove.length) lines.push(`${apt} remove -- ${qargs(plan.remove)}`);
  return lines.join('\n');
}

export const aptModule = defineModule<AptArgs>('apt', async (args, ctx) => {
  if (!specs(args).length && !args.update_cache) return { status: 'ok', msg: 'nothing to do (no name, no update_cache)' };
  const r = await run(ctx, readScript(args, !ctx.check));
  const s = sections(r.stdout);
  const cache = parseCache(s.cache);
  if (args.update_cache) {
    if (cache.state === 'failed') fail('apt-get update failed', { rc: 1, stdout: '', stderr: cache.error });
    if (cache.state === 'unknown') fail('cannot tell the age of the package lists', r);
  }
  // As Ansible: `cache_updated` (check mode: would be); it decides `changed` only when no package is named.
  const cacheUpdated = cache.state === 'updated' || cache.state === 'stale';
  const withData = args.update_cache ? { data: { cache_updated: cacheUpdated } } : {};
  const cacheMsg = cacheUpdated ? 'package lists refreshed' : 'package lists fresh';
  if (!specs(args).length) return { status: cacheUpdated ? 'changed' : 'ok', msg: cacheMsg, ...withData };
  const plan = planApt(args, parseDpkg(s.dpkg ?? ''), parsePolicy(s.policy ?? ''));
  if (!plan.install.length && !plan.remove.length) return args.update_cache ? { status: 'ok', msg: cacheMsg, ...withData } : { status: 'ok' };
  const what = [plan.install.length && `install ${plan.install.join(' ')}`, plan.remove.length && `remove ${plan.remove.join(' ')}`].filter(Boolean).join('; ');
  const result: ModuleResult = { status: 'changed', msg: what, ...withData };
  if (ctx.diff) result.diff = [{ target: 'packages', before: plan.before, after: plan.after }];
  if (ctx.check) return result;
  const w = await run(ctx, applyScript(args, plan, cache.state === 'updated'));
  if (w.rc !== 0) fail(`apt-get failed (${what})`, w);
  return { ...result, stdout: w.stdout };
});

/** Debian packages installed (or latest, or removed). */
export function apt(args: AptArgs): Action<AptArgs> {
  return { module: aptModule, args };
}
