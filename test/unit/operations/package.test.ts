import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AptArgs } from '../../../src/operations/package.js';
import { MANDB_FLAG, STAMP_DIR, apt, applyScript, planApt, readScript } from '../../../src/operations/package.js';
import { parseDpkg, parsePolicy } from '../../../src/facts/packages.js';
import type { Connection, ExecOptions, ExecResult } from '../../../src/api/types.js';
import { LocalConnection } from '../../../src/connectors/local.js';
import { apply, makeCtx, tempDir } from './ctx.js';

const count = (text: string, word: string) => text.split(word).length - 1;

describe('apt plan', () => {
  const installed = { 'postgresql-16': '16.4-1.pgdg120+1', patroni: '3.3.0-1' };

  it('present: installs only what is missing (or pinned to another version)', () => {
    const p = planApt({ name: ['postgresql-16', 'pgbouncer', 'patroni=3.4.0-1'] }, installed, {});
    expect(p.install).toEqual(['pgbouncer', 'patroni=3.4.0-1']);
    expect(p.before).toBe('pgbouncer: absent\npatroni: 3.3.0-1\n');
    expect(p.after).toBe('pgbouncer: installed\npatroni: 3.4.0-1\n');
    expect(planApt({ name: 'postgresql-16' }, installed, {}).install).toEqual([]);
  });

  it('latest: upgrades when the candidate differs', () => {
    expect(planApt({ name: ['postgresql-16', 'patroni'], state: 'latest' }, installed, { 'postgresql-16': '16.5-1.pgdg120+1', patroni: '3.3.0-1' }).install).toEqual(['postgresql-16']);
  });

  it('absent: removes what is installed', () => {
    expect(planApt({ name: ['patroni', 'nope'], state: 'absent' }, installed, {}).remove).toEqual(['patroni']);
  });

  it('apply script: noninteractive, confold, no recommends, refreshes lists for unknown packages', () => {
    const s = applyScript({ name: ['pgbouncer'] }, { install: ['pgbouncer'], remove: [], before: '', after: '' });
    expect(s).toContain('export DEBIAN_FRONTEND=noninteractive');
    expect(s).toContain('--no-install-recommends -o Dpkg::Options::=--force-confold');
    expect(s).toMatch(/if ! \{ apt-cache show -- pgbouncer >\/dev\/null 2>&1; \}; then apt-get update/);
    // update_cache's age test is in the read script; after a refresh there, no second update.
    const plan = { install: ['x'], remove: [], before: '', after: '' };
    expect(applyScript({ name: 'x', update_cache: true, cache_valid_time: 3600 }, plan)).not.toContain('-ge 3600');
    expect(count(applyScript({ name: 'x', update_cache: true }, plan, true), 'apt-get update')).toBe(0);
    expect(count(applyScript({ name: 'x', update_cache: true }, plan, false), 'apt-get update')).toBe(1);
  });

  it('apply script: fast by default (dpkg without fsync, man-db trigger skipped); fast false is plain apt-get', () => {
    const plan = { install: ['x'], remove: [], before: '', after: '' };
    const fast = applyScript({ name: 'x' }, plan);
    expect(fast).toContain('-o Dpkg::Options::=--force-unsafe-io');
    expect(fast).toContain(`rm -f ${MANDB_FLAG}`);
    const plain = applyScript({ name: 'x', fast: false }, plan);
    expect(plain).not.toContain('force-unsafe-io');
    expect(plain).not.toContain(MANDB_FLAG);
    expect(plain).toContain('-o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef');
    // a removal alone touches neither
    expect(applyScript({ name: 'x', state: 'absent' }, { install: [], remove: ['x'], before: '', after: '' })).not.toContain(MANDB_FLAG);
  });

  it('latest + update_cache + cache_valid_time 0: one apt-get update in the whole task', () => {
    const a: AptArgs = { name: ['x'], state: 'latest', update_cache: true, cache_valid_time: 0 };
    const read = readScript(a, true);
    expect(count(read, 'apt-get update')).toBe(1);
    // The refresh comes before the candidates are read.
    expect(read.indexOf('apt-get update')).toBeLessThan(read.indexOf('apt-cache policy'));
    expect(count(applyScript(a, { install: ['x'], remove: [], before: '', after: '' }, true), 'apt-get update')).toBe(0);
    // Check mode reads the age only.
    expect(count(readScript(a, false), 'apt-get update')).toBe(0);
  });

  it('update_cache refreshes even with nothing to install; no name reads no packages', () => {
    expect(count(readScript({ name: ['bash'], update_cache: true }, true), 'apt-get update')).toBe(1);
    const only = readScript({ update_cache: true, cache_valid_time: 600 }, true);
    expect(only).toContain('-ge 600');
    expect(only).not.toContain('dpkg-query');
    expect(readScript({ name: ['bash'] }, true)).not.toContain('apt-get update');
  });
});

