import { describe, expect, it } from 'vitest';
import { apt, applyScript, planApt } from '../../../src/operations/package.js';
import { parseDpkg, parsePolicy } from '../../../src/facts/packages.js';
import { apply, makeCtx } from './ctx.js';

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
    expect(applyScript({ name: 'x', update_cache: true, cache_valid_time: 3600 }, { install: ['x'], remove: [], before: '', after: '' })).toMatch(/-ge 3600 \] \|\| !/);
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
