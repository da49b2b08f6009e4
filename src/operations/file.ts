/** file: a directory, an existing file's attributes, a symbolic link, an empty file, or nothing. */
import type { Action, ModuleResult } from '../api/types.js';
import { parseStat, statCommand, type FileStat } from '../facts/files.js';
import { defineModule, describeState, fail, normMode, run } from './common.js';
import { attrChanges, attrCommands, type FileAttrs } from './copy.js';
import { q } from './shell-quote.js';

export interface FileArgs extends FileAttrs {
  path: string;
  /** Default 'file' (the file must exist; only its attributes are managed). 'touch' creates an
   * empty file when missing and never updates timestamps. */
  state?: 'directory' | 'file' | 'link' | 'absent' | 'touch';
  /** Target of the link (state link). */
  src?: string;
  /** Directories: apply owner/group/mode to everything below too (mode included, as Ansible). */
  recurse?: boolean;
  /** state link: replace a file that is in the way. */
  force?: boolean;
}

/** What exists now, plus whether anything below a directory has other attributes (recurse). */
export interface FileNow {
  stat: FileStat;
  drift: boolean;
}

export function readCommand(a: FileArgs): string {
  const lines = [statCommand(a.path, { follow: a.state !== 'link' && a.state !== 'absent' })];
  if (a.recurse && (a.owner !== undefined || a.group !== undefined || a.mode !== undefined)) {
    const tests = [
      a.owner !== undefined && `! -user ${q(a.owner)}`,
      a.group !== undefined && `! -group ${q(a.group)}`,
      a.mode !== undefined && `! -perm ${normMode(a.mode)}`,
    ].filter(Boolean);
    lines.push(`if [ -d "$p" ]; then printf 'drift=%s\\n' "$(find "$p" \\( ${tests.join(' -o ')} \\) -print -quit 2>/dev/null)"; fi`);
  }
  return lines.join('\n');
}

export function parseRead(stdout: string): FileNow {
  return { stat: parseStat(stdout), drift: /^drift=./m.test(stdout) };
}

export interface FilePlan {
  /** Commands to run (empty: nothing to do). */
  commands: string[];
  before: string;
  after: string;
}

function stateOf(s: FileStat): Record<string, unknown> {
  if (!s.exists) return { state: 'absent' };
  return { state: s.type, target: s.link, owner: s.owner, group: s.group, mode: s.type === 'link' ? undefined : s.mode };
}

/** The commands taking the path from `now` to what `a` asks for. Throws when it cannot. */
export function planFile(a: FileArgs, now: FileNow): FilePlan {
  const state = a.state ?? 'file';
  const s = now.stat;
  const p = '"$p"';
  const commands: string[] = [];
  const want: Record<string, unknown> = { state: state === 'touch' ? 'file' : state };
  if (state === 'absent') {
    if (s.exists) commands.push(`rm -rf -- ${p}`);
  } else {
    if (state === 'link') {
      if (a.src === undefined) throw new Error('state link needs src');
      want.target = a.src;
      if (s.exists && s.type !== 'link') {
        if (s.type === 'directory') throw new Error(`${a.path} is a directory, not replacing it with a link`);
        if (!a.force) throw new Error(`${a.path} exists and is not a link (set force to replace it)`);
      }
      if (!s.exists || s.type !== 'link' || s.link !== a.src) commands.push(`ln -sfn -- ${q(a.src)} ${p}`);
    } else if (state === 'directory') {
      if (s.exists && s.type !== 'directory') throw new Error(`${a.path} exists and is not a directory`);
      if (!s.exists) commands.push(`mkdir -p -- ${p}`);
    } else {
      if (s.exists && s.type !== 'file') throw new Error(`${a.path} is a ${s.type}, not a file`);
      if (!s.exists && state === 'file') throw new Error(`${a.path} does not exist (state touch creates it)`);
      if (!s.exists) commands.push(`touch -- ${p}`);
    }
    const flags = state === 'link' ? '-h' : a.recurse && state === 'directory' ? '-R' : '';
    const attrs = attrCommands(a, p, flags);
    const differs = !s.exists || commands.length > 0 || attrChanges(s, state === 'link' ? { ...a, mode: undefined } : a).after.length > 0 || now.drift;
    if (differs) commands.push(...attrs);
    Object.assign(want, { owner: a.owner ?? s.owner, group: a.group ?? s.group, mode: state === 'link' ? undefined : a.mode !== undefined ? normMode(a.mode) : s.mode });
    if (now.drift) want.recurse = 'attributes applied below';
  }
  return { commands, before: describeState(stateOf(s)), after: describeState(want) };
}

export const fileModule = defineModule<FileArgs>('file', async (args, ctx) => {
  const r = await run(ctx, readCommand(args));
  if (r.rc !== 0) fail(`cannot read ${args.path}`, r);
  const plan = planFile(args, parseRead(r.stdout));
  if (!plan.commands.length) return { status: 'ok' };
  const result: ModuleResult = { status: 'changed', msg: `${args.path}: ${plan.commands.map((c) => c.split(' ')[0]).join(', ')}` };
  if (ctx.diff) result.diff = [{ target: args.path, before: plan.before, after: plan.after }];
  if (ctx.check) return result;
  const w = await run(ctx, ['set -e', `p=${q(args.path)}`, ...plan.commands].join('\n'));
  if (w.rc !== 0) fail(`cannot update ${args.path}`, w);
  return result;
});

/** A directory, link, empty file or absent path, with owner/group/mode (Ansible's file). */
export function file(args: FileArgs): Action<FileArgs> {
  return { module: fileModule, args };
}