describe('package facts parsing', () => {
  it('dpkg-query: only installed packages count', () => {
    expect(parseDpkg('bash\tinstalled\t5.2\nold\tconfig-files\t1.0\n')).toEqual({ bash: '5.2' });
  });
  it('apt-cache policy: candidates', () => {
    const out = 'bash:\n  Installed: 5.2\n  Candidate: 5.2.1\n  Version table:\nlibc6:amd64:\n  Installed: (none)\n  Candidate: 2.36\nvirtual:\n  Installed: (none)\n  Candidate: (none)\n';
    expect(parsePolicy(out)).toEqual({ bash: '5.2.1', libc6: '2.36' });
  });
});

describe('apt on this host', () => {
  it('an installed package is ok in one round trip; check mode reports a missing one', async () => {
    expect(await apply(apt({ name: ['coreutils', 'bash'] }))).toMatchObject({ status: 'ok', trips: 1 });
    const r = await apply(apt({ name: ['coreutils', 'pgplay-no-such-package'] }), makeCtx({ check: true, diff: true }));
    expect(r).toMatchObject({ status: 'changed', trips: 1, diff: [{ target: 'packages', before: 'pgplay-no-such-package: absent\n' }] });
  });
});

/**
 * The module run for real through sh on this machine, with fake apt-get / apt-cache / dpkg-query
 * first on PATH (they log their calls) and the update stamp in a temp directory.
 */
class FakeAptHost implements Connection {
  readonly host = 'fake-apt';
  readonly dir = tempDir();
  private readonly inner = new LocalConnection();
  readonly stampDir = path.join(this.dir, 'periodic');
  readonly stamp = path.join(this.stampDir, 'update-success-stamp');
  /** Stands for man-db's /var/lib/man-db/auto-update. */
  readonly mandbFlag = path.join(this.dir, 'man-db', 'auto-update');

