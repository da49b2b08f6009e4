/**
 * The persistent session: the real agent (perl) run locally as a child process, and over a REAL
 * sshd through SshConnection (framing, pipelining, time-outs, recovery, one channel per host).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SOURCE } from '../../../src/connectors/agent-source.js';
import { AgentSession, SessionLostError, type AgentChannel } from '../../../src/connectors/remote-shell.js';
import { SshConnection, agentRequest, type SshOptions } from '../../../src/connectors/ssh.js';
import { startSshd, sshdAvailable, sshdSkipReason, type Sshd } from './sshd-fixture.js';

const root = process.getuid?.() === 0;

/** The agent as a local child process, started through `sh -c` like a login shell would. */
function localChannel(command = `exec perl -e "$PGPLAY_AGENT"`): AgentChannel {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PGPLAY_AGENT: AGENT_SOURCE } });
  child.stdin.on('error', () => {});
  return {
    write: (d) => child.stdin.write(d),
    end: () => child.stdin.end(),
    destroy: () => child.kill('SIGKILL'),
    onStdout: (cb) => child.stdout.on('data', cb),
    onStderr: (cb) => child.stderr.on('data', cb),
    onClose: (cb) => child.on('close', cb),
  };
}

const sessions: AgentSession[] = [];
async function local(command?: string): Promise<AgentSession> {
  const s = await AgentSession.start(localChannel(command));
  sessions.push(s);
  return s;
}
afterAll(() => sessions.forEach((s) => s.close()));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('agent framing (local agent)', () => {
  it('rc, stdout and stderr apart, empty output, no trailing newline, NUL bytes', async () => {
    const s = await local();
    expect(await s.run({ script: 'echo out; echo err >&2; exit 3' })).toEqual({ rc: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(await s.run({ script: 'true' })).toEqual({ rc: 0, stdout: '', stderr: '' });
    expect(await s.run({ script: 'printf "no newline"' })).toEqual({ rc: 0, stdout: 'no newline', stderr: '' });
    expect((await s.run({ script: 'printf "a\\0b\\n\\0"' })).stdout).toBe('a\0b\n\0');
    expect((await s.run({ script: 'kill -TERM $$' })).rc).toBe(128 + 15);
  });

  it('interleaved stdout and stderr each keep their own order', async () => {
    const s = await local();
    const r = await s.run({ script: 'i=0; while [ $i -lt 300 ]; do echo "o$i"; echo "e$i" >&2; i=$((i+1)); done' });
    expect(r.stdout.trim().split('\n')).toEqual(Array.from({ length: 300 }, (_, i) => `o${i}`));
    expect(r.stderr.trim().split('\n')).toEqual(Array.from({ length: 300 }, (_, i) => `e${i}`));
  });

  it('binary stdin and stdout, several MiB each way, come back intact', async () => {
    const s = await local();
    const bin = crypto.randomBytes(3 * 1024 * 1024 + 7);
    const r = await s.run({ script: 'sha256sum | cut -c1-64', stdin: bin });
    expect(r.stdout.trim()).toBe(crypto.createHash('sha256').update(bin).digest('hex'));
    expect((await s.run({ script: 'head -c 8000000 /dev/zero | tr "\\0" y' })).stdout.length).toBe(8_000_000);
    // stdin the command never reads, and a command that reads no stdin at all
    expect(await s.run({ script: 'echo ok', stdin: bin })).toEqual({ rc: 0, stdout: 'ok\n', stderr: '' });
  });

  it('environment is set by the agent, never on a command line', async () => {
    const s = await local();
    const r = await s.run({ script: 'printf "[%s]" "$V"; tr "\\0" " " </proc/$$/cmdline; tr "\\0" " " </proc/$PPID/cmdline', env: { V: "a'b\nc $(x)" } });
    expect(r.stdout.startsWith("[a'b\nc $(x)]")).toBe(true);
    expect(r.stdout.slice(12)).not.toContain("a'b");
    expect(() => s.run({ script: 'true', env: { 'BAD NAME': 'x' } })).toThrow(/invalid environment variable name/);
  });

  it('requests are pipelined: 40 at once, each answer to its own request', async () => {
    const s = await local();
    const out = await Promise.all(Array.from({ length: 40 }, (_, i) => s.run({ script: `sleep 0.$((${i} % 3)); echo ${i}; echo e${i} >&2` })));
    expect(out.map((r) => r.stdout)).toEqual(Array.from({ length: 40 }, (_, i) => `${i}\n`));
    expect(out.map((r) => r.stderr)).toEqual(Array.from({ length: 40 }, (_, i) => `e${i}\n`));
  });

  it('a time-out ends the request with 124 and kills its whole process group', async () => {
    const s = await local();
    const r = await s.run({ script: 'sleep 300 & echo $!; wait', timeoutMs: 400 });
    expect(r.rc).toBe(124);
    const bg = Number(r.stdout.trim());
    for (let i = 0; i < 50 && alive(bg); i++) await new Promise((ok) => setTimeout(ok, 50));
    expect(alive(bg)).toBe(false);
    // the session goes on
    expect((await s.run({ script: 'echo next' })).stdout).toBe('next\n');
    // TERM ignored: KILL 5 s later
    expect((await s.run({ script: 'trap "" TERM; sleep 60', timeoutMs: 200 })).rc).toBe(124);
  });

  it('a background process holding the output does not hold the answer', async () => {
    const s = await local();
    const r = await s.run({ script: 'sleep 30 & echo started' });
    expect(r).toEqual({ rc: 0, stdout: 'started\n', stderr: '' });
  });

  it('a command that kills the agent fails with SessionLostError; other requests too; nothing hangs', async () => {
    const s = await local();
    const other = s.run({ script: 'sleep 30' });
    await expect(s.run({ script: 'kill -9 $PPID' })).rejects.toBeInstanceOf(SessionLostError);
    await expect(other).rejects.toThrow(/the host's session ended while the command ran/);
    expect(s.alive).toBe(false);
    await expect(s.run({ script: 'true' })).rejects.toBeInstanceOf(SessionLostError);
  });

  it('closing the session ends the commands still running', async () => {
    const s = await local();
    const marker = `pgplay-local-close-${process.pid}`;
    const r = s.run({ script: `sh -c 'sleep 300; :' ${marker}` }).catch((e: Error) => e);
    let pid = 0;
    for (let i = 0; i < 100 && !pid; i++) {
      await new Promise((ok) => setTimeout(ok, 20));
      pid = Number(fs.readdirSync('/proc').find((p) => /^\d+$/.test(p) && safeRead(`/proc/${p}/cmdline`).endsWith(`\0${marker}\0`)) ?? 0);
    }
    expect(pid).toBeGreaterThan(0);
    s.close();
    expect(await r).toBeInstanceOf(SessionLostError);
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((ok) => setTimeout(ok, 50));
    expect(alive(pid)).toBe(false);
  });

  it('output of a login shell before the agent starts is skipped', async () => {
    const s = await local(`echo "Welcome PGPLAY-AGENT 0 junk"; printf 'no newline'; exec perl -e "$PGPLAY_AGENT"`);
    expect((await s.run({ script: 'echo hi' })).stdout).toBe('hi\n');
  });

  it('a host without perl: the start fails saying so', async () => {
    await expect(AgentSession.start(localChannel('exec /nonexistent/perl -e "$PGPLAY_AGENT"'))).rejects.toThrow(/is perl installed on the host\?/);
  });

  it.runIf(root)('user switch inside the agent: uid, groups, HOME and cwd, no runuser or sudo', async () => {
    const s = await local();
    expect(s.uid).toBe(0);
    const r = await s.run({ script: 'id -un; id -G; echo "$HOME"; pwd; tr "\\0" " " </proc/$PPID/cmdline', user: 'nobody' });
    const [name, groups, home, cwd, parent] = r.stdout.split('\n');
    expect([name, home]).toEqual(['nobody', '/nonexistent']);
    expect(groups).toBe(String(65534));
    expect(cwd).toBe('/');
    expect(parent).toMatch(/^perl /);
    expect(await s.run({ script: 'true', user: 'no-such-user-x' })).toMatchObject({ rc: 126, stderr: expect.stringMatching(/no such user/) });
  });
});

describe('agentRequest: who runs the command', () => {
  const asRoot = { uid: 0, user: 'root' };
  const asAdmin = { uid: 1000, user: 'admin' };
  it('root agent switches users itself; env stays out of the script', () => {
    expect(agentRequest('id', { becomeUser: 'postgres', env: { A: '1' } }, asRoot, false)).toEqual({ script: 'id', stdin: undefined, env: { A: '1' }, user: 'postgres', timeoutMs: undefined });
    expect(agentRequest('id', {}, asRoot, false)).toEqual({ script: 'id', stdin: undefined, env: undefined, timeoutMs: undefined });
    expect(() => agentRequest('id', { becomeUser: 'x;rm' }, asRoot, false)).toThrow();
  });
  it('ansible_become_user is the default target of become', () => {
    expect(agentRequest('id', {}, asRoot, true, 'postgres')).toMatchObject({ user: 'postgres' });
    expect(agentRequest('id', { becomeUser: 'root' }, asRoot, true, 'postgres').user).toBeUndefined();
    expect(agentRequest('id', {}, asRoot, false, 'postgres').user).toBeUndefined();
    expect(agentRequest('id', {}, asAdmin, true, 'postgres').script).toMatch(/^sudo -n -H -u postgres -- /);
  });

  it('a non-root agent goes through sudo, with env on stdin', () => {
    const r = agentRequest('id', { env: { A: 's3cret' }, timeoutMs: 5000 }, asAdmin, true);
    expect(r.script).toMatch(/^sudo -n -H \/bin\/sh -c /);
    expect(r.script).not.toContain('s3cret');
    expect(String(r.stdin)).toMatch(/^export A=s3cret\n/);
    expect(r.timeoutMs).toBe(5000);
    expect(r.user).toBeUndefined();
  });
});

describe.skipIf(!sshdAvailable)(`the session over a real sshd (${sshdSkipReason})`, () => {
  let sshd: Sshd;
  const conns: SshConnection[] = [];
  const open = (o: Partial<SshOptions> = {}) => {
    const user = process.env.USER ?? (root ? 'root' : 'nobody');
    const c = new SshConnection({ host: 'test', address: '127.0.0.1', port: sshd.port, user, keyFile: sshd.keyFile, become: false, hostKeys: { userKnownHosts: [sshd.knownHosts] }, ...o } as SshOptions);
    conns.push(c);
    return c;
  };
  beforeAll(async () => {
    sshd = await startSshd();
  }, 30_000);
  afterAll(async () => {
    await Promise.all(conns.map((c) => c.close()));
    sshd?.stop();
  });

  it('every command runs under the same agent: no new channel or login shell per command', async () => {
    const c = open();
    const parents = new Set<string>();
    for (let i = 0; i < 30; i++) parents.add((await c.exec('echo $PPID')).stdout);
    expect(parents.size).toBe(1);
    const agent = [...parents][0].trim();
    expect(fs.readFileSync(`/proc/${agent}/cmdline`, 'utf8')).toMatch(/^perl\0-e\0/);
    expect(c.roundTrips).toBe(30);
  });

  it('a hung command times out, others run meanwhile, the session stays usable', async () => {
    const c = open();
    const hung = c.exec('sleep 600', { timeoutMs: 1500 });
    expect((await c.exec('echo meanwhile')).stdout).toBe('meanwhile\n');
    expect((await hung).rc).toBe(124);
    expect((await c.exec('echo after')).stdout).toBe('after\n');
  });

  it('a command that kills its own session fails truthfully; the next command gets a new session', async () => {
    const c = open();
    const before = (await c.exec('echo $PPID')).stdout;
    await expect(c.exec('kill -9 $PPID')).rejects.toThrow(/the host's session ended while the command ran/);
    const after = (await c.exec('echo $PPID')).stdout;
    expect(after).not.toBe(before);
    expect((await c.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('a wedged session (agent stopped) is dropped after the time-out and re-opened', { timeout: 60_000 }, async () => {
    const c = open();
    const agent = (await c.exec('echo $PPID')).stdout.trim();
    const r = await c.exec(`kill -STOP ${agent}; sleep 1`, { timeoutMs: 500 });
    expect(r.rc).toBe(124);
    expect(r.stderr).toMatch(/the session is re-opened/);
    expect((await c.exec('echo $PPID')).stdout.trim()).not.toBe(agent);
    process.kill(Number(agent), 'SIGKILL');
  });

  it('close() ends what still runs on the host', async () => {
    const c = open();
    const marker = `pgplay-close-${process.pid}`;
    const running = c.exec(`sh -c 'sleep 300; :' ${marker}`).catch((e: Error) => e);
    const find = () => fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && safeRead(`/proc/${p}/cmdline`).endsWith(`\0${marker}\0`));
    for (let i = 0; i < 100 && !find().length; i++) await new Promise((ok) => setTimeout(ok, 30));
    expect(find().length).toBe(1);
    await c.close();
    await running;
    for (let i = 0; i < 50 && find().length; i++) await new Promise((ok) => setTimeout(ok, 50));
    expect(find()).toEqual([]);
  });

  it('a host where the agent cannot start: each command on a channel of its own, same results', async () => {
    const noPerl = await startSshd([`SetEnv PATH=${path.join(sshd.dir, 'empty')}`]);
    try {
      const c = new SshConnection({ host: 'np', address: '127.0.0.1', port: noPerl.port, user: process.env.USER ?? 'root', keyFile: noPerl.keyFile, become: false, hostKeys: { userKnownHosts: [noPerl.knownHosts] } } as SshOptions);
      conns.push(c);
      // (the login shell's start-up files may complain on stderr about the empty PATH)
      expect(await c.exec('echo "$0 $V"; exit 4', { env: { V: 'v' } })).toMatchObject({ rc: 4, stdout: '/bin/sh v\n' });
      expect(c.fallbackReason).toMatch(/perl/);
    } finally {
      noPerl.stop();
    }
  });
});

function safeRead(f: string): string {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}
