/** service: a systemd unit started/stopped/restarted/reloaded and enabled or not. */
import type { Action, ModuleResult } from '../api/types.js';
import { isEnabled, isRunning, parseUnit, unitCommand, type UnitState } from '../facts/systemd.js';
import { defineModule, describeState, fail, run } from './common.js';
import { q } from './shell-quote.js';

export interface ServiceArgs {
  name: string;
  /** restarted and reloaded always act (and report changed), as Ansible. */
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  /** Run `systemctl daemon-reload` first (not in check mode). */
  daemon_reload?: boolean;
}

/** The systemctl verbs to run, in order (enable/disable before start/stop, as Ansible). */
export function planService(a: ServiceArgs, u: UnitState): string[] {
  const verbs: string[] = [];
  if (a.enabled === true && !isEnabled(u)) verbs.push('enable');
  if (a.enabled === false && ['enabled', 'enabled-runtime'].includes(u.UnitFileState)) verbs.push('disable');
  const running = isRunning(u);
  if (a.state === 'started' && !running) verbs.push('start');
  if (a.state === 'stopped' && (running || u.ActiveState === 'activating')) verbs.push('stop');
  if (a.state === 'restarted') verbs.push('restart');
  if (a.state === 'reloaded') verbs.push(running ? 'reload' : 'start');
  return verbs;
}

/**
 * The shell lines that run the verbs. A start or restart we ask for first flushes systemd's start
 * rate counter (`reset-failed`): a unit that crash-looped before it was configured (Debian starts
 * packaged daemons at install, unconfigured) would otherwise refuse with 'start-limit-hit'. On
 * failure, the unit's status and last log lines follow systemctl's own error.
 */
export function serviceScript(quotedName: string, verbs: string[]): string {
  return verbs
    .map((v) => {
      const reset = v === 'start' || v === 'restart' ? `systemctl reset-failed -- ${quotedName} 2>/dev/null; ` : '';
      return `${reset}systemctl ${v} -- ${quotedName} || { rc=$?; systemctl status --no-pager -l -n 10 -- ${quotedName} >&2; exit $rc; }`;
    })
    .join('\n');
}

export const serviceModule = defineModule<ServiceArgs>('service', async (args, ctx) => {
  const reload = args.daemon_reload && !ctx.check ? 'systemctl daemon-reload && ' : '';
  const r = await run(ctx, reload + unitCommand(args.name));
  if (r.rc !== 0) fail(`cannot read the state of ${args.name}`, r);
  const u = parseUnit(r.stdout);
  if (u.LoadState === 'not-found') {
    // Under --check, an earlier task that would install or write the unit changed nothing.
    if (ctx.check && args.state !== 'stopped' && args.enabled !== false) {
      return { status: 'changed', msg: `${args.name}: not installed yet; would ${args.state === 'reloaded' || args.state === 'restarted' ? 'start' : args.state ?? 'enable'}` };
    }
    if (args.state === 'stopped' && args.enabled !== true) return { status: 'ok', msg: `${args.name} is not installed` };
    fail(`could not find the requested service ${args.name}`);
  }
  const verbs = planService(args, u);
  if (!verbs.length) return { status: 'ok' };
  const result: ModuleResult = { status: 'changed', msg: `${args.name}: ${verbs.join(', ')}` };
  if (ctx.diff) {
    const running = verbs.includes('start') || verbs.includes('restart') || verbs.includes('reload') ? 'active' : verbs.includes('stop') ? 'inactive' : u.ActiveState;
    const enabled = verbs.includes('enable') ? 'enabled' : verbs.includes('disable') ? 'disabled' : u.UnitFileState;
    result.diff = [{ target: args.name, before: describeState({ state: u.ActiveState, enabled: u.UnitFileState }), after: describeState({ state: running, enabled }) }];
  }
  if (ctx.check) return result;
  const n = q(args.name);
  const w = await run(ctx, serviceScript(n, verbs));
  if (w.rc !== 0) fail(`systemctl ${verbs.join('/')} ${args.name} failed`, w);
  return result;
});

/** A systemd unit's state and enablement. */
export function service(args: ServiceArgs): Action<ServiceArgs> {
  return { module: serviceModule, args };
}
