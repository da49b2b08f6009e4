/**
 * The one shell-quoting path: every value that reaches a remote command line goes through `q`,
 * usually by way of the `sh` tagged template, which quotes every interpolation:
 *
 *   sh`rm -rf ${dir}/member`                  → rm -rf '/my dir'/member
 *   sh`pg_ctl -D ${data} ${['stop', '-m', 'fast']}`  (a list becomes quoted words)
 *   sh`${raw(psqlCmd)} -c ${query}`           (raw: a fragment that is already a command)
 */
const SAFE = /^[A-Za-z0-9_\/.,:=+@%^-]+$/;

/** Quotes `value` for POSIX sh (single quotes; safe words are left as they are). */
export function q(value: string | number): string {
  const s = String(value);
  if (SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each word and joins them with spaces (an argv for sh). */
export function qargs(words: readonly (string | number)[]): string {
  return words.map(q).join(' ');
}

/** A piece of shell that is already a command (built by `sh`, or a constant): `sh` inserts it as it is. */
export class RawShell {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Marks a trusted fragment (a command built with `sh`, or a constant) to be inserted unquoted by `sh`. */
export function raw(text: string | RawShell): RawShell {
  return text instanceof RawShell ? text : new RawShell(text);
}

export type ShellValue = string | number | RawShell | readonly (string | number)[];

/**
 * A command line: the literal text as written, each interpolated value quoted with `q` (a list
 * becomes quoted words, `raw(x)` goes in unquoted). An interpolation inside quotes of the literal
 * text (`"${x}"`) would not be quoted as meant, so it is refused when the command is built.
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): string {
  let out = strings[0];
  const ctx: Context[] = ['code'];
  scan(ctx, strings[0]);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const at = ctx[ctx.length - 1];
    if ((at === "'" || at === '"') && !(v instanceof RawShell)) {
      throw new Error(`sh\`\`: value ${i + 1} is interpolated inside ${at} quotes (after ${JSON.stringify(strings[i].slice(-30))}); write it outside the quotes, sh quotes it`);
    }
    out += v instanceof RawShell ? v.text : typeof v === 'string' || typeof v === 'number' ? q(v) : qargs(v);
    out += strings[i + 1];
    scan(ctx, strings[i + 1]);
  }
  return out;
}

/** Where the scan of a command line is: plain code, inside quotes, or inside `$( )` (plain code again). */
type Context = 'code' | 'subst' | "'" | '"';

/** Follows the quoting of literal command text (POSIX sh: nothing is special inside single quotes). */
function scan(ctx: Context[], text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const at = ctx[ctx.length - 1];
    if (at === "'") {
      if (c === "'") ctx.pop();
    } else if (c === '\\') {
      i++;
    } else if (c === '$' && text[i + 1] === '(') {
      ctx.push('subst');
      i++;
    } else if (at === '"') {
      if (c === '"') ctx.pop();
    } else if (c === "'" || c === '"') {
      ctx.push(c);
    } else if (c === ')' && at === 'subst') {
      ctx.pop();
    }
  }
}

const NAME = /^[a-z_][a-z0-9_.-]*\$?$/i;

/** Validates a user or group name (so it may appear unquoted, e.g. in `~name`). */
export function checkName(kind: string, name: string): string {
  if (!NAME.test(name) || name.length > 64) throw new Error(`invalid ${kind} name: ${JSON.stringify(name)}`);
  return name;
}
