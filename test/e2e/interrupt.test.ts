/**
 * Interrupts and unreachable hosts on the sandbox. A small playbook (written to a temporary file)
 * runs a long `sleep` on node-1..3; SIGINT mid-run must exit 130 with `interrupted` and the recap so
 * far (JSON events and plain lines), end the sleep on the hosts, and the next runs converge. A host
 * whose packets vanish (a blackhole route to the controller in its network namespace) is reported
 * unreachable after the connect time-out while the others go on.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTS, NETWORK, PATHS } from '../../src/sandbox/config.js';
import { changedCounts, failures, ROOT, runPlay, type Event } from './lib/run.js';
import { sshTo } from './lib/ssh.js';
import { eventually } from './lib/wait.js';

const { sh, ok } = sshTo(PATHS.sshConfig);
const NODES = HOSTS.filter((h) => h.name !== 'meta');
const LIMIT = NODES.map((h) => h.ip).join(':');
/** Where the playbook leaves its marks on the hosts. */
const DIR = '/tmp/pgplay-e2e-interrupt';
/** A sleep no other process runs: its duration is the marker pgrep looks for. */
const HOLD = `${600 + Math.floor(Math.random() * 300)}.${Math.floor(Math.random() * 1000)}`;
/** `pgrep -f` pattern for the sleep that does not match the shell running pgrep. */
const HOLD_PATTERN = `slee[p] ${HOLD}`;

let tmp: string;
let playbookFile: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-e2e-interrupt-'));
  playbookFile = path.join(tmp, 'interrupt-play.ts');
  fs.writeFileSync(
    playbookFile,
    `import { play, playbook, task } from ${JSON.stringify(path.join(ROOT, 'src/api/playbook.js'))};
import { command } from ${JSON.stringify(path.join(ROOT, 'src/operations/index.js'))};
const dir = ${JSON.stringify(DIR)};
export default playbook('interrupt-e2e', [
  play({
    name: 'interrupt',
    hosts: 'all',
    gather_facts: false,
    tasks: [
      task('before', { do: () => command({ cmd: \`mkdir -p \${dir} && touch \${dir}/before\`, creates: \`\${dir}/before\` }) }),
      task('hold', { when: (h) => !!h.vars.hold_s, do: (h) => command({ cmd: \`sleep \${h.vars.hold_s}\` }) }),
      task('after', { do: () => command({ cmd: \`touch \${dir}/after\`, creates: \`\${dir}/after\` }) }),
    ],
  }),
]);
`,
  );
  for (const h of NODES) await ok(h.name, `rm -rf ${DIR}`);
});

