/** blockinfile: a block of lines between marker lines, with Ansible's semantics. */
import type { Action } from '../api/types.js';
import { defineModule, fail } from './common.js';
import { ensureFile, readFile, type WriteOptions } from './copy.js';
import { splitLines } from './lineinfile.js';

export interface BlockInFileArgs extends WriteOptions {
  path: string;
  /** The lines between the markers; an empty block removes the block. */
  block?: string;
  /** Default '# {mark} PGPLAY MANAGED BLOCK'; `{mark}` becomes marker_begin / marker_end. */
  marker?: string;
  marker_begin?: string;
  marker_end?: string;
  state?: 'present' | 'absent';
  /** Where a new block goes: 'EOF' (default) or after the last line matching this regexp. */
  insertafter?: string;
  /** 'BOF' or before the last line matching this regexp. */
  insertbefore?: string;
  create?: boolean;
}

/** The new content of a file holding `content`. */
export function planBlockInFile(content: string, a: Omit<BlockInFileArgs, 'path'>): string {
  const lines = splitLines(content);
  const marker = a.marker ?? '# {mark} PGPLAY MANAGED BLOCK';
  const begin = marker.replace('{mark}', a.marker_begin ?? 'BEGIN');
  const end = marker.replace('{mark}', a.marker_end ?? 'END');
  const block = a.state === 'absent' || !a.block ? [] : [begin, ...a.block.replace(/\n$/, '').split('\n'), end].map((l) => l + '\n');

  let n0 = -1;
  let n1 = -1;
  lines.forEach((l, i) => {
    const bare = l.replace(/\r?\n$/, '');
    if (bare === begin) n0 = i;
    if (bare === end) n1 = i;
  });
  if (n0 === -1 || n1 === -1) {
    const where = a.insertbefore ?? a.insertafter ?? 'EOF';
    if (where === 'EOF') n0 = lines.length;
    else if (where === 'BOF') n0 = 0;
    else {
      const re = new RegExp(where);
      n0 = -1;
      lines.forEach((l, i) => {
        if (re.test(l.replace(/\r?\n$/, ''))) n0 = i;
      });
      if (n0 === -1) n0 = lines.length;
      else if (a.insertbefore === undefined) n0 += 1;
    }
  } else {
    const [from, to] = n0 < n1 ? [n0, n1] : [n1, n0];
    lines.splice(from, to - from + 1);
    n0 = from;
  }
  if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
  lines.splice(n0, 0, ...block);
  return lines.join('');
}

export const blockinfileModule = defineModule<BlockInFileArgs>('blockinfile', async (args, ctx) => {
  const before = await readFile(ctx, args.path, true);
  if (before.exists && before.type !== 'file') fail(`${args.path} is a ${before.type}, not a file`);
  if (!before.exists) {
    if (args.state === 'absent') return { status: 'ok', msg: `${args.path} does not exist` };
    if (!args.create) fail(`${args.path} does not exist (set create to create it)`);
  }
  const content = planBlockInFile(before.content?.toString('utf8') ?? '', args);
  return ensureFile(ctx, args.path, Buffer.from(content), args, before);
});

/** Ensures a marked block of lines in a file (or its absence). */
export function blockinfile(args: BlockInFileArgs): Action<BlockInFileArgs> {
  return { module: blockinfileModule, args };
}
