/** The one shell-quoting helper: every value that reaches a remote command line goes through `q`. */
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

const NAME = /^[a-z_][a-z0-9_.-]*\$?$/i;

/** Validates a user or group name (so it may appear unquoted, e.g. in `~name`). */
export function checkName(kind: string, name: string): string {
  if (!NAME.test(name) || name.length > 64) throw new Error(`invalid ${kind} name: ${JSON.stringify(name)}`);
  return name;
}
