/**
 * sysctl: a kernel parameter persisted in a file under /etc/sysctl.d and applied at runtime.
 * In containers many keys are read-only (vm.*, kernel.* under nspawn or docker): with
 * tolerate_readonly the file is still managed and the result says the runtime value was not set.
 */
import type { Action, FileDiff, ModuleResult } from '../api/types.js';
import { parseStat, statCommand } from '../facts/files.js';
import { sectionScript, sections } from '../facts/script.js';
import { normalizeSysctl, sysctlCommand } from '../facts/sysctl.js';
import { defineModule, fail, run } from './common.js';
import { writeScript } from './copy.js';
import { splitLines } from './lineinfile.js';
import { q } from './shell-quote.js';

export interface SysctlArgs {
  name: string;
  value: string | number;
  /** Default /etc/sysctl.d/99-pgplay.conf. */
  sysctl_file?: string;
  /** Set the runtime value too (default true). */
  reload?: boolean;
  /** A key that is read-only here (containers) is not an error (default true). */
  tolerate_readonly?: boolean;
}

const FAILED = '\x1ePGPLAY-SYSCTL-FAILED:';

export function readScript(a: SysctlArgs, file: string): string {
  const key = a.name.includes('/') ? a.name : a.name.replace(/\./g, '/');
  return sectionScript({
    runtime: `if v=$(${sysctlCommand(a.name)} 2>&1); then printf 'ok\\n%s' "$v"; else printf 'error\\n%s' "$v"; fi`,
    writable: `[ -w ${q(`/proc/sys/${key}`)} ] && echo yes || echo no`,
    file: statCommand(file, { checksum: true, content: true }),
  });
}

/** The sysctl file with `name = value` (replacing the key's first line, dropping duplicates). */
export function planSysctlFile(content: string, name: string, value: string): string {
  const alt = name.includes('/') ? name.replace(/\//g, '.') : name.replace(/\./g, '/');
  const keyOf = (l: string) => /^\s*-?\s*([^\s=#;]+)\s*=/.exec(l)?.[1];
  const wanted = `${name} = ${value}\n`;
  let placed = false;
  const out: string[] = [];
  for (const l of splitLines(content)) {
    const k = keyOf(l);
    if (k !== name && k !== alt) out.push(l);
    else if (!placed) {
      out.push(wanted);
      placed = true;
    }
  }
  if (!placed) {
    if (out.length && !out[out.length - 1].endsWith('\n')) out[out.length - 1] += '\n';
    out.push(wanted);
  }
  return out.join('');
}

export const sysctlModule = defineModule<SysctlArgs>('sysctl', async (args, ctx) => {
  const file = args.sysctl_file ?? '/etc/sysctl.d/99-pgplay.conf';
  const value = normalizeSysctl(args.value);
  const r = await run(ctx, readScript(args, file));
  const s = sections(r.stdout);
  const [status, ...rest] = (s.runtime ?? 'error\n').split('\n');
  const current = normalizeSysctl(rest.join('\n'));
  if (status !== 'ok') fail(`cannot read ${args.name}${current ? `: ${current}` : ''}`);
  const stat = parseStat(s.file ?? '');
  const before = stat.content?.toString('utf8') ?? '';
  const after = planSysctlFile(before, args.name, value);
  const fileChanged = !stat.exists || after !== before;
  const runtimeDiffers = args.reload !== false && current !== value;
  const readonly = runtimeDiffers && s.writable?.trim() === 'no' && args.tolerate_readonly !== false;
  const setRuntime = runtimeDiffers && !readonly;
  const note = readonly ? `runtime value of ${args.name} could not be set (read-only here, e.g. in a container): ${current}, wanted ${value}` : undefined;
  if (!fileChanged && !setRuntime) return { status: 'ok', msg: note };

  const diff: FileDiff[] = [];
  if (fileChanged) diff.push({ target: file, before, after });
  if (setRuntime) diff.push({ target: `sysctl ${args.name}`, before: `${current}\n`, after: `${value}\n` });
  const result: ModuleResult = { status: 'changed', msg: note ?? `${args.name} = ${value}`, diff: ctx.diff ? diff : undefined };
  if (ctx.check) return result;

  const lines: string[] = [];
  if (fileChanged) lines.push(`( ${writeScript(file, { mode: stat.exists ? undefined : '0644' })}\n) || exit $?`);
  if (setRuntime) lines.push(`out=$(sysctl -w -- ${q(`${args.name}=${value}`)} 2>&1) || { printf '\\036PGPLAY-SYSCTL-FAILED:%s' "$out"; exit 0; }`);
  const w = await run(ctx, lines.join('\n'), { stdin: fileChanged ? after : undefined });
  if (w.rc !== 0) fail(`cannot write ${file}`, w);
  const failedAt = w.stdout.indexOf(FAILED);
  if (failedAt >= 0) {
    const why = w.stdout.slice(failedAt + FAILED.length).trim();
    if (args.tolerate_readonly === false || !/read-only|permission denied/i.test(why)) fail(`cannot set ${args.name}: ${why}`);
    result.msg = `runtime value of ${args.name} could not be set (read-only here): ${why}`;
    if (!fileChanged) result.status = 'ok';
  }
  return result;
});

/** A kernel parameter, persisted and applied. */
export function sysctl(args: SysctlArgs): Action<SysctlArgs> {
  return { module: sysctlModule, args };
}
