/**
 * copy: a file with the given content. Also the machinery every content-managing module shares
 * (template, lineinfile, blockinfile, cron, sysctl): read the destination in one round trip,
 * compare sha256 and owner/group/mode, and when something differs ship the content through stdin
 * into a temp file beside the destination, set its attributes, validate it, and `mv` it in place.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Action, FileDiff, ModuleContext, ModuleResult } from '../api/types.js';
import { parseStat, statCommand, type FileStat } from '../facts/files.js';
import { defineModule, fail, normMode, run } from './common.js';
import { q } from './shell-quote.js';

export interface FileAttrs {
  owner?: string;
  group?: string;
  /** Octal: '0644' or 0o644. */
  mode?: string | number;
}

export interface WriteOptions extends FileAttrs {
  /** Command that must succeed on the new content before it replaces dest; `%s` is the temp file. */
  validate?: string;
  /** Keep the previous file as `dest.YYYYmmddHHMMSS~`. */
  backup?: boolean;
  /** Hide the content in diffs (`(content hidden)`). */
  secret?: boolean;
}

export type CopyArgs = WriteOptions & { dest: string } & (
  | { /** Content from the controller. */ content: string | Buffer; src?: never }
  | { /** Path of a file on the controller. */ src: string; content?: never }
);

/** Reads dest in one round trip: stat and sha256, plus the content when `withContent`. */
export async function readFile(ctx: ModuleContext, dest: string, withContent: boolean): Promise<FileStat> {
  const r = await run(ctx, statCommand(dest, { checksum: true, content: withContent }));
  if (r.rc !== 0) fail(`cannot read ${dest}`, r);
  return parseStat(r.stdout);
}

function shown(content: Buffer | undefined, secret?: boolean): string {
  if (secret) return '(content hidden)';
  if (!content) return '';
  if (content.includes(0)) return `(binary content, ${content.length} bytes)`;
  return content.toString('utf8');
}

/** Owner/group/mode of `before` that differ from `want`, as diff lines. */
export function attrChanges(before: FileStat, want: FileAttrs): { before: string[]; after: string[] } {
  const b: string[] = [];
  const a: string[] = [];
  if (want.owner !== undefined && before.owner !== want.owner && String(before.uid) !== want.owner) {
    b.push(`owner: ${before.owner}`);
    a.push(`owner: ${want.owner}`);
  }
  if (want.group !== undefined && before.group !== want.group && String(before.gid) !== want.group) {
    b.push(`group: ${before.group}`);
    a.push(`group: ${want.group}`);
  }
  if (want.mode !== undefined && before.mode !== normMode(want.mode)) {
    b.push(`mode: ${before.mode}`);
    a.push(`mode: ${normMode(want.mode)}`);
  }
  return { before: b, after: a };
}

/** chown/chgrp/chmod commands setting `want` on `target` (a shell word); `flags` such as -R or -h. */
export function attrCommands(want: FileAttrs, target: string, flags = ''): string[] {
  const cmds: string[] = [];
  const f = flags ? `${flags} ` : '';
  if (want.owner !== undefined) cmds.push(`chown ${f}${q(want.owner + (want.group !== undefined ? `:${want.group}` : ''))} -- ${target}`);
  else if (want.group !== undefined) cmds.push(`chgrp ${f}${q(want.group)} -- ${target}`);
  if (want.mode !== undefined && flags !== '-h') cmds.push(`chmod ${f}${normMode(want.mode)} -- ${target}`);
  return cmds;
}

/** The script writing stdin to dest atomically (see the file comment). */
export function writeScript(dest: string, o: WriteOptions): string {
  const lines = [
    'set -e',
    `d=${q(dest)}`,
    't=$(mktemp "$(dirname -- "$d")/.pgplay.XXXXXX")',
    `trap 'rm -f -- "$t"' EXIT`,
    'cat > "$t"',
  ];
  // Attributes not asked for are kept from the existing file (new files: 0644, the user's owner):
  // its owner and group first, then the ones asked for (owner alone keeps the group, and so on).
  if (o.owner === undefined || o.group === undefined) lines.push('if [ -e "$d" ]; then chown --reference="$d" -- "$t" 2>/dev/null || true; fi');
  if (o.mode === undefined) lines.push('if [ -e "$d" ]; then chmod --reference="$d" -- "$t"; else chmod 0644 -- "$t"; fi');
  lines.push(...attrCommands(o, '"$t"'));
  if (o.validate !== undefined) {
    if (!o.validate.includes('%s')) throw new Error(`validate must contain %s (the file to check): ${o.validate}`);
    lines.push(`( ${o.validate.replaceAll('%s', '"$t"')} ) >&2 || { echo "validation failed: ${o.validate.replace(/["\\$`]/g, '\\$&')}" >&2; exit 3; }`);
  }
  if (o.backup) lines.push('if [ -f "$d" ]; then b="$d.$(date +%Y%m%d%H%M%S)~"; cp -p -- "$d" "$b"; echo "backup=$b"; fi');
  lines.push('mv -f -- "$t" "$d"', 'trap - EXIT');
  return lines.join('\n');
}

/**
 * Makes dest hold `content` with the attributes asked for, given what `readFile` found. The first
 * round trip was that read; this costs one more only when something differs.
 */
export async function ensureFile(ctx: ModuleContext, dest: string, content: Buffer, o: WriteOptions, before: FileStat): Promise<ModuleResult> {
  if (before.exists && before.type === 'directory') fail(`${dest} is a directory`);
  const sha = createHash('sha256').update(content).digest('hex');
  const contentChanged = !before.exists || before.type !== 'file' || before.sha256 !== sha;
  const attrs = before.exists ? attrChanges(before, o) : { before: [], after: [] };
  if (!contentChanged && !attrs.after.length) return { status: 'ok' };

  const diff: FileDiff[] = [];
  if (contentChanged) diff.push({ target: dest, before: before.exists ? shown(before.content, o.secret) : '', after: shown(content, o.secret) });
  if (attrs.after.length) diff.push({ target: `${dest} (attributes)`, before: attrs.before.join('\n') + '\n', after: attrs.after.join('\n') + '\n' });
  const what = !before.exists ? 'created' : contentChanged ? 'content changed' : `${attrs.after.join(', ')}`;
  const result: ModuleResult = { status: 'changed', msg: `${dest}: ${what}`, diff: ctx.diff ? diff : undefined };
  if (ctx.check) return result;

  if (contentChanged) {
    const r = await run(ctx, writeScript(dest, o), { stdin: content });
    if (r.rc !== 0) fail(`cannot write ${dest}`, r);
    const backup = /^backup=(.*)$/m.exec(r.stdout)?.[1];
    if (backup) result.data = { backup_file: backup };
  } else {
    const r = await run(ctx, [`d=${q(dest)}`, ...attrCommands(o, '"$d"')].join('\n'));
    if (r.rc !== 0) fail(`cannot set the attributes of ${dest}`, r);
  }
  return result;
}

export const copyModule = defineModule<CopyArgs>('copy', async (args, ctx) => {
  const content = args.src !== undefined ? await fs.readFile(args.src) : Buffer.from(args.content);
  const before = await readFile(ctx, args.dest, ctx.diff && !args.secret);
  return ensureFile(ctx, args.dest, content, args, before);
}, ['content']);

/** A file with the given content (or the content of a controller file `src`). */
export function copy(args: CopyArgs): Action<CopyArgs> {
  return { module: copyModule, args };
}
