import { describe, expect, it } from 'vitest';
import { block, debug, flushHandlers, handler, local, play, playbook, role, task, withTags } from '../../../src/api/playbook.js';
import { registerSecret } from '../../../src/api/secrets.js';
import { RedactingReporter } from '../../../src/output/redacting.js';
import { runPlaybook } from '../../../src/runner/run.js';
import { MemoryReporter, localInventory, options, recorder, runPb } from './helpers.js';

const inv = localInventory({ web: ['h1', 'h2'], db: ['h3'] });

describe('runner against local connections', () => {
  it('runs tasks in lockstep on every host and recaps truthfully', async () => {
    const { rec, calls } = recorder();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        gather_facts: false,
        tasks: [task('a', { do: () => rec({ id: 'a', status: 'changed' }) }), task('b', { do: () => rec({ id: 'b' }) })],
      }),
    ]);
    const r = await runPb(pb, inv);
    expect(r.exitCode).toBe(0);
    // every host finished task a before any host started task b
    const order = calls.map((c) => c.args.id);
    expect(order.slice(0, 3)).toEqual(['a', 'a', 'a']);
    expect(order.slice(3)).toEqual(['b', 'b', 'b']);
    expect(r.stats.h1).toMatchObject({ ok: 1, changed: 1, failed: 0 });
    const recap = r.reporter.of('recap')[0];
    expect(recap.ok).toBe(true);
    expect(Object.keys(recap.hosts)).toEqual(['h1', 'h2', 'h3']);
  });

  it('gathers facts once per host in one round trip', async () => {
    const pb = playbook('t', [
      play({ name: 'p1', hosts: 'web', tasks: [debug('os', (h) => h.facts.os_id)] }),
      play({ name: 'p2', hosts: 'web', tasks: [debug('os', (h) => h.facts.os_id)] }),
    ]);
    const r = await runPb(pb, inv);
    expect(r.reporter.of('task_start').filter((e) => e.task === 'Gathering Facts')).toHaveLength(1);
    expect(r.roundTrips).toBe(2);
    expect(r.reporter.of('message')[0].msg).toMatch(/\w+/);
  });

  it('applies --limit, when, loop, register and set vars', async () => {
    const { rec, calls } = recorder();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        gather_facts: false,
        vars: { items: ['x', 'y'] },
        tasks: [
          task<any, string>('loop', { loop: (h) => h.vars.items, do: (_h, item) => rec({ id: `l-${item}`, stdout: item }) }),
          task('only h2', { when: (h) => h.name === 'h2', do: () => rec({ id: 'w', stdout: 'hello' }), register: 'out' }),
          local('remember', { run: (h) => ({ set: { seen: h.reg.out?.stdout ?? 'none' } }) }),
          task('use', { do: (h) => rec({ id: `seen-${h.vars.seen}` }) }),
        ],
      }),
    ]);
    const r = await runPb(pb, inv, { limit: 'web' });
    expect(Object.keys(r.stats)).toEqual(['h1', 'h2']);
    expect(calls.filter((c) => c.host === 'h1').map((c) => c.args.id)).toEqual(['l-x', 'l-y', 'seen-none']);
    expect(calls.filter((c) => c.host === 'h2').map((c) => c.args.id)).toEqual(['l-x', 'l-y', 'w', 'seen-hello']);
    expect(r.stats.h1.skipped).toBe(1);
  });

  it('notifies handlers once per host, only on change, flushed at the end or on demand', async () => {
    const { rec, ids } = recorder();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'web',
        gather_facts: false,
        tasks: [
          task('c1', { do: (h) => rec({ id: 'c1', status: h.name === 'h1' ? 'changed' : 'ok' }), notify: 'restart' }),
          task('c2', { do: () => rec({ id: 'c2', status: 'changed' }), notify: ['restart', 'reload'] }),
          flushHandlers(),
          task('c3', { do: () => rec({ id: 'c3', status: 'changed' }), notify: 'topic' }),
          task('after', { do: () => rec({ id: 'after' }) }),
        ],
        handlers: [
          handler('restart', { do: () => rec({ id: 'H-restart', status: 'changed' }) }),
          handler('reload', { do: () => rec({ id: 'H-reload', status: 'changed' }), listen: ['topic'] }),
        ],
      }),
    ]);
    await runPb(pb, inv);
    expect(ids('h1')).toEqual(['c1', 'c2', 'H-restart', 'H-reload', 'c3', 'after', 'H-reload']);
    expect(ids('h2')).toEqual(['c1', 'c2', 'H-restart', 'H-reload', 'c3', 'after', 'H-reload']);
  });

  it('retries with until, and a failed host stops only itself', async () => {
    const { rec, ids } = recorder();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        gather_facts: false,
        tasks: [
          task('flaky', { do: () => rec({ id: 'flaky', failTimes: 2 }), until: (r) => !r.failed, retries: 3, delay: 0 }),
          task('breaks h3', { do: (h) => rec({ id: 'x', failTimes: h.name === 'h3' ? 9 : 0 }) }),
          task('ignored', { do: () => rec({ id: 'ign', failTimes: 9 }), ignore_errors: true }),
          task('last', { do: () => rec({ id: 'last' }) }),
        ],
      }),
    ]);
    const r = await runPb(pb, inv);
    expect(ids('h1')).toEqual(['flaky', 'flaky', 'flaky', 'x', 'ign', 'last']);
    expect(ids('h3')).toEqual(['flaky', 'flaky', 'flaky', 'x']);
    expect(r.stats.h3.failed).toBe(1);
    expect(r.stats.h1.ignored).toBe(1);
    expect(r.exitCode).toBe(2);
  });

  it('any_errors_fatal stops every host', async () => {
    const { rec, ids } = recorder();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        gather_facts: false,
        tasks: [
          block({ any_errors_fatal: true, tasks: [task('boom', { do: (h) => rec({ id: 'boom', failTimes: h.name === 'h2' ? 1 : 0 }) })] }),
          task('never', { do: () => rec({ id: 'never' }) }),
        ],
      }),
      play({ name: 'p2', hosts: 'all', gather_facts: false, tasks: [task('n2', { do: () => rec({ id: 'n2' }) })] }),
    ]);
    const r = await runPb(pb, inv);
    expect(ids()).not.toContain('never');
    expect(ids()).not.toContain('n2');
    expect(r.exitCode).toBe(2);
  });

  it('block rescue and always', async () => {
    const { rec, ids } = recorder();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'web',
        gather_facts: false,
        tasks: [
          block({
            tasks: [task('try', { do: (h) => rec({ id: 'try', failTimes: h.name === 'h1' ? 1 : 0 }) }), task('after-try', { do: () => rec({ id: 'after-try' }) })],
            rescue: [task('rescue', { do: () => rec({ id: 'rescue' }) })],
            always: [task('always', { do: () => rec({ id: 'always' }) })],
          }),
          task('next', { do: () => rec({ id: 'next' }) }),
        ],
      }),
    ]);
    const r = await runPb(pb, inv);
    expect(ids('h1')).toEqual(['try', 'rescue', 'always', 'next']);
    expect(ids('h2')).toEqual(['try', 'after-try', 'always', 'next']);
    expect(r.stats.h1).toMatchObject({ failed: 0, rescued: 1 });
    expect(r.exitCode).toBe(0);
  });

  it('inherits tags from play, role and block; always runs; skip beats tags', async () => {
    const { rec, ids } = recorder();
    const r1 = role({
      name: 'r1',
      defaults: {},
      tasks: [
        task('id', { tags: ['always'], do: () => rec({ id: 'id' }) }),
        block({ tags: ['pg_install'], tasks: [task('dbsu', { tags: ['pg_dbsu'], do: () => rec({ id: 'dbsu' }) }), task('pkg', { tags: ['pg_pkg'], do: () => rec({ id: 'pkg' }) })] }),
        task('hba', { tags: ['pg_hba'], do: () => rec({ id: 'hba' }) }),
      ],
    });
    const pb = playbook('t', [play({ name: 'p', hosts: 'h1', gather_facts: false, roles: [withTags(r1, ['pgsql'])] })]);
    await runPb(pb, inv, { tags: { only: ['pg_install'], skip: ['pg_pkg'] } });
    expect(ids()).toEqual(['id', 'dbsu']);
    ids().length = 0;
    const { rec: rec2, ids: ids2 } = recorder();
    const pb2 = playbook('t', [play({ name: 'p', hosts: 'h1', gather_facts: false, roles: [withTags(role({ name: 'r', defaults: {}, tasks: [task('x', { do: () => rec2({ id: 'x' }) })] }), ['pgsql'])] })]);
    await runPb(pb2, inv, { tags: { only: ['pgsql'], skip: [] } });
    expect(ids2()).toEqual(['x']);
  });

  it('passes check mode to modules unless check_mode: false', async () => {
    const { rec, calls } = recorder();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'h1', gather_facts: false, tasks: [task('a', { do: () => rec({ id: 'a' }) }), task('probe', { check_mode: false, do: () => rec({ id: 'b' }) })] }),
    ]);
    await runPb(pb, inv, { check: true });
    expect(calls.map((c) => c.check)).toEqual([true, false]);
  });

  it('run_once runs on the first host and shares the registered result', async () => {
    const { rec, calls } = recorder();
    const pb = playbook('t', [
      play({
        name: 'p',
        hosts: 'all',
        gather_facts: false,
        tasks: [
          task('once', { run_once: true, do: () => rec({ id: 'once', stdout: 'shared' }), register: 'o' }),
          task('use', { do: (h) => rec({ id: `use-${h.reg.o?.stdout}` }) }),
        ],
      }),
    ]);
    await runPb(pb, inv);
    expect(calls.filter((c) => c.args.id === 'once')).toHaveLength(1);
    expect(calls.filter((c) => c.args.id === 'use-shared')).toHaveLength(3);
  });

  it('serial runs the play in batches', async () => {
    const { rec, calls } = recorder();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'all', serial: 1, gather_facts: false, tasks: [task('a', { do: () => rec({ id: 'a' }) }), task('b', { do: () => rec({ id: 'b' }) })] }),
    ]);
    await runPb(pb, inv);
    expect(calls.map((c) => `${c.host}:${c.args.id}`)).toEqual(['h1:a', 'h1:b', 'h2:a', 'h2:b', 'h3:a', 'h3:b']);
  });

  it('--start-at-task skips everything before the named task', async () => {
    const { rec, ids } = recorder();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'h1', gather_facts: false, tasks: ['one', 'two', 'three'].map((n) => task(n, { do: () => rec({ id: n }) })) }),
    ]);
    await runPb(pb, inv, { startAtTask: 't*o' });
    expect(ids()).toEqual(['two', 'three']);
  });

  it('never lets a secret reach an event', async () => {
    registerSecret('S3cr3t.Pass');
    const { rec } = recorder();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'h1', gather_facts: false, tasks: [task('leak', { do: () => rec({ id: 'x', failTimes: 1 }) }), debug('show', () => 'password is S3cr3t.Pass')] }),
    ]);
    const mem = new MemoryReporter();
    await runPlaybook(pb, options(inv), new RedactingReporter(mem));
    expect(JSON.stringify(mem.events)).not.toContain('S3cr3t.Pass');
  });

  it('a limit matching nothing is an error naming it; no host is contacted', async () => {
    const pb = playbook('t', [play({ name: 'p', hosts: 'all', tasks: [] })]);
    await expect(runPb(pb, inv, { limit: 'nope' })).rejects.toThrow(/--limit 'nope' matches no host/);
  });
});

describe('delegate_to', () => {
  it('runs the action on the delegate with the original host vars', async () => {
    const { rec, calls } = recorder();
    const pb = playbook('t', [
      play({ name: 'p', hosts: 'web', gather_facts: false, tasks: [task('register', { delegate_to: 'h3', do: (h) => rec({ id: `for-${h.name}` }) })] }),
    ]);
    const r = await runPb(pb, inv);
    expect(calls.map((c) => `${c.host}:${c.args.id}`).sort()).toEqual(['h3:for-h1', 'h3:for-h2']);
    expect(Object.keys(r.stats)).toEqual(['h1', 'h2']);
  });
});
