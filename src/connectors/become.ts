/**
 * How a command is wrapped before it reaches /bin/sh on a host: environment, timeout, and become
 * (runuser when the connection's user is root, sudo otherwise). Shared by every connector.
 */
import type { ExecOptions } from '../api/types.js';
import { checkName, q } from '../operations/shell-quote.js';

export interface BecomeSpec {
  /** The user the connection runs as (SSH user, or the local user). */
  connUser: string;
  /** `ansible_become`: without a becomeUser, a non-root connection runs commands as root via sudo. */
  become: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The text to run with `/bin/sh -c` for `command` with `opts`. */
export function wrapCommand(command: string, opts: ExecOptions, spec: BecomeSpec): string {
  let cmd = command;
  if (opts.env && Object.keys(opts.env).length) {
    const assigns = Object.entries(opts.env).map(([k, v]) => {
      if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name: ${JSON.stringify(k)}`);
      return `${k}=${q(v)}`;
    });
    cmd = `export ${assigns.join(' ')}\n${cmd}`;
  }
  if (opts.timeoutMs !== undefined) {
    // coreutils timeout exits with 124 when the limit is hit; KILL 5 s later if TERM is ignored.
    cmd = `timeout -k 5 ${Math.max(opts.timeoutMs, 1) / 1000} /bin/sh -c ${q(cmd)}`;
  }
  const target = opts.becomeUser ?? (spec.become ? 'root' : spec.connUser);
  if (target === spec.connUser) return cmd;
  checkName('user', target);
  // Start in the target user's home with HOME set, as a login would (avoids "could not change directory").
  const inner = `HOME=~${target}; export HOME; cd "$HOME" 2>/dev/null || cd /\n${cmd}`;
  if (spec.connUser === 'root') return `runuser -u ${target} -- /bin/sh -c ${q(inner)}`;
  if (target === 'root') return `sudo -n -H /bin/sh -c ${q(inner)}`;
  return `sudo -n -H -u ${target} -- /bin/sh -c ${q(inner)}`;
}
