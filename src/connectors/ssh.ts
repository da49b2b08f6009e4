/**
 * SSH transport: ONE persistent ssh2 Client per host; every exec is a new channel on it. Channels
 * are queued so at most `maxChannels` run at once (sshd's MaxSessions defaults to 10).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type Client } from 'ssh2';
import type { Connection, ExecOptions, ExecResult, Vars } from '../api/types.js';
import { UnreachableError } from '../api/errors.js';
import { checkHostKey } from './host-key-check.js';
import { hostKeyAlgorithms, loadKnownHosts, lookupHost } from './known-hosts.js';
import { defaultHostKeyPolicy, resolveSshSettings, type HostKeyPolicy, type JumpHost } from './ssh-settings.js';
import { execStdin, wrapCommand } from './become.js';
import { AGENT_SOURCE } from './agent-source.js';
import { AgentSession, SessionLostError, type AgentChannel, type AgentRequest } from './remote-shell.js';
import { checkName, q } from '../operations/shell-quote.js';

export interface SshOptions {
  /** Inventory name of the host. */
  host: string;
  /** Address to connect to (`ansible_host`, mapped by an ssh config's HostName). */
  address: string;
  port: number;
  user: string;
  /** Absolute path of a private key file (`ansible_ssh_private_key_file`): must be readable. */
  keyFile?: string;
  /** Further identity files (ssh arguments, ssh config): tried when they can be read. */
  identityFiles?: string[];
  password?: string;
  become: boolean;
  /** The user `become` runs commands as (default root). */
  becomeUser?: string;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Commands running at once on the host (pipelined on the one session). Default 8. */
  maxChannels?: number;
  /** Host key checking; what is not given is OpenSSH's default (~/.ssh/known_hosts, unknown hosts refused). */
  hostKeys?: Partial<HostKeyPolicy>;
  /** ProxyJump hosts, first hop first. */
  jumps?: JumpHost[];
  /** A settings error found while resolving the options: connect() fails with it. */
  settingsError?: string;
}

/**
 * Reads the Ansible connection variables of a host, its ssh arguments and the ssh config (see
 * ssh-settings.ts). Relative paths are relative to the inventory's directory.
 */
export function sshOptionsFromVars(host: string, vars: Vars, inventoryDir: string): SshOptions {
  const s = resolveSshSettings(host, vars, { inventoryDir });
  return {
    host: s.host,
    address: s.address,
    port: s.port,
    user: s.user,
    keyFile: s.keyFile,
    identityFiles: s.identityFiles,
    password: s.password,
    become: s.become,
    becomeUser: s.becomeUser,
    connectTimeoutMs: s.connectTimeoutMs,
    hostKeys: s.hostKeys,
    jumps: s.jumps,
    settingsError: s.error,
  };
}

/** One SSH server to log in to: the target, or a jump host on the way. */
interface Endpoint {
  /** `ssh user@address:port`, or `jump host NAME (ssh ...)`, for messages. */
  label: string;
  address: string;
  port: number;
  user: string;
  keyFile?: string;
  identityFiles: string[];
  password?: string;
  hostKeys: HostKeyPolicy;
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
  private auths = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private shell: AgentSession | null = null;
  private starting: Promise<AgentSession | null> | null = null;
  private agentless = false;
  private agentlessReason = '';

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

  /** Offered authentications so far (on this connection's target, every attempt): none before its key is accepted. */
  get authAttempts(): number {
    return this.auths;
  }