afterAll(async () => {
  for (const h of NODES) await sh(h.name, `pkill -f '${HOLD_PATTERN}'; rm -rf ${DIR}`);
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Started {
  /** Resolves when the run has exited. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; events: Event[] }>;
  stdout(): string;
  kill(sig: NodeJS.Signals): void;
}

/** `./run ARGS` as a child process that the test signals itself. */
function start(args: string[]): Started {
  const c = spawn(path.join(ROOT, 'run'), args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d) => (stdout += d));
  c.stderr.on('data', (d) => (stderr += d));
  const guard = setTimeout(() => c.kill('SIGKILL'), 10 * 60_000);
  const done = new Promise<Awaited<Started['done']>>((resolve) =>
    c.on('close', (code, signal) => {
      clearTimeout(guard);
      const events = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
      resolve({ code, signal, stdout, stderr, events });
    }),
  );
  return { done, stdout: () => stdout, kill: (sig) => c.kill(sig) };
}

/** Hosts on which the held sleep runs now. */
async function holding(): Promise<string[]> {
  const out: string[] = [];
  for (const h of NODES) if ((await sh(h.name, `pgrep -f '${HOLD_PATTERN}'`)).code === 0) out.push(h.name);
  return out;
}

/** Starts the run, waits until `started(stdout)` and the sleep runs on every node, then sends SIGINT. */
async function interruptMidRun(args: string[], started: (stdout: string) => boolean) {
  const run = start(args);
  const ready = await eventually(async () => started(run.stdout()) && (await holding()).length === NODES.length, (v) => v, 300);
  expect(ready, `the hold task never ran on every node:\n${run.stdout().slice(-3000)}`).toBe(true);
  run.kill('SIGINT');
  return run.done;
}

const runArgs = (extra: string[]) => [playbookFile, '-i', PATHS.inventory, '-l', LIMIT, ...extra];

describe('interrupts', () => {
  it('SIGINT mid-run (JSON events): exit 130, interrupted, the partial recap, the remote command ended', async () => {
    const r = await interruptMidRun(runArgs(['-e', `hold_s=${HOLD}`, '--json']), (out) => out.includes('"task":"hold"'));
    expect(r.code, r.stderr.slice(-2000)).toBe(130);
    const kinds = r.events.map((e) => e.event);
    const interrupted = r.events.find((e) => e.event === 'interrupted');
    expect(interrupted, kinds.join(' ')).toBeDefined();
    expect(interrupted!.signal).toBe('SIGINT');
    expect(interrupted!.running.map((x: { host: string; task: string }) => `${x.host} ${x.task}`).sort()).toEqual(NODES.map((h) => `${h.ip} hold`).sort());
    const cut = r.events.filter((e) => e.event === 'host_result' && e.task === 'hold');
    expect(cut.map((e) => e.status)).toEqual(['failed', 'failed', 'failed']);
    expect(cut[0].msg).toMatch(/^interrupted \(SIGINT\)/);
    expect(r.events.some((e) => e.event === 'task_start' && e.task === 'after')).toBe(false);
    const recap = r.events.at(-1)!;
    expect(recap.event).toBe('recap');
    expect(recap.interrupted).toBe(true);
    for (const h of NODES) expect(recap.hosts[h.ip]).toMatchObject({ changed: 1, failed: 1 });

    // closing the host's session ended the sleep (the agent ends its process group, TERM then KILL 5 s later)
    const left = await eventually(holding, (l) => l.length === 0, 30);
    expect(left, `the interrupted command still runs on ${left.join(', ')}`).toEqual([]);
  });

  it('SIGINT mid-run (plain lines): interrupted and the recap so far', async () => {
    const r = await interruptMidRun(runArgs(['-e', `hold_s=${HOLD}`]), (out) => out.includes('TASK [hold]'));
    expect(r.code, r.stderr.slice(-2000)).toBe(130);
    expect(r.stdout).toMatch(/interrupted \(SIGINT\): no new task starts; cutting off /);
    expect(r.stdout).toMatch(/PLAY RECAP \(interrupted\)/);
    for (const h of NODES) expect(r.stdout).toMatch(new RegExp(`${h.ip.replace(/\./g, '\\.')} +: ok=1 {2}changed=0 {2}unreachable=0 {2}failed=1`));
    expect(r.stdout).not.toMatch(/TASK \[after\]/);
    const left = await eventually(holding, (l) => l.length === 0, 30);
    expect(left).toEqual([]);
  });

  it('the next run converges: changed, then nothing to change', async () => {
    const second = await runPlay(runArgs([]), { timeoutMs: 5 * 60_000, log: 'interrupt' });
    expect(second.code, failures(second)).toBe(0);
    expect(changedCounts(second)).toEqual(Object.fromEntries(NODES.map((h) => [h.ip, 1]))); // 'after' was never reached
    const third = await runPlay(runArgs([]), { timeoutMs: 5 * 60_000, log: 'interrupt' });
    expect(third.code, failures(third)).toBe(0);
    expect(changedCounts(third)).toEqual(Object.fromEntries(NODES.map((h) => [h.ip, 0])));
  });
});

describe('a host that does not answer', () => {
  it('is reported unreachable after the connect time-out; the others go on', async () => {
    const dark = NODES.at(-1)!;
    // the host's replies to the controller vanish: to the controller its packets are dropped
    const ip = (verb: string) => execFileSync('ip', ['-n', dark.netns, 'route', verb, 'blackhole', `${NETWORK.controllerIp}/32`], { stdio: 'pipe' });
    ip('add');
    try {
      const r = await runPlay(['ping', '-i', PATHS.inventory, '-l', LIMIT], { timeoutMs: 5 * 60_000, log: 'interrupt' });
      expect(r.code).toBe(2);
      const gather = r.events.find((e) => e.event === 'host_result' && e.host === dark.ip);
      expect(gather, failures(r)).toMatchObject({ task: 'Gathering Facts', status: 'unreachable' });
      expect(gather!.msg).toMatch(/timed out after \d+s while connecting/);
      for (const h of NODES.slice(0, -1)) {
        expect(r.recap?.hosts[h.ip], failures(r)).toMatchObject({ failed: 0, unreachable: 0 });
        expect(r.events.some((e) => e.event === 'host_result' && e.host === h.ip && e.task === 'ping' && e.status === 'ok')).toBe(true);
      }
      expect(r.recap?.hosts[dark.ip]).toMatchObject({ unreachable: 1, ok: 0 });
    } finally {
      ip('del');
    }
    expect((await sh(dark.name, 'true')).code).toBe(0);
  });
});
