/** Runs commands on the controller itself with /bin/sh (tests, `ansible_connection: local`). */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Connection, ExecOptions, ExecResult } from '../api/types.js';
import { UnreachableError } from '../api/errors.js';
import { execStdin, wrapCommand } from './become.js';

export class LocalConnection implements Connection {
  private trips = 0;
  private readonly user = os.userInfo().username;

  constructor(readonly host = 'localhost', private readonly become = false, private readonly becomeUser?: string) {}

  get roundTrips(): number {
    return this.trips;
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.trips++;
    const script = wrapCommand(command, opts, { connUser: this.user, become: this.become, becomeUser: this.becomeUser });
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => {}); // the command may exit without reading its stdin
      child.on('error', (e) => reject(new UnreachableError(this.host, `cannot run /bin/sh: ${e.message}`)));
      child.on('close', (code, signal) => {
        const rc = code ?? 128 + (signal ? os.constants.signals[signal] : 0);
        resolve({ rc, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.end(execStdin(opts));
    });
  }
}
