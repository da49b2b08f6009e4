/**
 * psql as the database superuser, returning rows. SQL and variables travel on stdin (never on the
 * command line); output is unaligned with \x1f between fields, \x1e between records, \x1d for NULL,
 * and the "(N rows)" footer that ends each result set.
 */
import { q } from '../operations/shell-quote.js';

export interface PsqlTarget {
  db?: string;
  port?: number;
  /** Host or socket directory; default: the local unix socket. */
  host?: string;
  /** Connect as this role (default: the OS user psql runs as). */
  user?: string;
}

export interface ResultSet {
  columns: string[];
  rows: Record<string, string | null>[];
}

const FS = '\x1f';
const RS = '\x1e';
const NULL = '\x1d';

/**
 * The command line. With `password`, the script's first stdin line is the password (read into
 * PGPASSWORD by sh), the rest goes to psql.
 */
export function psqlCommand(t: PsqlTarget, password = false): string {
  const args = ['-X', '-A', '-q', '-v', 'ON_ERROR_STOP=1', '-P', 'footer=on', '-P', 'pager=off'];
  if (t.host) args.push('-h', q(t.host));
  if (t.port) args.push('-p', q(t.port));
  if (t.user) args.push('-U', q(t.user));
  args.push('-d', q(t.db ?? 'postgres'));
  // The separators are the control characters themselves (no command substitution: no extra process).
  const seps = `-F ${q('\x1f')} -R ${q('\x1e')} -P ${q('null=\x1d')}`;
  const env = 'unset LC_ALL; export LC_MESSAGES=C LANGUAGE= PGCLIENTENCODING=UTF8';
  const psql = `psql ${args.join(' ')} ${seps} -f -`;
  return password ? `${env}; IFS= read -r PGPASSWORD && export PGPASSWORD && exec ${psql}` : `${env}; exec ${psql}`;
}

/** A psql variable value for `\set` (quoted as psql reads backslash command arguments). */
function psqlLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** stdin for `psqlCommand`: the password line, `\set` lines for the variables, then the SQL. */
export function psqlInput(sql: string, params: Record<string, string> = {}, password?: string): string {
  const lines: string[] = [];
  if (password !== undefined) {
    if (/[\r\n]/.test(password)) throw new Error('a password cannot contain a line break');
    lines.push(password);
  }
  for (const [k, v] of Object.entries(params)) {
    if (!VAR_NAME.test(k)) throw new Error(`invalid psql variable name: ${JSON.stringify(k)}`);
    lines.push(`\\set ${k} ${psqlLiteral(String(v))}`);
  }
  lines.push(sql);
  return lines.join('\n') + '\n';
}

/** Every result set printed by `psqlCommand`, in order. */
export function parsePsql(stdout: string): ResultSet[] {
  const sets: ResultSet[] = [];
  let pos = 0;
  while (pos < stdout.length) {
    const end = stdout.indexOf(RS, pos);
    if (end < 0) break;
    const columns = stdout.slice(pos, end).split(FS);
    pos = end + 1;
    const rows: Record<string, string | null>[] = [];
    for (;;) {
      const footer = `(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
      if (stdout.startsWith(footer, pos)) {
        pos += footer.length;
        break;
      }
      let next = stdout.indexOf(RS, pos);
      if (next < 0) next = stdout.length;
      const fields = stdout.slice(pos, next).split(FS);
      rows.push(Object.fromEntries(columns.map((c, i) => [c, fields[i] === NULL || fields[i] === undefined ? null : fields[i]])));
      pos = next + 1;
      if (next === stdout.length) break;
    }
    sets.push({ columns, rows });
  }
  return sets;
}
