/**
 * The persistent session of a host: one agent (agent-source.ts) started once over one channel,
 * fed framed requests (script, stdin, environment, user, time-out) and answering with framed
 * stdout, stderr and exit status. Any bytes come back intact; requests may be pipelined.
 *
 * The channel is anything that carries the agent's stdin, stdout and stderr: an ssh2 exec channel
 * (ssh.ts), or a local child process (tests).
 */
import type { ExecResult } from '../api/types.js';

/** What the session needs of the agent's transport. */
export interface AgentChannel {
  write(data: Buffer): void;
  /** Closes the agent's stdin: the agent ends every running request and exits. */
  end(): void;
  /** Drops the channel at once. */
  destroy(): void;
  onStdout(cb: (d: Buffer) => void): void;
  onStderr(cb: (d: Buffer) => void): void;
  onClose(cb: () => void): void;
}

export interface AgentRequest {
  script: string;
  stdin?: string | Buffer;
  /** Run as this user (the agent must run as root); '' or undefined: the agent's own user. */
  user?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** The session ended (the agent exited, was killed, or the channel dropped) before the request's answer. */
export class SessionLostError extends Error {
  constructor(readonly detail: string) {
    super(`the host's session ended while the command ran: ${detail}`);
  }
}

const READY = 'PGPLAY-AGENT 1 ';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** How long past a request's own time-out the agent may take to answer before the session counts as wedged. */
const GRACE_MS = 10_000;

interface Pending {
  out: Buffer[];
  err: Buffer[];
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
  guard?: NodeJS.Timeout;
}

export class AgentSession {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buf: Buffer = Buffer.alloc(0);
  private closed = false;
  private stderrTail = '';
  private lostReason = '';
  /** Called once when the session ends, for whatever reason. */
  onEnd: (() => void) | undefined;

  private constructor(private readonly ch: AgentChannel, readonly uid: number, readonly user: string) {}

  /** Waits for the agent's ready line. Rejects with what the host printed when the agent does not start. */
  static start(ch: AgentChannel, startTimeoutMs = 20_000): Promise<AgentSession> {
    return new Promise((resolve, reject) => {
      let head = Buffer.alloc(0);
      let stderr = '';
      let done = false;
      let session: AgentSession | undefined;
      const timer = setTimeout(() => fail(`no answer from the agent within ${startTimeoutMs / 1000}s`), startTimeoutMs);
      const fail = (why: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        ch.destroy();
        reject(new Error(why + (stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '')));
      };
      ch.onStderr((d) => {
        if (session) session.noteStderr(d);
        else stderr = (stderr + d.toString('utf8')).slice(-2000);
      });
      ch.onStdout((d) => {
        if (session) return session.receive(d);
        head = Buffer.concat([head, d]);
        // A login shell's start-up files may print before the agent runs: skip to the ready line.
        const at = head.indexOf(READY);
        const nl = at < 0 ? -1 : head.indexOf(0x0a, at);
        if (nl < 0) {
          if (head.length > 1 << 20) fail('the host printed 1 MiB without starting the agent');
          return;
        }
        const [uid, user] = head.subarray(at + READY.length, nl).toString('utf8').split(' ');
        done = true;
        clearTimeout(timer);
        session = new AgentSession(ch, Number(uid), user ?? '');
        resolve(session);
        const rest = head.subarray(nl + 1);
        if (rest.length) session.receive(rest);
      });
      ch.onClose(() => {
        if (session) session.lost(session.lostReason || 'the agent exited' + (session.stderrTail ? `: ${session.stderrTail}` : ''));
        else fail('the agent exited before it was ready (is perl installed on the host?)');
      });
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  run(req: AgentRequest): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new SessionLostError(this.lostReason || 'closed'));
    const id = this.nextId++;
    const parts: string[] = [req.user ?? '', req.timeoutMs === undefined ? '' : String(Math.max(0, Math.round(req.timeoutMs)))];
    for (const [k, v] of Object.entries(req.env ?? {})) {
      if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name: ${JSON.stringify(k)}`);
      if (v.includes('\0')) throw new Error(`environment variable ${k}: a value cannot contain a NUL byte`);
      parts.push(k, v);
    }
    const meta = Buffer.from(parts.join('\0'), 'utf8');
    const script = Buffer.from(req.script, 'utf8');
    const stdin = Buffer.isBuffer(req.stdin) ? req.stdin : Buffer.from(req.stdin ?? '', 'utf8');
    return new Promise((resolve, reject) => {
      const p: Pending = { out: [], err: [], resolve, reject };
      if (req.timeoutMs !== undefined) {
        p.guard = setTimeout(() => {
          // The agent ends a request at its time-out; no answer long after means the session is wedged.
          this.pending.delete(id);
          p.err.push(Buffer.from(`\npgplay: no answer ${GRACE_MS / 1000}s after the command's ${req.timeoutMs! / 1000}s timeout; the session is re-opened\n`));
          resolve(result(124, p));
          this.drop('a command did not end at its time-out');
        }, req.timeoutMs + GRACE_MS);
      }
      this.pending.set(id, p);
      this.ch.write(Buffer.concat([Buffer.from(`R ${id} ${meta.length} ${script.length} ${stdin.length}\n`), meta, script, stdin]));
    });
  }

  /** Ends the session: the agent ends what still runs (TERM to each request's process group) and exits. */
  close(): void {
    if (this.closed) return;
    this.lostReason = 'the session was closed';
    this.ch.end();
    // A host that stopped answering never closes the channel: don't wait for it.
    setTimeout(() => this.drop('the session was closed'), 2_000).unref();
  }

  /** Drops the channel at once; requests still waiting fail with SessionLostError. */
  drop(why: string): void {
    if (this.closed) return;
    this.lostReason = why;
    this.ch.destroy();
    this.lost(why);
  }

  private lost(why: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, p] of this.pending) {
      clearTimeout(p.guard);
      p.reject(new SessionLostError(why));
    }
    this.pending.clear();
    this.onEnd?.();
  }

  private noteStderr(d: Buffer): void {
    this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-500).trim();
  }

  /** Parses agent frames: `O|E id n\n<n bytes>` and `X id rc\n`. */
  private receive(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) {
        if (this.buf.length > 64) this.drop(`unreadable answer from the agent: ${JSON.stringify(this.buf.subarray(0, 64).toString('latin1'))}`);
        return;
      }
      const head = this.buf.subarray(0, nl).toString('latin1');
      const m = /^([OEX]) (\d+) (-?\d+)$/.exec(head);
      if (!m) return this.drop(`unreadable answer from the agent: ${JSON.stringify(head.slice(0, 64))}`);
      const [, kind, idText, numText] = m;
      const id = Number(idText);
      const n = Number(numText);
      if (kind === 'X') {
        this.buf = this.buf.subarray(nl + 1);
        const p = this.pending.get(id);
        if (p) {
          this.pending.delete(id);
          clearTimeout(p.guard);
          p.resolve(result(n, p));
        }
        continue;
      }
      if (this.buf.length < nl + 1 + n) return;
      const data = this.buf.subarray(nl + 1, nl + 1 + n);
      this.buf = this.buf.subarray(nl + 1 + n);
      const p = this.pending.get(id);
      if (p) (kind === 'O' ? p.out : p.err).push(Buffer.from(data));
    }
  }
}

function result(rc: number, p: Pending): ExecResult {
  return { rc, stdout: Buffer.concat(p.out).toString('utf8'), stderr: Buffer.concat(p.err).toString('utf8') };
}
