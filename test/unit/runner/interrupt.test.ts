/**
 * Interrupts (SIGINT/SIGTERM through an AbortSignal): nothing new starts, what runs is cut off and
 * booked as failed, handlers/rescue/always do not run, the recap says interrupted, exit 130; the
 * pool is closed at the signal and its connections run no further command.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Module, ModuleResult } from '../../../src/api/types.js';
import { block, handler, play, playbook, task } from '../../../src/api/playbook.js';
import { runPlaybook } from '../../../src/runner/run.js';
import { MemoryReporter, localInventory, options, recorder } from './helpers.js';

const inv = localInventory({ web: ['h1', 'h2'], db: ['h3'] });

/**
 * A module that holds until released (it never is unless a test says so): `started` lists the
 * hosts that entered it; `onStart` fires for each. Released, it runs `after` (a shell command) on
 * the host's connection, if given.
 */
function holder(onStart: (host: string, n: number) => void) {
  const started: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const mod: Module<{ after?: string }> = {
    name: 'hold',
    async run(args, ctx): Promise<ModuleResult> {
      started.push(ctx.conn.host);
      onStart(ctx.conn.host, started.length);
      await released;
      if (args.after) {
        const r = await ctx.conn.exec(args.after);
        return { status: r.rc === 0 ? 'changed' : 'failed', rc: r.rc };
      }
      return { status: 'ok' };
    },
  };
  return { started, release, hold: (after?: string) => ({ module: mod, args: { after } }) };
}

async function interrupted(pb: ReturnType<typeof playbook>, ctl: AbortController, forks = 10) {
  const reporter = new MemoryReporter();
  const r = await runPlaybook(pb, options(inv, { forks }), reporter, ctl.signal);
  return { ...r, reporter };
}

