/** apt: Debian packages present, latest or absent (dpkg-query to read, apt-get to change). */
import type { Action, ModuleResult } from '../api/types.js';
import { dpkgCommand, parseDpkg, parsePolicy, policyCommand } from '../facts/packages.js';
import { sectionScript, sections } from '../facts/script.js';
import { defineModule, fail, run } from './common.js';
import { q, qargs } from './shell-quote.js';

export interface AptArgs {
  /** Package names; `name=version` pins a version. */
  name: string | readonly string[];
  /** Default present. */
  state?: 'present' | 'absent' | 'latest';
  /** Refresh the package lists before installing (when older than cache_valid_time). */
  update_cache?: boolean;
  /** Seconds the package lists stay fresh for update_cache (default 0: always refresh). */
  cache_valid_time?: number;
  /** Default false (--no-install-recommends). */
  install_recommends?: boolean;
}

interface Spec {
  name: string;
  version?: string;
}

const STAMP = '/var/lib/apt/periodic/update-success-stamp';

function specs(a: AptArgs): Spec[] {
  return (typeof a.name === 'string' ? [a.name] : [...a.name]).map((s) => {
    const [name, version] = s.split('=', 2);
    return { name, version };
  });
}

/** sh test: true when the package lists are older than `secs` (never refreshed by pgplay: stale). */
function staleTest(secs: number): string {
  return `[ $(( $(date +%s) - $(stat -c %Y ${STAMP} 2>/dev/null || echo 0) )) -ge ${secs} ]`;
}

const UPDATE = `apt-get update -q && mkdir -p ${STAMP.replace(/\/[^/]+$/, '')} && touch ${STAMP}`;

export function readScript(a: AptArgs, refresh: boolean): string {
  const names = specs(a).map((s) => s.name);
  const parts: Record<string, string> = { dpkg: dpkgCommand(names) };
  if (a.state === 'latest') {
    const update = refresh && a.update_cache ? `if ${staleTest(a.cache_valid_time ?? 0)}; then ${UPDATE} >/dev/null; fi; ` : '';
    parts.policy = update + policyCommand(names);
  }
  return sectionScript(parts);
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

export function applyScript(a: AptArgs, plan: AptPlan): string {
  const lines = ['export DEBIAN_FRONTEND=noninteractive', 'set -e'];
  const apt = 'apt-get -y -q -o DPkg::Lock::Timeout=300';
  if (plan.install.length) {
    const unknown = plan.install.map((s) => `apt-cache show -- ${q(s.split('=')[0])} >/dev/null 2>&1`).join(' && ');
    const stale = a.update_cache ? `${staleTest(a.cache_valid_time ?? 0)} || ` : '';
    lines.push(`if ${stale}! { ${unknown}; }; then ${UPDATE}; fi`);
    const recommends = a.install_recommends ? '' : ' --no-install-recommends';
    lines.push(`${apt}${recommends} -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef install -- ${qargs(plan.install)}`);
  }
  if (plan.remove.length) lines.push(`${apt} remove -- ${qargs(plan.remove)}`);
  return lines.join('\n');
}

export const aptModule = defineModule<AptArgs>('apt', async (args, ctx) => {
  const r = await run(ctx, readScript(args, !ctx.check));
  const s = sections(r.stdout);
  const plan = planApt(args, parseDpkg(s.dpkg ?? ''), parsePolicy(s.policy ?? ''));
  if (!plan.install.length && !plan.remove.length) return { status: 'ok' };
  const what = [plan.install.length && `install ${plan.install.join(' ')}`, plan.remove.length && `remove ${plan.remove.join(' ')}`].filter(Boolean).join('; ');
  const result: ModuleResult = { status: 'changed', msg: what };
  if (ctx.diff) result.diff = [{ target: 'packages', before: plan.before, after: plan.after }];
  if (ctx.check) return result;
  const w = await run(ctx, applyScript(args, plan));
  if (w.rc !== 0) fail(`apt-get failed (${what})`, w);
  return { ...result, stdout: w.stdout };
});

/** Debian packages installed (or latest, or removed). */
export function apt(args: AptArgs): Action<AptArgs> {
  return { module: aptModule, args };
}
