/**
 * How a command is wrapped before it reaches /bin/sh on a host: environment (sent on stdin, see
 * `execStdin`), timeout, and become (runuser when the connection's user is root, sudo otherwise).
 * Shared by every connector.
 */
import type { ExecOptions } from '../api/types.js';
import { checkName, q } from '../operations/shell-quote.js';

export interface BecomeSpec {
  /** The user the connection runs as (SSH user, or the local user). */
  connUser: string;
  /** `ansible_become`: without a becomeUser, a non-root connection runs commands as root via sudo. */
  become: boolean;
  /** `ansible_become_user`: whom `become` runs commands as when a task names nobody (default root). */
  becomeUser?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Environment values never reach a command line (where any user sees them in the process list):
 * the exports travel as the first line of the exec's stdin, read by the innermost shell (after
 * sudo/runuser and timeout) with the `read` builtin, which consumes exactly that line, so the
 * command still gets the rest of stdin. Newlines in values are sent as `$__pgplay_nl`.
 */
const ENV_PRELUDE = [
  `IFS= read -r __pgplay_env || { echo 'pgplay: the environment did not arrive on stdin' >&2; exit 125; }`,
  `__pgplay_nl='\n'`,
  'eval "$__pgplay_env"',
  'unset __pgplay_env __pgplay_nl',
].join('\n');

/** The stdin line carrying `env` (`export K='v' ...`), or '' when there is none. */
export function envLine(env: ExecOptions['env']): string {
  if (!env || !Object.keys(env).length) return '';
  const assigns = Object.entries(env).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name: ${JSON.stringify(k)}`);
    if (v.includes('\0')) throw new Error(`environment variable ${k}: a value cannot contain a NUL byte`);
    return `${k}=${q(v).split('\n').join(`'"$__pgplay_nl"'`)}`;
  });
  return `export ${assigns.join(' ')}\n`;
}

/** What a connector writes to the command's stdin for `opts`: the environment line, then `opts.stdin`. */
export function execStdin(opts: ExecOptions): string | Buffer {
  const line = envLine(opts.env);
  if (!line) return opts.stdin ?? '';
  if (Buffer.isBuffer(opts.stdin)) return Buffer.concat([Buffer.from(line, 'utf8'), opts.stdin]);
  return line + (opts.stdin ?? '');
}

/** The text to run with `/bin/sh -c` for `command` with `opts` (the connector writes `execStdin(opts)` to its stdin). */
export function wrapCommand(command: string, opts: ExecOptions, spec: BecomeSpec): string {
  let cmd = command;
  if (envLine(opts.env)) cmd = `${ENV_PRELUDE}\n${cmd}`;
  if (opts.timeoutMs !== undefined) {
    // coreutils timeout exits with 124 when the limit is hit; KILL 5 s later if TERM is ignored.
    cmd = `timeout -k 5 ${Math.max(opts.timeoutMs, 1) / 1000} /bin/sh -c ${q(cmd)}`;
  }
  const target = opts.becomeUser ?? (spec.become ? spec.becomeUser ?? 'root' : spec.connUser);
  if (target === spec.connUser) return cmd;
  checkName('user', target);
  // Start in the target user's home with HOME set, as a login would (avoids "could not change directory").
  const inner = `HOME=~${target}; export HOME; cd "$HOME" 2>/dev/null || cd /\n${cmd}`;
  if (spec.connUser === 'root') return `runuser -u ${target} -- /bin/sh -c ${q(inner)}`;
  if (target === 'root') return `sudo -n -H /bin/sh -c ${q(inner)}`;
  return `sudo -n -H -u ${target} -- /bin/sh -c ${q(inner)}`;
}