  private authMethods(ep: Endpoint): AnyAuthMethod[] {
    const username = ep.user;
    const methods: AnyAuthMethod[] = [];
    if (ep.keyFile) {
      let key: Buffer;
      try {
        key = fs.readFileSync(ep.keyFile);
      } catch (e) {
        throw this.unreachable(`cannot read private key file ${ep.keyFile}: ${(e as Error).message}`);
      }
      methods.push({ type: 'publickey', username, key });
    }
    if (process.env.SSH_AUTH_SOCK) methods.push({ type: 'agent', username, agent: process.env.SSH_AUTH_SOCK });
    // identity files from ssh arguments or the ssh config: skipped when absent or encrypted, as ssh does
    for (const f of ep.identityFiles) {
      const key = readKey(f);
      if (key) methods.push({ type: 'publickey', username, key });
    }
    if (!ep.keyFile && !ep.identityFiles.length) for (const key of defaultKeys()) methods.push({ type: 'publickey', username, key });
    const password = ep.password;
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

  /**
   * Logs in to the jump hosts (if any) one through the other, then to the host through the last,
   * each host key checked before anything is sent; the jump connections end with the host's.
   */
  private async open(): Promise<void> {
    if (this.opts.settingsError) throw this.unreachable(this.opts.settingsError);
    const timeout = this.opts.connectTimeoutMs ?? 10_000;
    const hostKeys = { ...defaultHostKeyPolicy(), ...this.opts.hostKeys };
    const target: Endpoint = { ...this.opts, label: this.where, identityFiles: this.opts.identityFiles ?? [], hostKeys };
    const methods = this.authMethods(target);
    if (!methods.length) throw this.unreachable('no credentials: set ansible_ssh_private_key_file or ansible_password, or run an ssh-agent');
    const hops: Endpoint[] = (this.opts.jumps ?? []).map((j) => ({ ...j, label: `jump host ${j.name} (ssh ${j.user}@${j.address}:${j.port})` }));
    const jumps: Client[] = [];
    const endJumps = () => jumps.splice(0).reverse().forEach((j) => j.end());
    let client: Client | null = null;
    let sock: Duplex | undefined;
    try {
      for (const [i, hop] of hops.entries()) {
        const hopMethods = this.authMethods(hop);
        const jump = await handshake(hop, sock, hopMethods, timeout, () => {}, () => client && this.dropped(client)).catch((e: Error) => {
          throw this.unreachable(`via ${hop.label}: ${e.message}`);
        });
        jumps.push(jump);
        const next = hops[i + 1] ?? target;
        sock = await forward(jump, next.address, next.port, timeout).catch((e: Error) => {
          throw this.unreachable(`via ${hop.label}: cannot reach ${next.address}:${next.port} from there: ${e.message}`);
        });
      }
      client = await handshake(target, sock, methods, timeout, () => this.auths++, () => client && this.dropped(client)).catch((e: Error) => {
        throw this.unreachable(`${hops.length ? `via ${(this.opts.jumps ?? []).map((j) => j.name).join(', ')}: ` : ''}${e.message}`);
      });
    } catch (e) {
      endJumps();
      throw e;
    }
    client.on('close', endJumps);
    this.client = client;
  }

  /** The connection dropped: ssh2 closes its channels (their commands fail as unreachable); later execs reconnect. */
  private dropped(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.shell?.drop('connection lost');
    this.shell = null;
    client.destroy();
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    await this.acquire();
    try {
      await this.connect();
      const client = this.client!;
      this.trips++;
      const session = await this.session(client);
      if (!session) return await this.execChannel(client, `/bin/sh -c ${q(wrapCommand(command, opts, { connUser: this.opts.user, become: this.opts.become, becomeUser: this.opts.becomeUser }))}`, opts);
      try {
        return await session.run(agentRequest(command, opts, session, this.opts.become, this.opts.becomeUser));
      } catch (e) {
        if (!(e instanceof SessionLostError)) throw e;
        // The same loss may be the whole connection dropping: ssh2 closes the channels before the client.
        await new Promise((r) => setImmediate(r));
        if (this.client !== client) throw this.unreachable('connection lost while running a command');
        throw e;
      }
    } finally {
      this.release();
    }
  }

  /** The host's persistent session, started on first use and again after it ended; null when the host has no perl. */
  private session(client: Client): Promise<AgentSession | null> {
    if (this.agentless) return Promise.resolve(null);
    if (this.shell?.alive) return Promise.resolve(this.shell);
    this.starting ??= this.startSession(client).finally(() => (this.starting = null));
    return this.starting;
  }

  private async startSession(client: Client): Promise<AgentSession | null> {
    const agent = `exec perl -e ${q(AGENT_SOURCE)}`;
    // With become and a non-root login, the agent itself runs as root (one sudo for the whole run);
    // where sudo wants a password, it runs as the login user and commands are wrapped in sudo.
    const tries = this.opts.become && this.opts.user !== 'root' ? [`exec sudo -n -H ${agent.slice(5)}`, agent] : [agent];
    let why = '';
    for (const cmd of tries) {
      try {
        const session = await AgentSession.start(await this.openChannel(client, cmd));
        session.onEnd = () => {
          if (this.shell === session) this.shell = null;
        };
        this.shell = session;
        return session;
      } catch (e) {
        if (e instanceof UnreachableError || this.client !== client) throw e instanceof UnreachableError ? e : this.unreachable('connection lost while starting the session');
        why = (e as Error).message;
      }
    }
    // A host without perl: each command gets an exec channel of its own (slower, same results).
    this.agentless = true;
    this.agentlessReason = why;
    return null;
  }

  private openChannel(client: Client, command: string): Promise<AgentChannel> {
    return new Promise((resolve, reject) => {
      client.exec(command, (err, ch) => {
        if (err) return reject(this.unreachable(`cannot open a channel: ${err.message}`));
        resolve({
          write: (d) => ch.write(d),
          end: () => ch.end(),
          destroy: () => ch.destroy(),
          onStdout: (cb) => ch.on('data', cb),
          onStderr: (cb) => ch.stderr.on('data', cb),
          onClose: (cb) => ch.on('close', cb),
        });
      });
    });
  }

  /** Why the host runs each command on a channel of its own ('' when it has a session). */
  get fallbackReason(): string {
    return this.agentless ? this.agentlessReason : '';
  }

  /** One command on an exec channel of its own: only for hosts where the agent cannot run (no perl). */
  private execChannel(client: Client, script: string, opts: ExecOptions): Promise<ExecResult> {
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
    // Closing the session's stdin makes the agent end every command still running (their process groups).
    const shell = this.shell;
    this.shell = null;
    if (shell?.alive && client) {
      shell.close();
      await new Promise<void>((r) => {
        const t = setTimeout(r, 2_000);
        shell.onEnd = () => (clearTimeout(t), r());
      });
    }
    client?.end();
  }
}

/** The agent request for `command`: the user switch is the agent's own when it runs as root. */
export function agentRequest(command: string, opts: ExecOptions, session: Pick<AgentSession, 'uid' | 'user'>, become: boolean, becomeUser?: string): AgentRequest {
  const target = opts.becomeUser ?? (become ? becomeUser ?? 'root' : session.user);
  const base = { timeoutMs: opts.timeoutMs };
  if (target === session.user) return { ...base, script: command, stdin: opts.stdin, env: opts.env };
  checkName('user', target);
  if (session.uid === 0) return { ...base, script: command, stdin: opts.stdin, env: opts.env, user: target };
  // A non-root agent reaches other users through sudo, which resets the environment: env travels on stdin.
  return { ...base, script: wrapCommand(command, { ...opts, timeoutMs: undefined }, { connUser: session.user, become, becomeUser }), stdin: execStdin(opts) };
}

/** A private key file as ssh2 can use it, or undefined (absent, unreadable, encrypted). */
function readKey(file: string): Buffer | undefined {
  try {
    const key = fs.readFileSync(file);
    return ssh2.utils.parseKey(key) instanceof Error ? undefined : key;
  } catch {
    return undefined;
  }
}

/**
 * One SSH handshake and login to `ep` (over `sock`, a channel of a jump host, when given). The
 * server's key is checked in the key exchange, before authentication: a refused key ends the
 * handshake and the promise rejects with why. `onAuth` counts the authentications offered;
 * `onLost` is called when the connection ends after the login.
 */
function handshake(ep: Endpoint, sock: Duplex | undefined, methods: AnyAuthMethod[], timeout: number, onAuth: () => void, onLost: () => void): Promise<Client> {
  const entries = loadKnownHosts([...ep.hostKeys.userKnownHosts, ...ep.hostKeys.globalKnownHosts]);
  const knownTypes = lookupHost(entries, ep.address, ep.port).known.map((e) => e.keyType);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let ready = false;
    let refusal: string | undefined;
    let accepted: Buffer | undefined;
    const fail = (msg: string) => {
      if (ready) onLost();
      else {
        client.destroy();
        reject(new Error(refusal ?? msg));
      }
    };
    let next = 0;
    const authHandler: AuthHandlerMiddleware = () => {
      if (next === methods.length) return false;
      onAuth();
      return methods[next++];
    };
    client.on('ready', () => {
      ready = true;
      resolve(client);
    });
    client.on('error', (e: Error & { level?: string; code?: string }) => fail(describe(e, methods, timeout)));
    client.on('close', () => fail('connection closed'));
    try {
      client.connect({
        host: ep.address,
        port: ep.port,
        sock,
        username: ep.user,
        readyTimeout: timeout,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 3,
        authHandler,
        algorithms: { serverHostKey: hostKeyAlgorithms(knownTypes) as ssh2.ServerHostKeyAlgorithm[] },
        hostVerifier: (key: Buffer) => {
          // a re-key must present the key accepted at the start (checked, or recorded, once)
          if (accepted) return accepted.equals(key);
          const d = checkHostKey(entries, ep.address, ep.port, key, ep.hostKeys);
          if (!d.accept) refusal = d.message;
          else accepted = Buffer.from(key);
          return d.accept;
        },
      });
    } catch (e) {
      fail((e as Error).message);
    }
  });
}

/** A channel from `jump` to `address`:`port` (ProxyJump's `ssh -W`), within the connect time-out. */
function forward(jump: Client, address: string, port: number, timeout: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let late = false;
    const t = setTimeout(() => {
      late = true;
      reject(new Error(`timed out after ${timeout / 1000}s`));
    }, timeout);
    jump.forwardOut('127.0.0.1', 0, address, port, (err, stream) => {
      clearTimeout(t);
      if (late) stream?.destroy();
      else if (err) reject(err);
      else resolve(stream);
    });
  });
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
