/**
 * bench200 under ansible-core, on the same hosts with the same credentials and the same host key
 * checking as pgplay (the inventory's key, its known_hosts file, StrictHostKeyChecking=yes):
 * bench/ansible/make-playbook.sh writes the playbook, this writes an inventory and an ansible.cfg
 * (pipelining, ControlPersist, the same forks) into a scratch directory, runs ansible-playbook and
 * reads per-task times from bench/ansible/callback_plugins/pgplay_times.py.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostVars, loadInventory, selectHosts } from '../../src/inventory/index.js';
import { q } from '../../src/operations/shell-quote.js';
import { timings, type TaskMark } from './timings.js';
import type { RunFigures } from './ours.js';

const ANSIBLE_DIR = path.resolve(import.meta.dirname, '../ansible');

/** `ansible-playbook --version`'s first line, or undefined when it is not installed. */
export function ansibleVersion(): string | undefined {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : undefined;
}

/** The value of `-o NAME=VALUE` (or `-o NAME VALUE`) in ssh arguments. */
function sshOption(args: string, name: string): string | undefined {
  const m = new RegExp(`-o\\s*${name}[=\\s]\\s*(\\S+)`, 'i').exec(args);
  return m?.[1];
}

/** An ansible inventory of the hosts `limit` selects, with absolute paths to the key and known_hosts. */
function writeInventory(dir: string, inventoryFile: string, limit: string): string {
  const inv = loadInventory(inventoryFile);
  const base = path.dirname(inventoryFile);
  const abs = (p: string) => path.resolve(base, p);
  const lines = ['[bench]'];
  for (const h of selectHosts(inv, limit, { cwd: process.cwd() }).hosts) {
    const v = hostVars(inv, h).vars as Record<string, unknown>;
    const key = typeof v.ansible_ssh_private_key_file === 'string' ? abs(v.ansible_ssh_private_key_file) : undefined;
    const args = [v.ansible_ssh_common_args, v.ansible_ssh_extra_args].filter((a) => typeof a === 'string').join(' ');
    const named = sshOption(args, 'UserKnownHostsFile');
    const knownHosts = named ? abs(named) : key && fs.existsSync(path.join(path.dirname(key), 'known_hosts')) ? path.join(path.dirname(key), 'known_hosts') : undefined;
    if (!knownHosts) throw new Error(`bench: no known_hosts file for ${h} (neither UserKnownHostsFile in its ssh args nor one beside its key): ansible would not check its key as pgplay does`);
    const sshArgs = `-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes`;
    const fields = [
      h,
      `ansible_host=${String(v.ansible_host ?? h)}`,
      `ansible_user=${String(v.ansible_user ?? 'root')}`,
      ...(v.ansible_port ? [`ansible_port=${String(v.ansible_port)}`] : []),
      ...(key ? [`ansible_ssh_private_key_file=${key}`] : []),
      `ansible_ssh_common_args=${JSON.stringify(sshArgs)}`,
    ];
    lines.push(fields.join(' '));
  }
  const file = path.join(dir, 'hosts.ini');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function writeConfig(dir: string, forks: number): string {
  const file = path.join(dir, 'ansible.cfg');
  fs.writeFileSync(file, [
    '[defaults]',
    'host_key_checking = True',
    `forks = ${forks}`,
    'interpreter_python = /usr/bin/python3',
    `callback_plugins = ${path.join(ANSIBLE_DIR, 'callback_plugins')}`,
    'callbacks_enabled = pgplay_times',
    'retry_files_enabled = False',
    'timeout = 10',
    '[ssh_connection]',
    'pipelining = True',
    'ssh_args = -o ControlMaster=auto -o ControlPersist=120s',
    `control_path_dir = ${path.join(dir, 'cp')}`,
    '',
  ].join('\n'));
  return file;
}

interface TimeRecord {
  event: 'task_start' | 'host_result' | 'end';
  task?: string;
  host?: string;
  status?: string;
  changed?: boolean;
  t: number;
}

export interface AnsibleBench {
  run(label: string): RunFigures;
  /** Where the output of each run is kept. */
  dir: string;
}

export function ansibleBench(inventoryFile: string, limit: string, forks: number): AnsibleBench {
  execFileSync(path.join(ANSIBLE_DIR, 'make-playbook.sh'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-bench-ansible-'));
  const hosts = writeInventory(dir, path.resolve(inventoryFile), limit);
  const cfg = writeConfig(dir, forks);
  let n = 0;
  return {
    dir,
    run(label: string): RunFigures {
      const times = path.join(dir, `times-${++n}.jsonl`);
      const log = path.join(dir, `run-${n}.log`);
      const t0 = Date.now();
      // through sh so that its output goes to a file, not through this process
      const r = spawnSync('sh', ['-c', `exec ansible-playbook -i ${q(hosts)} ${q(path.join(ANSIBLE_DIR, 'bench.yml'))} >${q(log)} 2>&1`], {
        env: { ...process.env, ANSIBLE_CONFIG: cfg, PGPLAY_TIMES: times, ANSIBLE_NOCOLOR: '1' },
        stdio: 'inherit',
      });
      const end = Date.now();
      const recs: TimeRecord[] = fs.existsSync(times) ? fs.readFileSync(times, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
      const starts: TaskMark[] = recs.filter((x) => x.event === 'task_start').map((x) => ({ task: x.task!, at: x.t * 1000 }));
      const results = recs.filter((x) => x.event === 'host_result');
      const endAt = (recs.find((x) => x.event === 'end')?.t ?? end / 1000) * 1000;
      const unreachable = [...new Set(results.filter((x) => x.status === 'unreachable').map((x) => x.host!))];
      const ok = [...new Set(results.map((x) => x.host!))].filter((h) => !unreachable.includes(h));
      const taskRuns = results.filter((x) => x.task !== 'Gathering Facts' && x.status !== 'unreachable').length;
      if (r.status !== 0 && !starts.length) throw new Error(`bench: ansible-playbook failed (exit ${r.status}); see ${log}`);
      return {
        label,
        hosts: ok,
        unreachable,
        wallMs: end - t0,
        taskRuns,
        changed: results.filter((x) => x.changed).length,
        failed: results.filter((x) => x.status === 'failed').length,
        roundTripsPerTask: NaN,
        timings: timings(starts, endAt),
      };
    },
  };
}
