/**
 * cron: scheduled jobs, either a whole `/etc/cron.d/<name>` file of /etc/crontab lines
 * (`m h dom mon dow user command`, Pigsty's node_crontab) or, with `user`, a marked block in that
 * user's crontab (`m h dom mon dow command`, pg_crontab) installed with `crontab -u USER -`.
 */
import type { Action, ModuleContext, ModuleResult } from '../api/types.js';
import { defineModule, fail, run } from './common.js';
import { ensureFile, readFile } from './copy.js';
import { planBlockInFile } from './blockinfile.js';
import { checkName, q } from './shell-quote.js';

export interface CronArgs {
  /** File name under /etc/cron.d, or the block's name in the user's crontab. */
  name: string;
  /** Cron lines (variable assignments such as MAILTO=... and comments are allowed too). */
  entries: readonly string[];
  state?: 'present' | 'absent';
  /** Manage this user's crontab (entries have no user field) instead of /etc/cron.d/<name>. */
  user?: string;
}

const ASSIGN_OR_COMMENT = /^\s*(#|[A-Za-z_][A-Za-z0-9_]*\s*=)/;

/** Throws on a line that lacks the fields its crontab needs (e.g. the user field of cron.d). */
export function checkEntries(entries: readonly string[], withUser: boolean): void {
  for (const e of entries) {
    if (e.includes('\n')) throw new Error(`a cron entry cannot contain a line break: ${JSON.stringify(e)}`);
    if (ASSIGN_OR_COMMENT.test(e) || !e.trim()) continue;
    const fields = e.trim().split(/\s+/);
    const need = (fields[0].startsWith('@') ? 1 : 5) + (withUser ? 1 : 0) + 1;
    if (fields.length < need) {
      throw new Error(`cron entry needs ${withUser ? 'schedule, user and command (/etc/crontab format)' : 'schedule and command'}: ${JSON.stringify(e)}`);
    }
  }
}

/** Content of /etc/cron.d/<name>. */
export function cronFile(name: string, entries: readonly string[]): string {
  return [`# ${name}: managed by pgplay`, ...entries].join('\n') + '\n';
}

/** The user's crontab with the block of `name` set to `entries` (or removed). */
export function planUserCrontab(current: string, a: CronArgs): string {
  return planBlockInFile(current, { marker: `# {mark} PGPLAY ${a.name}`, block: a.entries.join('\n'), state: a.state });
}

async function cronD(a: CronArgs, ctx: ModuleContext): Promise<ModuleResult> {
  if (!/^[A-Za-z0-9_-]+$/.test(a.name)) fail(`cron: name ${JSON.stringify(a.name)} must be letters, digits, _ or - (cron ignores other files in /etc/cron.d)`);
  const path = `/etc/cron.d/${a.name}`;
  const before = await readFile(ctx, path, ctx.diff);
  if (a.state === 'absent') {
    if (!before.exists) return { status: 'ok' };
    const result: ModuleResult = { status: 'changed', msg: `${path} removed` };
    if (ctx.diff) result.diff = [{ target: path, before: before.content?.toString('utf8') ?? '', after: '' }];
    if (ctx.check) return result;
    const r = await run(ctx, `rm -f -- ${q(path)}`);
    if (r.rc !== 0) fail(`cannot remove ${path}`, r);
    return result;
  }
  checkEntries(a.entries, true);
  return ensureFile(ctx, path, Buffer.from(cronFile(a.name, a.entries)), { mode: '0644' }, before);
}

async function userCrontab(a: CronArgs & { user: string }, ctx: ModuleContext): Promise<ModuleResult> {
  const u = checkName('user', a.user);
  if (a.state !== 'absent') checkEntries(a.entries, false);
  const r = await run(ctx, [
    `out=$(crontab -u ${u} -l 2>&1); rc=$?`,
    `if [ $rc -eq 0 ]; then printf '%s' "$out"; elif [ $rc -eq 1 ] && printf '%s' "$out" | grep -q '^no crontab'; then :; else printf '%s\\n' "$out" >&2; exit $rc; fi`,
  ].join('\n'));
  if (r.rc !== 0) fail(`cannot read the crontab of ${u}`, r);
  const before = r.stdout ? `${r.stdout}\n` : '';
  const after = planUserCrontab(before, a);
  if (after === before) return { status: 'ok' };
  const result: ModuleResult = { status: 'changed', msg: `crontab of ${u}: ${a.name} ${a.state === 'absent' ? 'removed' : 'updated'}` };
  if (ctx.diff) result.diff = [{ target: `crontab -u ${u}`, before, after }];
  if (ctx.check) return result;
  const w = await run(ctx, `crontab -u ${u} -`, { stdin: after });
  if (w.rc !== 0) fail(`cannot install the crontab of ${u}`, w);
  return result;
}

export const cronModule = defineModule<CronArgs>('cron', (args, ctx) =>
  args.user !== undefined ? userCrontab({ ...args, user: args.user }, ctx) : cronD(args, ctx));

/** Cron jobs in /etc/cron.d/<name>, or (with user) a named block of that user's crontab. */
export function cron(args: CronArgs): Action<CronArgs> {
  return { module: cronModule, args };
}
