/**
 * SSH transport: ONE persistent ssh2 Client per host; every exec is a new channel on it. Channels
 * are queued so at most `maxChannels` run at once (sshd's MaxSessions defaults to 10).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2, { type AnyAuthMethod, type Client } from 'ssh2';
import type { Connection, ExecOptions, ExecResult, Vars } from '../api/types.js';
import { UnreachableError } from '../api/errors.js';
import { execStdin, wrapCommand } from './become.js';
import { q } from '../operations/shell-quote.js';

export interface SshOptions {
  /** Inventory name of the host. */
  host: string;
  /** Address to connect to (`ansible_host`). */
  address: string;
  port: number;
  user: string;
  /** Absolute path of a private key file (`ansible_ssh_private_key_file`). */
  keyFile?: string;
  password?: string;
  become: boolean;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Channels open at once on the connection. Default 8. */
  maxChannels?: number;
}

const truthy = (v: unknown): boolean => v === true || v === 1 || /^(true|yes|on|1)$/i.test(String(v ?? ''));

/** Reads the Ansible connection variables of a host. Relative key paths are relative to the inventory's directory. */
export function sshOptionsFromVars(host: string, vars: Vars, inventoryDir: string): SshOptions {
  const str = (k: string): string | undefined => (vars[k] === undefined || vars[k] === null ? undefined : String(vars[k]));
  let keyFile = str('ansible_ssh_private_key_file') ?? str('ansible_private_key_file');
  if (keyFile) {
    if (keyFile.startsWith('~/')) keyFile = path.join(os.homedir(), keyFile.slice(2));
    keyFile = path.resolve(inventoryDir, keyFile);
  }
  return {
    host,
    address: str('ansible_host') ?? host,
    port: Number(str('ansible_port') ?? 22),
    user: str('ansible_user') ?? 'root',
    keyFile,
    password: str('ansible_password') ?? str('ansible_ssh_pass'),
    become: truthy(vars.ansible_become),
  };
}

/** Private keys tried when none is configured, like ssh does (encrypted ones are skipped). */
function defaultKeys(): Buffer[] {
  const keys: Buffer[] = [];
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    try {
      const key = fs.readFileSync(path.join(os.homedir(), '.ssh', name));
      if (!(ssh2.utils.parseKey(key) instanceof Error)) keys.push(key);
    } catch {
      // absent or unreadable: not a candidate
    }
  }
  return keys;
}

export class SshConnection implements Connection {
  readonly host: string;
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private trips = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly opts: SshOptions) {
    this.host = opts.host;
  }

  get roundTrips(): number {
    return this.trips;
  }

  private get where(): string {
    return `ssh ${this.opts.user}@${this.opts.address}:${this.opts.port}`;
  }

  private unreachable(msg: string): UnreachableError {
    return new UnreachableError(this.host, `${this.where}: ${msg}`);
  }

  private authMethods(): AnyAuthMethod[] {
    const username = this.opts.user;
    const methods: AnyAuthMethod[] = [];
    if (this.opts.keyFile) {
      let key: Buffer;
      try {
        key = fs.readFileSync(this.opts.keyFile);
      } catch (e) {
        throw this.unreachable(`cannot read private key file ${this.opts.keyFile}: ${(e as Error).message}`);
      }
      methods.push({ type: 'publickey', username, key });
    }
    if (process.env.SSH_AUTH_SOCK) methods.push({ type: 'agent', username, agent: process.env.SSH_AUTH_SOCK });
    if (!this.opts.keyFile) for (const key of defaultKeys()) methods.push({ type: 'publickey', username, key });
    const password = this.opts.password;
    if (password !== undefined) {
      methods.push({ type: 'password', username, password });
      methods.push({ type: 'keyboard-interactive', username, prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)) });
    }
    return methods;
  }

  /** Opens the connection (again, after a drop). Throws UnreachableError saying why it failed. */
  connect(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<void> {
    const timeout = this.opts.connectTimeoutMs ?? 10_000;
    const methods = this.authMethods();
    if (!methods.length) throw this.unreachable('no credentials: set ansible_ssh_private_key_file or ansible_password, or run an ssh-agent');
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let ready = false;
      const fail = (msg: string) => {
        if (ready) this.dropped(client);
        else {
          client.destroy();
          reject(this.unreachable(msg));
        }
      };
      client.on('ready', () => {
        ready = true;
        this.client = client;
        resolve();
      });
      client.on('error', (e: Error & { level?: string; code?: string }) => fail(describe(e, methods, timeout)));
      client.on('close', () => fail('connection closed'));
      try {
        client.connect({
          host: this.opts.address,
          port: this.opts.port,
          username: this.opts.user,
          readyTimeout: timeout,
          keepaliveInterval: 15_000,
          keepaliveCountMax: 3,
          authHandler: methods,
        });
      } catch (e) {
        fail((e as Error).message);
      }
    });
  }

  /** The connection dropped: ssh2 closes its channels (their commands fail as unreachable); later execs reconnect. */
  private dropped(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.destroy();
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    await this.acquire();
    try {
      await this.connect();
      this.trips++;
      const script = `/bin/sh -c ${q(wrapCommand(command, opts, { connUser: this.opts.user, become: this.opts.become }))}`;
      return await this.run(this.client!, script, opts);
    } finally {
      this.release();
    }
  }

  private run(client: Client, script: string, opts: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      client.exec(script, (err, ch) => {
        if (err) return reject(this.unreachable(`cannot open a channel: ${err.message}`));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let rc: number | null = null;
        // The remote `timeout` ends the command; this guard covers a host that stopped answering.
        const guard = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
          errOut.push(Buffer.from(`\npgplay: no answer 10s after the command's ${opts.timeoutMs! / 1000}s timeout\n`));
          rc = 124;
          ch.close();
        }, opts.timeoutMs + 10_000);
        ch.on('data', (d: Buffer) => out.push(d));
        ch.stderr.on('data', (d: Buffer) => errOut.push(d));
        ch.on('exit', (code: number | null, signal?: string) => {
          rc = code ?? 128 + (signal ? (os.constants.signals as Record<string, number>)[`SIG${signal}`] ?? 0 : 0);
        });
        ch.on('close', () => {
          clearTimeout(guard);
          if (rc === null) reject(this.unreachable('connection lost while running a command'));
          else resolve({ rc, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') });
        });
        ch.end(execStdin(opts));
      });
    });
  }

  private acquire(): Promise<void> {
    if (this.active < (this.opts.maxChannels ?? 8)) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    client?.end();
  }
}

function describe(e: Error & { level?: string; code?: string }, methods: AnyAuthMethod[], timeout: number): string {
  if (e.level === 'client-authentication') return `authentication failed (tried ${[...new Set(methods.map((m) => m.type))].join(', ')})`;
  if (e.level === 'client-timeout' || e.code === 'ETIMEDOUT') return `timed out after ${timeout / 1000}s while connecting`;
  switch (e.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': return 'connection reset by peer';
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return 'cannot resolve the host name';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return 'no route to host';
    default: return e.message;
  }
}
