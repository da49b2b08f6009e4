/**
 * `./run sandbox up|down|status|ssh|reset`: argv is the words after `sandbox`; returns the exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import {
  HOST_NAMES, MAX_INSTANCE, NETWORK, REPO_ROOT, SHARED_PATHS, parseInstance, resolveHost, sandboxInstance,
  type SandboxInstance,
} from './config.js';
import { SandboxError } from './errors.js';
import { UserError } from '../api/errors.js';
import { instancesWithState, resetHosts, sandboxDown, sandboxStatus, sandboxUp, type SandboxStatus } from './lifecycle.js';
import { sshArgs, writeKnownHosts, writeSshConfig } from './ssh-key.js';

function usageText(inst: SandboxInstance): string {
  return `usage: ./run sandbox [--instance N] COMMAND

  up                 build the base if needed, start the bridge, apt proxy and the four hosts, and
                     repair whatever a killed run left behind (does nothing when all hosts answer SSH)
  down [--purge]     stop the hosts cleanly and remove what \`up\` made; --purge also drops the base
                     image and the apt cache (when no other instance has hosts)
  status [--json]    each host's state (running/stopped/broken) and address; exit 0 if all run
  status --all       the same for every instance that has state; exit 0 if all their hosts run
  ssh NAME           an interactive root shell on a host (NAME: ${HOST_NAMES.join(', ')} or its IP)
  ssh NAME -- CMD..  run one command there (words joined by spaces, run by the host's shell); exits
                     with its status
  reset NAME...      drop the named hosts and boot them fresh from the base

instances: --instance N or PGPLAY_SANDBOX=N selects sandbox instance N (0, the default, to ${MAX_INSTANCE}): the same
  host names at 10.10.10.(10+20N)..(13+20N), inventory inventory/sandbox-N.yml (written by its up)

instance ${inst.n}: ${inst.hosts.map((h) => `${h.name} ${h.ip}`).join(', ')}; controller ${NETWORK.controllerIp} (bridge ${NETWORK.bridge})
state: ${inst.paths.state}, ${inst.paths.run}; ssh_config: ${inst.paths.sshDir}/ (see docs/sandbox.md)`;
}

function usage(msg?: string, inst: SandboxInstance = sandboxInstance(0)): number {
  if (msg) process.stderr.write(`pgplay sandbox: ${msg}\n\n`);
  process.stderr.write(usageText(inst) + '\n');
  return msg ? 5 : 0;
}

function rel(file: string): string {
  const r = relative(REPO_ROOT, file);
  return r.startsWith('..') ? file : r;
}

function statusJson(s: SandboxStatus) {
  return { ...s, hosts: s.hosts.map((h) => ({ name: h.host.name, ip: h.host.ip, state: h.state, detail: h.detail, pid: h.pid })) };
}

function table(rows: string[][], head: string[]): string[] {
  const n = head.length - 1; // the last column is not padded
  const w = head.slice(0, n).map((t, i) => Math.max(t.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < n ? c.padEnd(w[i]) : c)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function sharedLines(s: SandboxStatus): string[] {
  return [
    `base:   ${s.base.present ? `${s.base.stamp ?? 'unstamped'}${s.base.current ? '' : ' (out of date: rebuilt at the next up after down)'}` : 'not built'}`,
    `proxy:  ${s.proxy.url} ${s.proxy.answers ? 'answers' : 'not answering'}${s.proxy.pid ? ` (pid ${s.proxy.pid})` : ''}`,
    `bridge: ${s.bridge.name} ${s.bridge.up ? 'up' : 'absent'}`,
  ];
}

function instanceLine(s: SandboxStatus): string {
  return `instance: ${s.instance}${s.instance === 0 ? ' (default)' : ` (PGPLAY_SANDBOX=${s.instance})`}, inventory ${rel(s.inventory)}${existsSync(s.inventory) ? '' : ' (not written yet: up writes it)'}`;
}

/** `status --all` shows every instance with state, whatever --instance or PGPLAY_SANDBOX say. */
async function status(args: string[], inst: SandboxInstance): Promise<number> {
  const json = args.includes('--json');
  const all = args.includes('--all');
  const bad = args.filter((a) => a !== '--json' && a !== '--all');
  if (bad.length) return usage(`unknown argument to status: ${bad.join(' ')}`, inst);
  if (!all) {
    const s = await sandboxStatus(inst.n);
    if (json) {
      process.stdout.write(JSON.stringify(statusJson(s), null, 2) + '\n');
    } else {
      const rows = s.hosts.map((h) => [h.host.name, h.host.ip, h.state, h.detail]);
      process.stdout.write([...table(rows, ['HOST', 'ADDRESS', 'STATE', 'DETAIL']), '', instanceLine(s), ...sharedLines(s), ''].join('\n'));
    }
    return s.allRunning ? 0 : 3;
  }
  // one instance after the other: four SSH probes at a time, not twenty (a loaded machine is slow to answer)
  const list: SandboxStatus[] = [];
  for (const n of instancesWithState()) list.push(await sandboxStatus(n));
  const allRunning = list.every((s) => s.allRunning);
  if (json) {
    process.stdout.write(JSON.stringify({ instances: list.map(statusJson), allRunning }, null, 2) + '\n');
  } else {
    const rows = list.flatMap((s) => s.hosts.map((h) => [String(s.instance), h.host.name, h.host.ip, h.state, h.detail]));
    const running = (s: SandboxStatus) => s.hosts.filter((h) => h.state === 'running').length;
    process.stdout.write(
      [
        ...table(rows, ['INSTANCE', 'HOST', 'ADDRESS', 'STATE', 'DETAIL']),
        '',
        ...list.map((s) => `instance ${s.instance}: ${running(s)}/${s.hosts.length} running, inventory ${rel(s.inventory)}`),
        ...sharedLines(list[0]),
        '',
      ].join('\n'),
    );
  }
  return allRunning ? 0 : 3;
}

