/**
 * `./run sandbox up|down|status|ssh|reset`: argv is the words after `sandbox`; returns the exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { HOSTS, PATHS, resolveHost } from './config.js';
import { SandboxError } from './errors.js';
import { UserError } from '../api/errors.js';
import { resetHosts, sandboxDown, sandboxStatus, sandboxUp } from './lifecycle.js';
import { sshArgs, writeKnownHosts, writeSshConfig } from './ssh-key.js';

const USAGE = `usage: ./run sandbox COMMAND

  up                 build the base if needed, start the bridge, apt proxy and the four hosts, and
                     repair whatever a killed run left behind (does nothing when all hosts answer SSH)
  down [--purge]     stop the hosts cleanly and remove what \`up\` made; --purge also drops the base
                     image and the apt cache
  status [--json]    each host's state (running/stopped/broken) and address; exit 0 if all run
  ssh NAME           an interactive root shell on a host (NAME: ${HOSTS.map((h) => h.name).join(', ')} or its IP)
  ssh NAME -- CMD..  run one command there (words joined by spaces, run by the host's shell); exits
                     with its status
  reset NAME...      drop the named hosts and boot them fresh from the base

hosts: ${HOSTS.map((h) => `${h.name} ${h.ip}`).join(', ')}; controller 10.10.10.1 (bridge pgplay0)
state: ${PATHS.state}, ${PATHS.run}; key and ssh_config: ${PATHS.keyDir}/ (see docs/sandbox.md)`;

function usage(msg?: string): number {
  if (msg) process.stderr.write(`pgplay sandbox: ${msg}\n\n`);
  process.stderr.write(USAGE + '\n');
  return msg ? 5 : 0;
}

async function status(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const bad = args.filter((a) => a !== '--json');
  if (bad.length) return usage(`unknown argument to status: ${bad.join(' ')}`);
  const s = await sandboxStatus();
  if (json) {
    process.stdout.write(
      JSON.stringify(
        { ...s, hosts: s.hosts.map((h) => ({ name: h.host.name, ip: h.host.ip, state: h.state, detail: h.detail, pid: h.pid })) },
        null,
        2,
      ) + '\n',
    );
  } else {
    const rows = s.hosts.map((h) => [h.host.name, h.host.ip, h.state, h.detail]);
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['HOST', 'ADDRESS', 'STATE'][i].length));
    const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c)).join('  ').trimEnd();
    process.stdout.write(
      [
        line(['HOST', 'ADDRESS', 'STATE', 'DETAIL']),
        ...rows.map(line),
        '',
        `base:   ${s.base.present ? `${s.base.stamp ?? 'unstamped'}${s.base.current ? '' : ' (out of date: rebuilt at the next up after down)'}` : 'not built'}`,
        `proxy:  ${s.proxy.url} ${s.proxy.answers ? 'answers' : 'not answering'}${s.proxy.pid ? ` (pid ${s.proxy.pid})` : ''}`,
        `bridge: ${s.bridge.name} ${s.bridge.up ? 'up' : 'absent'}`,
        '',
      ].join('\n'),
    );
  }
  return s.allRunning ? 0 : 3;
}

async function ssh(args: string[]): Promise<number> {
  const sep = args.indexOf('--');
  const head = sep >= 0 ? args.slice(0, sep) : args;
  const cmd = sep >= 0 ? args.slice(sep + 1) : [];
  if (head.length !== 1) return usage('ssh takes one host name: ./run sandbox ssh NAME [-- COMMAND...]');
  const h = resolveHost(head[0]);
  if (!existsSync(PATHS.key)) throw new SandboxError(`there is no sandbox key (${PATHS.key}) yet: run \`./run sandbox up\` first.`);
  writeSshConfig();
  writeKnownHosts();
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

export async function sandboxMain(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'up': {
        if (rest.length) return usage(`unknown argument to up: ${rest.join(' ')}`);
        await sandboxUp();
        return 0;
      }
      case 'down': {
        const bad = rest.filter((a) => a !== '--purge');
        if (bad.length) return usage(`unknown argument to down: ${bad.join(' ')}`);
        await sandboxDown({ purge: rest.includes('--purge') });
        return 0;
      }
      case 'status':
        return await status(rest);
      case 'ssh':
        return await ssh(rest);
      case 'reset': {
        if (!rest.length) return usage('reset needs host names: ./run sandbox reset node-2 [node-3 ...]');
        await resetHosts(rest.map(resolveHost));
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return usage();
      default:
        return usage(`unknown sandbox command '${cmd}'`);
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