  constructor() {
    const bin = path.join(this.dir, 'bin');
    fs.mkdirSync(bin);
    const d = this.dir;
    const script = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >>${d}/calls\n${body}\n`, { mode: 0o755 });
    // An install logs whether man-db's flag existed while it ran; it fails when install-fails exists.
    script(
      'apt-get',
      `case "$*" in *update*) if [ -e ${d}/update-fails ]; then echo 'E: Failed to fetch http://deb.example/dists/x/InRelease' >&2; exit 100; fi; echo 'Hit:1 http://deb.example x InRelease';;` +
        ` *install*) if [ -e ${d}/man-db/auto-update ]; then echo 'man-db flag during install: present' >>${d}/calls; else echo 'man-db flag during install: absent' >>${d}/calls; fi;` +
        ` if [ -e ${d}/install-fails ]; then echo 'E: Sub-process /usr/bin/dpkg returned an error code (1)' >&2; exit 100; fi;; esac; exit 0`,
    );
    script('dpkg-query', `cat ${d}/installed 2>/dev/null; exit 0`);
    script('apt-cache', `case "$1" in policy) cat ${d}/policy 2>/dev/null;; show) grep -qx -- "$3" ${d}/known 2>/dev/null;; esac`);
    this.set({ installed: '', policy: '', known: '' });
  }

  set(files: Partial<Record<'installed' | 'policy' | 'known', string>>): void {
    for (const [k, v] of Object.entries(files)) fs.writeFileSync(path.join(this.dir, k), v);
  }

  /** Lists refreshed `secondsAgo` ago (undefined: never). */
  listsAge(secondsAgo: number | undefined): void {
    fs.rmSync(this.stampDir, { recursive: true, force: true });
    if (secondsAgo === undefined) return;
    fs.mkdirSync(this.stampDir);
    fs.writeFileSync(this.stamp, '');
    const t = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(this.stamp, t, t);
  }

  calls(): string[] {
    const f = path.join(this.dir, 'calls');
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n') : [];
  }

  updates(): number {
    return this.calls().filter((c) => /^apt-get .*\bupdate\b/.test(c)).length;
  }

  get roundTrips(): number {
    return this.inner.roundTrips;
  }
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    const local = command.split(STAMP_DIR).join(this.stampDir).split(MANDB_FLAG).join(this.mandbFlag);
    return this.inner.exec(`PATH=${this.dir}/bin:$PATH; export PATH\n${local}`, opts);
  }
}

describe('apt with update_cache (fake apt tools)', () => {
  let host: FakeAptHost;
  const ctx = (check = false) => makeCtx({ conn: host, check });
  beforeEach(() => {
    host = new FakeAptHost();
  });

  it('latest + update_cache + cache_valid_time 0: apt-get update runs once, then the upgrade', async () => {
    host.set({ installed: 'pkg\tinstalled\t1.0\n', policy: 'pkg:\n  Installed: 1.0\n  Candidate: 1.1\n', known: 'pkg\n' });
    host.listsAge(10);
    const r = await apply(apt({ name: ['pkg'], state: 'latest', update_cache: true, cache_valid_time: 0 }), ctx());
    expect(r).toMatchObject({ status: 'changed', msg: 'install pkg', data: { cache_updated: true }, trips: 2 });
    expect(host.updates()).toBe(1);
    expect(host.calls().filter((c) => c.includes(' install '))).toHaveLength(1);
    // The update ran before the candidates were read.
    expect(host.calls().findIndex((c) => c.includes('update'))).toBeLessThan(host.calls().findIndex((c) => c.startsWith('apt-cache policy')));
  });

  it('present + update_cache: a missing package is installed after one update', async () => {
    host.set({ known: 'newpkg\n' });
    const r = await apply(apt({ name: ['newpkg'], update_cache: true, cache_valid_time: 3600 }), ctx());
    expect(r).toMatchObject({ status: 'changed', trips: 2 });
    expect(host.updates()).toBe(1);
  });

  it('nothing to install: the lists are still refreshed when stale, and the task is ok', async () => {
    host.set({ installed: 'pkg\tinstalled\t1.0\n' });
    host.listsAge(7200);
    const r = await apply(apt({ name: ['pkg'], update_cache: true, cache_valid_time: 3600 }), ctx());
    expect(r).toMatchObject({ status: 'ok', msg: 'package lists refreshed', data: { cache_updated: true }, trips: 1 });
    expect(host.updates()).toBe(1);
    expect(fs.statSync(host.stamp).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    // Now fresh: no update, ok, one round trip.
    const again = await apply(apt({ name: ['pkg'], update_cache: true, cache_valid_time: 3600 }), ctx());
    expect(again).toMatchObject({ status: 'ok', msg: 'package lists fresh', data: { cache_updated: false }, trips: 1 });
    expect(host.updates()).toBe(1);
  });

  it('update_cache alone: changed only when the lists were refreshed (as Ansible)', async () => {
    host.listsAge(undefined);
    expect(await apply(apt({ update_cache: true, cache_valid_time: 3600 }), ctx())).toMatchObject({ status: 'changed', msg: 'package lists refreshed', trips: 1 });
    expect(await apply(apt({ name: [], update_cache: true, cache_valid_time: 3600 }), ctx())).toMatchObject({ status: 'ok', msg: 'package lists fresh', trips: 1 });
    expect(host.updates()).toBe(1);
    expect(host.calls().some((c) => c.startsWith('dpkg-query'))).toBe(false);
    // cache_valid_time 0: always refreshed, always changed.
    expect(await apply(apt({ update_cache: true }), ctx())).toMatchObject({ status: 'changed', trips: 1 });
    expect(host.updates()).toBe(2);
    expect(await apply(apt({ name: [] }), ctx())).toMatchObject({ status: 'ok', trips: 0 });
  });

  it('check mode: reports the refresh it would make, runs no apt-get', async () => {
    host.set({ installed: 'pkg\tinstalled\t1.0\n' });
    host.listsAge(7200);
    expect(await apply(apt({ update_cache: true, cache_valid_time: 3600 }), ctx(true))).toMatchObject({ status: 'changed', data: { cache_updated: true }, trips: 1 });
    expect(await apply(apt({ name: 'pkg', update_cache: true, cache_valid_time: 3600 }), ctx(true))).toMatchObject({ status: 'ok', trips: 1 });
    host.listsAge(10);
    expect(await apply(apt({ update_cache: true, cache_valid_time: 3600 }), ctx(true))).toMatchObject({ status: 'ok', trips: 1 });
    expect(host.calls().filter((c) => c.startsWith('apt-get'))).toEqual([]);
  });

  it('a failed apt-get update fails the task with its error', async () => {
    host.set({ installed: 'pkg\tinstalled\t1.0\n' });
    fs.writeFileSync(path.join(host.dir, 'update-fails'), '');
    const r = await apply(apt({ name: 'pkg', update_cache: true }), ctx());
    expect(r).toMatchObject({ status: 'failed', msg: 'apt-get update failed: E: Failed to fetch http://deb.example/dists/x/InRelease', trips: 1 });
  });

  it('without update_cache, nothing to do never touches the lists; an unknown package triggers one update', async () => {
    host.set({ installed: 'pkg\tinstalled\t1.0\n' });
    expect(await apply(apt({ name: 'pkg' }), ctx())).toMatchObject({ status: 'ok', trips: 1 });
    expect(await apply(apt({ name: ['pkg', 'other'] }), ctx())).toMatchObject({ status: 'changed', msg: 'install other', trips: 2 });
    expect(host.updates()).toBe(1);
  });
});

describe('apt fast installs (fake apt tools)', () => {
  let host: FakeAptHost;
  const ctx = () => makeCtx({ conn: host });
  beforeEach(() => {
    host = new FakeAptHost();
    host.set({ known: 'newpkg\n' });
    fs.mkdirSync(path.dirname(host.mandbFlag));
  });
  const during = () => host.calls().filter((c) => c.startsWith('man-db flag during install'));

  it("man-db's flag is away during the install and back after it", async () => {
    fs.writeFileSync(host.mandbFlag, '');
    expect(await apply(apt({ name: 'newpkg' }), ctx())).toMatchObject({ status: 'changed', msg: 'install newpkg' });
    expect(during()).toEqual(['man-db flag during install: absent']);
    expect(fs.existsSync(host.mandbFlag)).toBe(true);
    expect(host.calls().find((c) => c.includes(' install '))).toContain('--force-unsafe-io');
  });

  it('a failed install still puts the flag back and fails the task with apt-get\'s error', async () => {
    fs.writeFileSync(host.mandbFlag, '');
    fs.writeFileSync(path.join(host.dir, 'install-fails'), '');
    const r = await apply(apt({ name: 'newpkg' }), ctx());
    expect(r).toMatchObject({ status: 'failed' });
    expect(r.msg).toContain('apt-get failed (install newpkg)');
    expect(fs.existsSync(host.mandbFlag)).toBe(true);
  });

  it('no flag before (auto-update off, or no man-db): none after', async () => {
    expect(await apply(apt({ name: 'newpkg' }), ctx())).toMatchObject({ status: 'changed' });
    expect(during()).toEqual(['man-db flag during install: absent']);
    expect(fs.existsSync(host.mandbFlag)).toBe(false);
  });

  it('fast: false leaves man-db and dpkg alone', async () => {
    fs.writeFileSync(host.mandbFlag, '');
    expect(await apply(apt({ name: 'newpkg', fast: false }), ctx())).toMatchObject({ status: 'changed' });
    expect(during()).toEqual(['man-db flag during install: present']);
    expect(host.calls().find((c) => c.includes(' install '))).not.toContain('unsafe-io');
  });
});
