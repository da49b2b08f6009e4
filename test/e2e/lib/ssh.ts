/**
 * Commands on sandbox hosts for the end-to-end tests: `ssh -F SSH_CONFIG -o BatchMode=yes -- NAME CMD`
 * with the given ssh_config (of the instance a test works on), stdout and stderr trimmed.
 */
import { spawn } from 'node:child_process';
import { expect } from 'vitest';

export interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SshOptions {
  /** ok(): the assertion message has the command's stdout too (`NAME: CMD\nSTDOUT\nSTDERR`), not only its stderr. */
  stdoutInMessage?: boolean;
  /** psql(): adds `-v ON_ERROR_STOP=1` (the first failing statement fails the command). */
  onErrorStop?: boolean;
}

/** sh, ok and psql on the hosts an ssh_config names (host names or addresses). */
export function sshTo(sshConfig: string, opts: SshOptions = {}) {
  /** `ssh -F SSH_CONFIG -o BatchMode=yes -- NAME CMD`, INPUT on stdin (then EOF). */
  function sh(name: string, cmd: string, input = ''): Promise<Out> {
    return new Promise((resolve) => {
      const c = spawn('ssh', ['-F', sshConfig, '-o', 'BatchMode=yes', '--', name, cmd]);
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (code) => resolve({ code: code ?? 255, stdout: stdout.trim(), stderr: stderr.trim() }));
      c.stdin.end(input);
    });
  }

  /** sh() that must exit 0; its stdout. */
  async function ok(name: string, cmd: string, input = ''): Promise<string> {
    const r = await sh(name, cmd, input);
    expect(r.code, opts.stdoutInMessage ? `${name}: ${cmd}\n${r.stdout}\n${r.stderr}` : `${name}: ${cmd}\n${r.stderr}`).toBe(0);
    return r.stdout;
  }

  /** psql as postgres on a host (local socket), the SQL on stdin; rows as `a|b` lines. */
  const psql = (name: string, sql: string, db = 'postgres') =>
    ok(name, `cd /tmp && runuser -u postgres -- psql -X -qAt${opts.onErrorStop ? ' -v ON_ERROR_STOP=1' : ''} -d ${db} -f -`, sql);

  return { sh, ok, psql };
}