describe('interrupts', () => {
  it('cuts off the running task on every host, starts nothing more, recaps so far, exit 130', async () => {
    const { rec, ids } = recorder();
    const ctl = new AbortController();
    const h = holder((_host, n) => n === 3 && ctl.abort('SIGINT'));
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        gather_facts: false,
        tasks: [
          task('first', { do: () => rec({ id: 'first', status: 'changed' }), notify: 'restart' }),
          task('long', { do: () => h.hold() }),
          task('next', { do: () => rec({ id: 'next' }) }),
        ],
        handlers: [handler('restart', { do: () => rec({ id: 'H' }) })],
      }),
      play({ name: 'second play', hosts: 'all', gather_facts: false, tasks: [task('later', { do: () => rec({ id: 'later' }) })] }),
    ]);
    const r = await interrupted(pb, ctl); // resolves although 'long' is never released
    expect(r.exitCode).toBe(130);
    expect(r.interrupted).toBe(true);
    expect(ids().sort()).toEqual(['first', 'first', 'first']); // no 'next', no handler, no second play
    expect(r.reporter.of('task_start').map((e) => e.task)).toEqual(['first', 'long']);

    const [ev] = r.reporter.of('interrupted');
    expect(ev.signal).toBe('SIGINT');
    expect(ev.running.map((x) => `${x.host} ${x.task}`).sort()).toEqual(['h1 long', 'h2 long', 'h3 long']);
    const cut = r.reporter.of('host_result').filter((e) => e.task === 'long');
    expect(cut.map((e) => [e.host, e.status]).sort()).toEqual([['h1', 'failed'], ['h2', 'failed'], ['h3', 'failed']]);
    expect(cut[0].msg).toMatch(/^interrupted \(SIGINT\): the task was cut off/);
    expect(r.reporter.of('task_end').map((e) => e.task)).toEqual(['first', 'long']);

    // the events end: interrupted, the cut-off results, task_end, (play_end), recap
    const kinds = r.reporter.events.map((e) => e.event);
    expect(kinds.indexOf('interrupted')).toBeLessThan(kinds.findIndex((k, i) => k === 'host_result' && (r.reporter.events[i] as any).task === 'long'));
    expect(kinds.at(-1)).toBe('recap');
    const [recap] = r.reporter.of('recap');
    expect(recap.interrupted).toBe(true);
    expect(recap.ok).toBe(false);
    expect(recap.hosts.h1).toMatchObject({ changed: 1, failed: 1, ok: 0 });
  });

  it('hosts still waiting for a fork do not start; tasks cut off are not ignored, rescued or registered', async () => {
    const { rec, ids } = recorder();
    const ctl = new AbortController();
    const h = holder(() => ctl.abort('SIGTERM'));
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        gather_facts: false,
        tasks: [
          block({
            tasks: [task('long', { do: () => h.hold(), ignore_errors: true, register: 'out' })],
            rescue: [task('rescue', { do: () => rec({ id: 'rescue' }) })],
            always: [task('always', { do: () => rec({ id: 'always' }) })],
          }),
        ],
      }),
    ]);
    const r = await interrupted(pb, ctl, 1);
    expect(r.exitCode).toBe(130);
    expect(h.started).toEqual(['h1']); // h2 and h3 waited for the one fork and never started
    expect(ids()).toEqual([]);
    const results = r.reporter.of('host_result');
    expect(results.map((e) => [e.host, e.status])).toEqual([['h1', 'failed']]);
    expect(results[0].msg).toMatch(/interrupted \(SIGTERM\)/);
    expect(r.stats.h1).toMatchObject({ failed: 1, ignored: 0, rescued: 0 });
    expect(r.stats.h2).toMatchObject({ ok: 0, failed: 0, changed: 0, skipped: 0 });
    expect(r.reporter.of('task_end').map((e) => e.task)).toEqual(['long']);
  });

  it('a task cut off that goes on to its next command finds the connection closed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-int-'));
    const ctl = new AbortController();
    const h = holder((_host, n) => n === 3 && ctl.abort('SIGINT'));
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'all', gather_facts: false, tasks: [task('long', { do: (c) => h.hold(`touch ${path.join(dir, c.name)}`) })] }),
    ]);
    const r = await interrupted(pb, ctl);
    expect(r.exitCode).toBe(130);
    h.release(); // the modules wake up after the run and try their next command
    await new Promise((res) => setTimeout(res, 200));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('interrupted before the first task: nothing runs, exit 130', async () => {
    const { rec, ids } = recorder();
    const ctl = new AbortController();
    ctl.abort('SIGINT');
    const pb = playbook('t', [play({ name: 'p', hosts: 'all', tasks: [task('a', { do: () => rec({ id: 'a' }) })] })]);
    const r = await interrupted(pb, ctl);
    expect(r.exitCode).toBe(130);
    expect(ids()).toEqual([]);
    expect(r.reporter.of('task_start')).toEqual([]); // not even Gathering Facts
    expect(r.reporter.of('interrupted')[0].running).toEqual([]);
    expect(r.reporter.of('recap')[0].interrupted).toBe(true);
  });

  it('gathering facts is cut off too', async () => {
    const ctl = new AbortController();
    const pb = playbook('t', [play({ name: 'p', hosts: 'all', tasks: [task('a', { do: () => null })] })]);
    const reporter = new MemoryReporter();
    // abort once the facts task has started its reads on the hosts (a shell script each, locally:
    // they take longer than the turn of the event loop this waits)
    const emit = reporter.emit.bind(reporter);
    reporter.emit = (e) => {
      emit(e);
      if (e.event === 'task_start' && e.task === 'Gathering Facts') setTimeout(() => ctl.abort('SIGINT'), 0);
    };
    const r = await runPlaybook(pb, options(inv), reporter, ctl.signal);
    expect(r.exitCode).toBe(130);
    const facts = reporter.of('host_result').filter((e) => e.task === 'Gathering Facts');
    expect(facts.map((e) => e.status)).toEqual(['failed', 'failed', 'failed']);
    expect(facts[0].msg).toMatch(/^interrupted/);
    expect(reporter.of('task_start').map((e) => e.task)).toEqual(['Gathering Facts']);
  });

  it('without a signal a run is not interrupted', async () => {
    const { rec } = recorder();
    const pb = playbook('t', [play({ name: 'p', hosts: 'all', gather_facts: false, tasks: [task('a', { do: () => rec({ id: 'a' }) })] })]);
    const r = await runPlaybook(pb, options(inv), new MemoryReporter());
    expect(r).toMatchObject({ exitCode: 0, interrupted: false });
  });
});
