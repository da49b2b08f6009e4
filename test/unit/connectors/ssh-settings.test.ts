/**
 * A host's effective SSH settings: inventory variables > ssh argument variables > ssh config files
 * > defaults; ssh_config's first-value-wins blocks, patterns, tokens, Include; ProxyJump hops.
 * Every ssh config here is a temporary file (a temporary HOME), never the machine's ~/.ssh.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJump, parseSshArgs, resolveSshSettings, type SettingsContext } from '../../../src/connectors/ssh-settings.js';

/** A temporary HOME with ~/.ssh/config = `config` (none when undefined), and no system config. */
function home(config?: string, system?: string): SettingsContext & { home: string } {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-home-'));
  fs.mkdirSync(path.join(h, '.ssh'), { mode: 0o700 });
  if (config !== undefined) fs.writeFileSync(path.join(h, '.ssh', 'config'), config);
  let systemConfig: string | null = null;
  if (system !== undefined) fs.writeFileSync((systemConfig = path.join(h, 'ssh_config.system')), system);
  return { inventoryDir: '/inv', home: h, env: {}, systemConfig };
}

describe('ssh argument words', () => {
  it('-o Key=Value, -o "Key Value", -oKey=Value, -p, -l, -i, -J, -F; other options and their values skipped', () => {
    expect(parseSshArgs(['-C', '-o', 'ControlMaster=auto', '-o', 'StrictHostKeyChecking no', '-oPort=2200', '-p', '2201', '-l', 'admin',
      '-i', 'k', '-J', 'a,b', '-F', 'cfg', '-L', '80:x:80', '-vvv', '-p2202', '-Co', 'User=u2'])).toEqual({
      options: [
        ['ControlMaster', ['auto']], ['StrictHostKeyChecking', ['no']], ['Port', ['2200']], ['Port', ['2201']], ['User', ['admin']],
        ['IdentityFile', ['k']], ['ProxyJump', ['a,b']], ['Port', ['2202']], ['User', ['u2']],
      ],
      configFile: 'cfg',
    });
  });

  it('ProxyJump specs', () => {
    expect(parseJump('meta')).toEqual({ user: undefined, host: 'meta', port: undefined });
    expect(parseJump('admin@10.0.0.1:2222')).toEqual({ user: 'admin', host: '10.0.0.1', port: 2222 });
    expect(parseJump('[::1]:22')).toEqual({ user: undefined, host: '::1', port: 22 });
    expect(() => parseJump('a:b:c')).toThrow(/bad ProxyJump/);
  });
});

