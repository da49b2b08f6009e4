/** lineinfile: one line of a file present (replacing the line `regexp` matches) or absent, with Ansible's semantics. */
import type { Action } from '../api/types.js';
import { defineModule, fail } from './common.js';
import { ensureFile, readFile, type WriteOptions } from './copy.js';

export interface LineInFileArgs extends WriteOptions {
  path: string;
  /** The line (required with state present). */
  line?: string;
  /** The last matching line is replaced (state present) or every matching line removed (absent). */
  regexp?: string;
  state?: 'present' | 'absent';
  /** 'EOF' (default), 'BOF' or a regexp: insert after the last line matching it (EOF when none). */
  insertafter?: string;
  /** 'BOF' or a regexp: insert before the last line matching it (EOF when none). */
  insertbefore?: string;
  /** Create the file when missing (default false: fail). */
  create?: boolean;
  /** With regexp: `line` may use \1 or \g<name>; when regexp matches nothing the file is left alone. */
  backrefs?: boolean;
  /** Use the first match of regexp / insertafter / insertbefore instead of the last. */
  firstmatch?: boolean;
}

/** Lines with their line endings. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const chompLine = (l: string) => l.replace(/\r?\n$/, '');

function expand(line: string, m: RegExpExecArray): string {
  return line.replace(/\\(\d+)|\\g<(\w+)>/g, (_, n: string | undefined, g: string) =>
    (n !== undefined ? m[Number(n)] : /^\d+$/.test(g) ? m[Number(g)] : m.groups?.[g]) ?? '');
}

/** The new content of a file holding `content` (Ansible's lineinfile algorithm). */
export function planLineInFile(content: string, a: Omit<LineInFileArgs, 'path'>): string {
  const lines = splitLines(content);
  if ((a.state ?? 'present') === 'absent') {
    if (a.line === undefined && a.regexp === undefined) throw new Error('state absent needs line or regexp');
    const re = a.regexp === undefined ? undefined : new RegExp(a.regexp);
    return lines.filter((l) => !(re ? re.test(chompLine(l)) : chompLine(l) === a.line)).join('');
  }
  const line = a.line;
  if (line === undefined) throw new Error('state present needs line');
  if (a.backrefs && a.regexp === undefined) throw new Error('backrefs needs regexp');
  const insertafter = a.insertafter ?? (a.insertbefore === undefined ? 'EOF' : undefined);
  const insertbefore = a.insertbefore;
  const insRe = insertafter !== undefined && insertafter !== 'EOF' && insertafter !== 'BOF' ? new RegExp(insertafter)
    : insertbefore !== undefined && insertbefore !== 'BOF' ? new RegExp(insertbefore) : undefined;

  let matchAt = -1;
  let insertAt = -1;
  let match: RegExpExecArray | null = null;
  if (a.regexp !== undefined) {
    const re = new RegExp(a.regexp);
    for (let i = 0; i < lines.length; i++) {
      const m = re.exec(chompLine(lines[i]));
      if (m) {
        matchAt = i;
        match = m;
        if (a.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (let i = 0; i < lines.length; i++) {
      if (chompLine(lines[i]) === line) {
        matchAt = i;
      } else if (insRe?.test(chompLine(lines[i]))) {
        insertAt = insertafter !== undefined ? i + 1 : i;
        if (a.firstmatch) break;
      }
    }
  }
  const ensureEol = () => {
    if (lines.length && !lines[lines.length - 1].endsWith('\n')) lines[lines.length - 1] += '\n';
  };

  if (matchAt !== -1) {
    lines[matchAt] = (a.backrefs && match ? expand(line, match) : line) + '\n';
  } else if (a.backrefs) {
    // Nothing matched: the line cannot be built, leave the file alone.
  } else if (insertbefore === 'BOF' || insertafter === 'BOF') {
    lines.unshift(line + '\n');
  } else if (insertafter === 'EOF' || insertAt === -1) {
    ensureEol();
    lines.push(line + '\n');
  } else if (insertafter !== undefined) {
    if (insertAt === lines.length) {
      if (chompLine(lines[insertAt - 1]) !== line) {
        ensureEol();
        lines.push(line + '\n');
      }
    } else if (chompLine(lines[insertAt]) !== line) lines.splice(insertAt, 0, line + '\n');
  } else {
    lines.splice(insertAt, 0, line + '\n');
  }
  return lines.join('');
}

export const lineinfileModule = defineModule<LineInFileArgs>('lineinfile', async (args, ctx) => {
  const before = await readFile(ctx, args.path, true);
  if (before.exists && before.type !== 'file') fail(`${args.path} is a ${before.type}, not a file`);
  if (!before.exists) {
    if ((args.state ?? 'present') === 'absent') return { status: 'ok', msg: `${args.path} does not exist` };
    if (!args.create) fail(`${args.path} does not exist (set create to create it)`);
  }
  const content = planLineInFile(before.content?.toString('utf8') ?? '', args);
  return ensureFile(ctx, args.path, Buffer.from(content), args, before);
});

/** Ensures a line is present in a file (replacing what `regexp` matches) or absent. */
export function lineinfile(args: LineInFileArgs): Action<LineInFileArgs> {
  return { module: lineinfileModule, args };
}