async function ssh(args: string[], inst: SandboxInstance): Promise<number> {
  const sep = args.indexOf('--');
  const head = sep >= 0 ? args.slice(0, sep) : args;
  const cmd = sep >= 0 ? args.slice(sep + 1) : [];
  if (head.length !== 1) return usage('ssh takes one host name: ./run sandbox ssh NAME [-- COMMAND...]', inst);
  const h = resolveHost(head[0], inst);
  if (!existsSync(SHARED_PATHS.key)) throw new SandboxError(`there is no sandbox key (${SHARED_PATHS.key}) yet: run \`./run sandbox up\` first.`);
  writeSshConfig(inst);
  writeKnownHosts(inst);
  const extra = cmd.length === 0 && process.stdin.isTTY ? ['-t'] : [];
  const argv = [...sshArgs(h, extra)];
  // `--` before the host name, so that nothing in COMMAND is read as an ssh option
  argv.splice(argv.length - 1, 0, '--');
  argv.push(...cmd);
  return new Promise((resolve) => {
    const child = spawn('ssh', argv, { stdio: 'inherit' });
    child.on('error', (e) => {
      process.stderr.write(`pgplay sandbox: could not run ssh: ${e.message}\n`);
      resolve(127);
    });
    child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : 1)));
  });
}

/**
 * Takes `--instance N` / `--instance=N` out of argv (anywhere before a `--`): the instance it names,
 * else PGPLAY_SANDBOX's, else 0. `explicit` says whether either was given.
 */
export function splitInstance(argv: string[], env: NodeJS.ProcessEnv = process.env): { n: number; explicit: boolean; rest: string[] } {
  const rest: string[] = [];
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--instance') {
      if (i + 1 >= argv.length) throw new SandboxError('--instance needs a number: --instance N (0 to 4)', 5);
      flag = argv[++i];
    } else if (a.startsWith('--instance=')) {
      flag = a.slice('--instance='.length);
    } else {
      rest.push(a);
    }
  }
  if (flag !== undefined) {
    if (flag.trim() === '') throw new SandboxError('--instance needs a number: --instance N (0 to 4)', 5);
    return { n: parseInstance(flag, '--instance'), explicit: true, rest };
  }
  const fromEnv = env.PGPLAY_SANDBOX;
  return { n: parseInstance(fromEnv), explicit: (fromEnv ?? '').trim() !== '', rest };
}

export async function sandboxMain(argv: string[]): Promise<number> {
  try {
    const { n, rest: words } = splitInstance(argv);
    const inst = sandboxInstance(n);
    const [cmd, ...rest] = words;
    switch (cmd) {
      case 'up': {
        if (rest.length) return usage(`unknown argument to up: ${rest.join(' ')}`, inst);
        await sandboxUp({ instance: n });
        return 0;
      }
      case 'down': {
        const bad = rest.filter((a) => a !== '--purge');
        if (bad.length) return usage(`unknown argument to down: ${bad.join(' ')}`, inst);
        await sandboxDown({ instance: n, purge: rest.includes('--purge') });
        return 0;
      }
      case 'status':
        return await status(rest, inst);
      case 'ssh':
        return await ssh(rest, inst);
      case 'reset': {
        if (!rest.length) return usage('reset needs host names: ./run sandbox reset node-2 [node-3 ...]', inst);
        await resetHosts(rest.map((x) => resolveHost(x, inst)), { instance: n });
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return usage(undefined, inst);
      default:
        return usage(`unknown sandbox command '${cmd}'`, inst);
    }
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`pgplay sandbox: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`pgplay sandbox: internal error (a bug in pgplay):\n${(e as Error)?.stack ?? String(e)}\n`);
    return 250;
  }
}
