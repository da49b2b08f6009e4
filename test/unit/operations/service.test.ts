import { describe, expect, it } from 'vitest';
import { planService, service, serviceScript } from '../../../src/operations/service.js';
import { parseUnit } from '../../../src/facts/systemd.js';
import type { Connection, ExecOptions } from '../../../src/api/types.js';
import { apply, makeCtx } from './ctx.js';

const unit = (active: string, file: string) => parseUnit(`LoadState=loaded\nActiveState=${active}\nSubState=x\nUnitFileState=${file}\nNeedDaemonReload=no\n`);

describe('service plan', () => {
  it('nothing to do when running and enabled', () => {
    expect(planService({ name: 'patroni', state: 'started', enabled: true }, unit('active', 'enabled'))).toEqual([]);
    expect(planService({ name: 'x', enabled: true }, unit('inactive', 'static'))).toEqual([]);
  });
  it('enable before start; stop; disable', () => {
    expect(planService({ name: 'x', state: 'started', enabled: true }, unit('failed', 'disabled'))).toEqual(['enable', 'start']);
    expect(planService({ name: 'x', state: 'stopped', enabled: false }, unit('active', 'enabled'))).toEqual(['disable', 'stop']);
    expect(planService({ name: 'x', state: 'stopped' }, unit('inactive', 'enabled'))).toEqual([]);
  });
  it('restarted and reloaded always act; reload of a stopped unit starts it', () => {
    expect(planService({ name: 'x', state: 'restarted' }, unit('active', 'enabled'))).toEqual(['restart']);
    expect(planService({ name: 'x', state: 'reloaded' }, unit('active', 'enabled'))).toEqual(['reload']);
    expect(planService({ name: 'x', state: 'reloaded' }, unit('inactive', 'enabled'))).toEqual(['start']);
  });
});

/** A connection answering `systemctl show` with a fixed unit state and recording commands. */
function fakeSystemd(state: string): Connection & { commands: string[] } {
  const commands: string[] = [];
  let trips = 0;
  return {
    host: 'fake', commands,
    get roundTrips() { return trips; },
    async connect() {}, async close() {},
    async exec(cmd: string, _o?: ExecOptions) {
      trips++;
      commands.push(cmd);
      return { rc: 0, stdout: cmd.includes('systemctl show') ? state : '', stderr: '' };
    },
  };
}

describe('service script', () => {
  it('flushes the start rate limit before start and restart only', () => {
    const lines = serviceScript('x', ['enable', 'start', 'restart', 'stop', 'reload']).split('\n');
    expect(lines.map((l) => l.startsWith('systemctl reset-failed -- x 2>/dev/null; '))).toEqual([false, true, true, false, false]);
    expect(lines.every((l) => l.includes('|| { rc=$?; systemctl status'))).toBe(true);
  });
});

describe('service module', () => {
  it('one round trip when nothing changes, two when it starts the unit; diff', async () => {
    const running = fakeSystemd('LoadState=loaded\nActiveState=active\nUnitFileState=enabled\n');
    expect(await apply(service({ name: 'ssh', state: 'started', enabled: true }), makeCtx({ conn: running }))).toMatchObject({ status: 'ok', trips: 1 });
    const stopped = fakeSystemd('LoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\n');
    const r = await apply(service({ name: 'ssh', state: 'started', enabled: true, daemon_reload: true }), makeCtx({ conn: stopped, diff: true }));
    expect(r).toMatchObject({ status: 'changed', trips: 2, diff: [{ before: 'state: inactive\nenabled: disabled\n', after: 'state: active\nenabled: enabled\n' }] });
    expect(stopped.commands[0]).toMatch(/^systemctl daemon-reload && systemctl show/);
    expect(stopped.commands[1]).toMatch(/systemctl enable -- ssh .*\nsystemctl reset-failed -- ssh 2>\/dev\/null; systemctl start -- ssh/s);
  });
  it('unknown units fail clearly; check mode does not act', async () => {
    const none = fakeSystemd('LoadState=not-found\nActiveState=inactive\nUnitFileState=\n');
    expect(await apply(service({ name: 'nope', state: 'started' }), makeCtx({ conn: none }))).toMatchObject({ status: 'failed', msg: 'could not find the requested service nope' });
    const stopped = fakeSystemd('LoadState=loaded\nActiveState=inactive\nUnitFileState=enabled\n');
    expect(await apply(service({ name: 'x', state: 'started', daemon_reload: true }), makeCtx({ conn: stopped, check: true }))).toMatchObject({ status: 'changed', trips: 1 });
    expect(stopped.commands).toEqual(['systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- x']);
  });
});

describe('service on a unit that is not installed', () => {
  it('reports what it would do under --check, is ok when asked to stop it, fails otherwise', async () => {
    const { serviceModule } = await import('../../../src/operations/service.js');
    const notFound = 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n';
    const fake = (check: boolean) => ({
      conn: { host: 'h', roundTrips: 0, connect: async () => {}, close: async () => {}, exec: async () => ({ rc: 0, stdout: notFound, stderr: '' }) },
      check, diff: false, facts: {} as never, log: () => {},
    });
    expect((await serviceModule.run({ name: 'haproxy', state: 'started' }, fake(true) as never)).status).toBe('changed');
    expect((await serviceModule.run({ name: 'haproxy', state: 'stopped' }, fake(false) as never)).status).toBe('ok');
    expect((await serviceModule.run({ name: 'haproxy', state: 'started' }, fake(false) as never)).status).toBe('failed');
  });
});
