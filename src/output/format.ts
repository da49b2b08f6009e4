/** Text formatting shared by the plain and progress reporters. */
import { createTwoFilesPatch } from 'diff';
import type { FileDiff } from '../api/types.js';
import type { EngineEvent, HostStats } from './events.js';

type HostResult = Extract<EngineEvent, { event: 'host_result' }>;

const useColor = () => !!process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const color = { green: paint(32), yellow: paint(33), red: paint(31), cyan: paint(36), gray: paint(90), bold: paint(1) };

export function banner(text: string): string {
  return `${text} ${'*'.repeat(Math.max(3, 78 - text.length))}`;
}

export function taskTitle(e: Extract<EngineEvent, { event: 'task_start' }>): string {
  return `${e.handler ? 'RUNNING HANDLER' : 'TASK'} [${e.role ? `${e.role} : ` : ''}${e.task}]`;
}

const statusWord: Record<HostResult['status'], string> = {
  ok: 'ok', changed: 'changed', skipped: 'skipping', failed: 'fatal', unreachable: 'fatal', ignored: 'failed (ignored)',
};

export function hostLine(e: HostResult, verbosity: number): string {
  const head = `${statusWord[e.status]}: [${e.host}]`;
  let line = head;
  if (e.status === 'failed') line = `${head}: FAILED! => ${e.msg ?? ''}`;
  else if (e.status === 'unreachable') line = `${head}: UNREACHABLE! => ${e.msg ?? ''}`;
  else if (e.msg && (verbosity >= 1 || e.status === 'ignored')) line = `${head} => ${e.msg}`;
  if (e.stderr && (e.status === 'failed' || verbosity >= 1)) line += `\n    stderr: ${tail(e.stderr)}`;
  if (e.stdout && verbosity >= 1) line += `\n    stdout: ${tail(e.stdout)}`;
  const c = e.status === 'ok' ? color.green : e.status === 'changed' ? color.yellow : e.status === 'skipped' ? color.cyan : color.red;
  return c(line);
}

function tail(s: string, lines = 20): string {
  return s.trimEnd().split('\n').slice(-lines).join('\n    ');
}

export function diffText(diffs: FileDiff[]): string {
  return diffs
    .map((d) => createTwoFilesPatch(`before: ${d.target}`, `after: ${d.target}`, ensureNl(d.before), ensureNl(d.after), '', '', { context: 3 }).split('\n').slice(1).join('\n'))
    .map((t) => t.split('\n').map((l) => (l.startsWith('+') ? color.green(l) : l.startsWith('-') ? color.red(l) : l)).join('\n'))
    .join('\n');
}

const ensureNl = (s: string) => (s === '' || s.endsWith('\n') ? s : s + '\n');

/** 'interrupted (SIGINT): ...' naming the host tasks cut off. */
export function interruptedLine(e: Extract<EngineEvent, { event: 'interrupted' }>): string {
  const cut = e.running.map((r) => `[${r.host}] ${r.task}`).join(', ');
  return color.red(`interrupted (${e.signal}): no new task starts${cut ? `; cutting off ${cut}` : ''}`);
}

export function recapLines(hosts: Record<string, HostStats>): string[] {
  const width = Math.max(...Object.keys(hosts).map((h) => h.length), 4);
  return Object.entries(hosts).map(([h, s]) => {
    const name = s.failed || s.unreachable ? color.red(h.padEnd(width)) : s.changed ? color.yellow(h.padEnd(width)) : color.green(h.padEnd(width));
    return `${name} : ok=${s.ok}  changed=${s.changed}  unreachable=${s.unreachable}  failed=${s.failed}  skipped=${s.skipped}  rescued=${s.rescued}  ignored=${s.ignored}`;
  });
}