describe('resolve', () => {
  it('defaults: OpenSSH known_hosts files, unknown hosts refused, root on port 22', () => {
    const ctx = home();
    const s = resolveSshSettings('10.0.0.5', {}, ctx);
    expect(s).toMatchObject({ host: '10.0.0.5', address: '10.0.0.5', port: 22, user: 'root', identityFiles: [], jumps: [], become: false });
    expect(s.error).toBeUndefined();
    expect(s.hostKeys).toEqual({
      userKnownHosts: [`${ctx.home}/.ssh/known_hosts`, `${ctx.home}/.ssh/known_hosts2`],
      globalKnownHosts: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      unknown: 'refuse',
      unknownFrom: expect.stringMatching(/default/),
      hash: false,
    });
  });

  it('inventory variables; relative paths (key, -o files, -F) against the inventory directory', () => {
    const ctx = home();
    const cfg = path.join(ctx.home, 'inv', 'ssh.cfg');
    fs.mkdirSync(path.dirname(cfg));
    fs.writeFileSync(cfg, 'Host *\n  ConnectTimeout 7\n');
    const s = resolveSshSettings('pg-1', {
      ansible_host: '10.0.0.5', ansible_port: 2222, ansible_user: 'admin', ansible_ssh_private_key_file: 'keys/id', ansible_ssh_pass: 'pw',
      ansible_become: 'yes', ansible_ssh_common_args: '-F ssh.cfg -o UserKnownHostsFile=kh -o GlobalKnownHostsFile=~/g',
    }, { ...ctx, inventoryDir: path.dirname(cfg) });
    expect(s).toMatchObject({
      address: '10.0.0.5', port: 2222, user: 'admin', keyFile: path.join(path.dirname(cfg), 'keys/id'), password: 'pw', become: true, connectTimeoutMs: 7000,
    });
    expect(s.hostKeys.userKnownHosts).toEqual([path.join(path.dirname(cfg), 'kh')]);
    expect(s.hostKeys.globalKnownHosts).toEqual([path.join(ctx.home, 'g')]);
    expect(resolveSshSettings('h', { ansible_ssh_private_key_file: '~/id' }, ctx).keyFile).toBe(path.join(ctx.home, 'id'));
  });

  it('precedence: explicit variable > args (ssh_args, common, extra; first wins) > ssh config > default', () => {
    const ctx = home('Host db\n  Port 2000\n  User cfguser\n  ConnectTimeout 3\n  StrictHostKeyChecking no\n  UserKnownHostsFile /cfg/kh\n');
    const vars = {
      ansible_host: 'db',
      ansible_ssh_args: '-o Port=2100',
      ansible_ssh_common_args: '-o Port=2200 -o User=argsuser -o StrictHostKeyChecking=accept-new',
      ansible_ssh_extra_args: '-o StrictHostKeyChecking=yes -o ConnectTimeout=4',
    };
    expect(resolveSshSettings('db', vars, ctx)).toMatchObject({ port: 2100, user: 'argsuser', connectTimeoutMs: 4000, hostKeys: { unknown: 'record', userKnownHosts: ['/cfg/kh'] } });
    expect(resolveSshSettings('db', { ...vars, ansible_port: '22', ansible_user: 'invuser', ansible_timeout: 9 }, ctx)).toMatchObject({ port: 22, user: 'invuser', connectTimeoutMs: 9000 });
    expect(resolveSshSettings('db', { ansible_host: 'db' }, ctx)).toMatchObject({ port: 2000, user: 'cfguser', connectTimeoutMs: 3000, hostKeys: { unknown: 'record' } });
  });

  it('ssh_config: first value wins across blocks, patterns with negation, HostName %h, IdentityFile accumulates with ~', () => {
    const ctx = home([
      '# comment',
      'Host *.internal !bastion.internal',
      '  HostName %h.example.com',
      '  IdentityFile ~/.ssh/internal_key',
      'Host db1.internal',
      '  HostName 10.0.0.1',
      '  User=dba',
      '  IdentityFile "/keys/with space"',
      'Host *',
      '  User everyone',
      '  Port 2022',
      '  UserKnownHostsFile ~/.ssh/kh1 /abs/kh2',
      '  GlobalKnownHostsFile none',
      '  HashKnownHosts yes',
    ].join('\n'));
    const s = resolveSshSettings('x', { ansible_host: 'db1.internal' }, ctx);
    expect(s).toMatchObject({ address: 'db1.internal.example.com', user: 'dba', port: 2022 });
    expect(s.identityFiles).toEqual([path.join(ctx.home, '.ssh/internal_key'), '/keys/with space']);
    expect(s.hostKeys).toMatchObject({ userKnownHosts: [path.join(ctx.home, '.ssh/kh1'), '/abs/kh2'], globalKnownHosts: [], hash: true });
    const b = resolveSshSettings('bastion.internal', {}, ctx);
    expect(b).toMatchObject({ address: 'bastion.internal', user: 'everyone', identityFiles: [] });
  });

  it('the system config comes after the user config; -F replaces both', () => {
    const ctx = home('Host *\n  User fromuser\n', 'Host *\n  User fromsystem\n  Port 2345\n');
    expect(resolveSshSettings('h', {}, ctx)).toMatchObject({ user: 'fromuser', port: 2345 });
    const f = path.join(ctx.home, 'only');
    fs.writeFileSync(f, 'Port 2400\n');
    expect(resolveSshSettings('h', { ansible_ssh_extra_args: `-F ${f}` }, ctx)).toMatchObject({ user: 'root', port: 2400 });
  });

  it('Include (globs, relative to ~/.ssh) and Match host / all; other Match criteria are skipped', () => {
    const ctx = home('Include conf.d/*.conf\nMatch exec "true"\n  User never\nMatch host 10.*\n  Port 2500\nMatch all\n  User last\n');
    fs.mkdirSync(path.join(ctx.home, '.ssh', 'conf.d'));
    fs.writeFileSync(path.join(ctx.home, '.ssh', 'conf.d', 'a.conf'), 'Host special\n  User included\n');
    expect(resolveSshSettings('special', {}, ctx)).toMatchObject({ user: 'included', port: 22 });
    expect(resolveSshSettings('10.1.1.1', {}, ctx)).toMatchObject({ user: 'last', port: 2500 });
  });

  it('StrictHostKeyChecking and Ansible host_key_checking', () => {
    const ctx = home();
    const unknown = (vars: Record<string, unknown>, env: Record<string, string> = {}) => resolveSshSettings('h', vars, { ...ctx, env }).hostKeys.unknown;
    const args = (v: string) => ({ ansible_ssh_common_args: `-o StrictHostKeyChecking=${v}` });
    expect(unknown(args('yes'))).toBe('refuse');
    expect(unknown(args('ask'))).toBe('refuse');
    expect(unknown(args('accept-new'))).toBe('record');
    expect(unknown(args('no'))).toBe('record');
    expect(unknown(args('off'))).toBe('record');
    expect(unknown({ ansible_host_key_checking: false })).toBe('accept');
    expect(unknown({ ansible_host_key_checking: 'False', ...args('yes') })).toBe('accept');
    expect(unknown({}, { ANSIBLE_HOST_KEY_CHECKING: 'False' })).toBe('accept');
    expect(unknown({ ansible_host_key_checking: true }, { ANSIBLE_HOST_KEY_CHECKING: 'False' })).toBe('refuse');
    expect(resolveSshSettings('h', {}, { ...ctx, env: { ANSIBLE_HOST_KEY_CHECKING: 'false' } }).hostKeys.unknownFrom).toBe('ANSIBLE_HOST_KEY_CHECKING=False');
    expect(resolveSshSettings('h', args('maybe'), ctx).error).toMatch(/StrictHostKeyChecking 'maybe' is not yes, accept-new, no, off or ask/);
  });

  it('ProxyJump: a comma list of hops, each resolved through the ssh config, inheriting the target\'s key settings', () => {
    const ctx = home('Host bastion\n  HostName 10.0.0.1\n  User jumper\n  UserKnownHostsFile /bastion/kh\n');
    const s = resolveSshSettings('db', {
      ansible_ssh_private_key_file: '/keys/id',
      ansible_ssh_common_args: '-o ProxyJump=bastion,admin@10.0.0.2:2200 -o UserKnownHostsFile=/target/kh -o StrictHostKeyChecking=accept-new',
    }, ctx);
    expect(s.error).toBeUndefined();
    expect(s.jumps).toEqual([
      { name: 'bastion', address: '10.0.0.1', port: 22, user: 'jumper', identityFiles: ['/keys/id'],
        hostKeys: expect.objectContaining({ userKnownHosts: ['/bastion/kh'], unknown: 'record' }) },
      { name: 'admin@10.0.0.2:2200', address: '10.0.0.2', port: 2200, user: 'admin', identityFiles: ['/keys/id'],
        hostKeys: expect.objectContaining({ userKnownHosts: ['/target/kh'], unknown: 'record' }) },
    ]);
    expect(resolveSshSettings('db', { ansible_ssh_extra_args: '-J none' }, ctx).jumps).toEqual([]);
    expect(resolveSshSettings('db', { ansible_ssh_extra_args: '-J bastion' }, ctx).jumps.map((j) => j.address)).toEqual(['10.0.0.1']);
  });

  it('bad settings become an error for connect() (never a throw)', () => {
    const ctx = home();
    expect(resolveSshSettings('h', { ansible_ssh_common_args: "-o 'User=x" }, ctx).error).toMatch(/ansible_ssh_common_args: No closing quotation/);
    expect(resolveSshSettings('h', { ansible_ssh_common_args: '-o ProxyCommand="nc %h %p"' }, ctx).error).toMatch(/ProxyCommand .* is not supported: use ProxyJump/);
    expect(resolveSshSettings('h', { ansible_ssh_common_args: '-F /nonexistent/cfg' }, ctx).error).toMatch(/cannot read ssh config file \/nonexistent\/cfg: ENOENT/);
    expect(resolveSshSettings('h', { ansible_port: 'abc' }, ctx).error).toMatch(/'abc' is not a port/);
    expect(resolveSshSettings('h', { ansible_ssh_common_args: '-o ProxyCommand=none' }, ctx).error).toBeUndefined();
  });
});
