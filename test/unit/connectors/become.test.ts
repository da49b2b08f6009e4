import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { envLine, execStdin, wrapCommand } from '../../../src/connectors/become.js';
import { LocalConnection } from '../../../src/connectors/local.js';
import { q, qargs } from '../../../src/operations/shell-quote.js';

describe('shell quoting', () => {
  const nasty = ["it's", '$HOME', '`id`', 'a b\tc\nd', '"q"', '\\', '', '-n', '*', "'; rm -rf / #"];
  it('every value survives sh unchanged', () => {
    for (const v of nasty) expect(execFileSync('/bin/sh', ['-c', `printf '%s' ${q(v)}`]).toString()).toBe(v);
    expect(execFileSync('/bin/sh', ['-c', `printf '%s|' ${qargs(nasty)}`]).toString()).toBe(nasty.map((v) => v + '|').join(''));
  });
  it('leaves safe words readable', () => {
    expect(q('/var/lib/pgsql')).toBe('/var/lib/pgsql');
    expect(q('a b')).toBe("'a b'");
    expect(q(5432)).toBe('5432');
  });
});

describe('become wrapper', () => {
  const root = { connUser: 'root', become: false };
  const admin = { connUser: 'admin', become: true };

  it('runs as is when no other user is needed', () => {
    expect(wrapCommand('id', {}, root)).toBe('id');
    expect(wrapCommand('id', { becomeUser: 'root' }, root)).toBe('id');
    expect(wrapCommand('id', {}, { connUser: 'admin', become: false })).toBe('id');
  });

  it('root connection: runuser; other users: sudo -n', () => {
    expect(wrapCommand('id', { becomeUser: 'postgres' }, root)).toMatch(/^runuser -u postgres -- \/bin\/sh -c 'HOME=~postgres; export HOME; cd "\$HOME" 2>\/dev\/null \|\| cd \/\nid'$/);
    expect(wrapCommand('id', { becomeUser: 'postgres' }, admin)).toMatch(/^sudo -n -H -u postgres -- \/bin\/sh -c '/);
    expect(wrapCommand('id', {}, admin)).toMatch(/^sudo -n -H \/bin\/sh -c '/);
  });

  it('ansible_become_user: the user become runs as when a task names nobody', () => {
    expect(wrapCommand('id', {}, { connUser: 'root', become: true, becomeUser: 'postgres' })).toMatch(/^runuser -u postgres -- /);
    expect(wrapCommand('id', {}, { connUser: 'admin', become: true, becomeUser: 'postgres' })).toMatch(/^sudo -n -H -u postgres -- /);
    expect(wrapCommand('id', { becomeUser: 'root' }, { connUser: 'admin', become: true, becomeUser: 'postgres' })).toMatch(/^sudo -n -H \/bin\/sh -c /);
    expect(wrapCommand('id', {}, { connUser: 'root', become: false, becomeUser: 'postgres' })).toBe('id');
  });

  it('environment and timeout go inside, so they apply as the target user', () => {
    const w = wrapCommand('echo "$A"', { becomeUser: 'postgres', env: { A: "x'y" }, timeoutMs: 1500 }, root);
    expect(w).toContain('timeout -k 5 1.5 /bin/sh -c');
    expect(w).not.toContain("x'y");
    expect(w).not.toContain('A=');
    expect(() => wrapCommand('x', { env: { 'A-B': '1' } }, root)).toThrow(/invalid environment variable name/);
    expect(() => wrapCommand('x', { becomeUser: 'bad user' }, root)).toThrow(/invalid user name/);
  });
});

describe('environment on stdin', () => {
  it('the values are on the stdin line, not in the script; the script reads exactly that line', () => {
    expect(envLine({ A: 'x', B: "it's\nme" })).toBe(`export A=x B='it'\\''s'"$__pgplay_nl"'me'\n`);
    expect(envLine({})).toBe('');
    expect(execStdin({ env: { A: 'x' }, stdin: 'in' })).toBe('export A=x\nin');
    expect(execStdin({ stdin: 'in' })).toBe('in');
    expect(execStdin({ env: { A: 'x' }, stdin: Buffer.from('in') })).toEqual(Buffer.from('export A=x\nin'));
    expect(wrapCommand('id', { env: { A: 'secret-value' } }, root)).not.toContain('secret-value');
  });
  const root = { connUser: 'root', become: false };
});

describe('LocalConnection', () => {
  it('exec: rc, stdout, stderr, stdin, env, large output; counts round trips', async () => {
    const c = new LocalConnection();
    expect(await c.exec('echo out; echo err >&2; exit 7')).toEqual({ rc: 7, stdout: 'out\n', stderr: 'err\n' });
    expect((await c.exec('cat', { stdin: 'héllo\0' })).stdout).toBe('héllo\0');
    expect((await c.exec('echo "$X"', { env: { X: 'a b' } })).stdout).toBe('a b\n');
    expect((await c.exec('cat; echo "$X"', { env: { X: 'a\nb' }, stdin: Buffer.from([0x68, 0x00, 0x0a]) })).stdout).toBe('h\0\na\nb\n');
    expect((await c.exec('head -c 5000000 /dev/zero | tr "\\0" x')).stdout.length).toBe(5_000_000);
    expect(c.roundTrips).toBe(5);
  });

  it('timeout: rc 124', async () => {
    const t0 = Date.now();
    expect((await new LocalConnection().exec('sleep 10', { timeoutMs: 300 })).rc).toBe(124);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it.runIf(process.getuid?.() === 0)('becomeUser switches user and HOME, starting in the home (or / when it is missing)', async () => {
    const r = await new LocalConnection().exec('id -un; echo "$HOME"; pwd', { becomeUser: 'nobody' });
    expect(r.stdout).toBe('nobody\n/nonexistent\n/\n');
    const daemon = await new LocalConnection().exec('id -un; echo "$HOME"; pwd', { becomeUser: 'daemon', stdin: '' });
    expect(daemon.stdout).toBe('daemon\n/usr/sbin\n/usr/sbin\n');
  });
});
