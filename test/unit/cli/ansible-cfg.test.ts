/** ansible.cfg and ANSIBLE_* read as ansible-core reads them; compared with the real `ansible-config dump` when it is installed. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/api/errors.js';
import { connectionVars, findAnsibleCfg, parseIni, readAnsibleSettings, type CfgContext } from '../../../src/cli/ansible-cfg.js';

const CFG = `# comment
[defaults]
inventory = inv/hosts.yml, ~/other.ini   ; inline comment
Forks: 25
remote_user = dba
private_key_file = keys/id_ed25519
host_key_checking = no
timeout = 30
vault_password_file = ~/.vault_pass
; another
[privilege_escalation]
become = yes
become_user = postgres

[ssh_connection]
ssh_args = -C -o ControlMaster=auto
  -o ControlPersist=60s
`;

function ctx(files: Record<string, string>, env: Record<string, string> = {}, o: Partial<CfgContext> = {}): CfgContext {
  return { env, cwd: '/work/proj', home: '/home/me', readFile: (f) => files[f], isDir: (p) => Object.keys(files).some((f) => f.startsWith(p + '/')), ...o };
}

describe('ansible.cfg', () => {
  it('parses configparser INI: comments, key = value and key: value, continuation lines', () => {
    const ini = parseIni(CFG, 'ansible.cfg');
    expect(ini.defaults.forks).toEqual({ value: '25', line: 4 });
    expect(ini.defaults.inventory.value).toBe('inv/hosts.yml, ~/other.ini');
    expect(ini.ssh_connection.ssh_args.value).toBe('-C -o ControlMaster=auto\n-o ControlPersist=60s');
  });

  it('reads the settings, paths against the file directory, ~ expanded', () => {
    const s = readAnsibleSettings(ctx({ '/work/proj/ansible.cfg': CFG }));
    expect(s).toMatchObject({
      file: '/work/proj/ansible.cfg', inventory: ['/work/proj/inv/hosts.yml', '/home/me/other.ini'], forks: 25, remoteUser: 'dba',
      privateKeyFile: '/work/proj/keys/id_ed25519', hostKeyChecking: false, timeout: 30, vaultPasswordFile: '/home/me/.vault_pass',
      become: true, becomeUser: 'postgres',
    });
    expect(s.origin.forks).toBe('/work/proj/ansible.cfg:4');
  });

  it('finds ANSIBLE_CONFIG first, then ./ansible.cfg, then ~/.ansible.cfg, and never merges', () => {
    const files = { '/work/proj/ansible.cfg': '[defaults]\nforks=2\n', '/home/me/.ansible.cfg': '[defaults]\nforks=3\nremote_user=x\n', '/etc/a/ansible.cfg': '[defaults]\nforks=4\n' };
    expect(findAnsibleCfg(ctx(files))).toBe('/work/proj/ansible.cfg');
    expect(findAnsibleCfg(ctx(files, { ANSIBLE_CONFIG: '/etc/a' }))).toBe('/etc/a/ansible.cfg');
    expect(findAnsibleCfg(ctx(files, { ANSIBLE_CONFIG: '/etc/a/ansible.cfg' }))).toBe('/etc/a/ansible.cfg');
    expect(findAnsibleCfg(ctx({ '/home/me/.ansible.cfg': '' }))).toBe('/home/me/.ansible.cfg');
    const s = readAnsibleSettings(ctx(files));
    expect(s.forks).toBe(2);
    expect(s.remoteUser).toBeUndefined(); // not merged with ~/.ansible.cfg
    const warnings: string[] = [];
    expect(findAnsibleCfg(ctx(files, {}, { worldWritable: () => true }), warnings)).toBe('/home/me/.ansible.cfg');
    expect(warnings[0]).toMatch(/world writable/);
  });

  it('the environment beats the file; relative env paths against the current directory', () => {
    const s = readAnsibleSettings(ctx({ '/work/proj/ansible.cfg': CFG }, { ANSIBLE_FORKS: '7', ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_PRIVATE_KEY_FILE: 'k', ANSIBLE_BECOME: '0' }));
    expect(s).toMatchObject({ forks: 7, hostKeyChecking: true, privateKeyFile: '/work/proj/k', become: false, remoteUser: 'dba' });
    expect(s.origin.forks).toBe('ANSIBLE_FORKS');
  });

  it('refuses a bad value naming the file, line and what is allowed', () => {
    const bad = (text: string, env: Record<string, string> = {}) => {
      try {
        readAnsibleSettings(ctx({ '/work/proj/ansible.cfg': text }, env));
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        expect((e as UserError).exitCode).toBe(4);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad('[defaults]\nforks = many\n')).toBe('Invalid ansible.cfg /work/proj/ansible.cfg:line 2: [defaults] forks = "many": must be a positive integer');
    expect(bad('[privilege_escalation]\nbecome = maybe\n')).toMatch(/ansible.cfg:line 2: .*become = "maybe": must be a boolean/);
    expect(bad('[defaults\nforks = 2\n')).toMatch(/line 1: unclosed section header/);
    expect(bad('forks = 2\n')).toMatch(/line 1: 'forks' comes before any \[section\]/);
    expect(bad('', { ANSIBLE_TIMEOUT: '-1' })).toMatch(/ANSIBLE_TIMEOUT="-1": must be a positive integer/);
  });

  it('turns connection settings into the variables the connector reads', () => {
    expect(connectionVars({ remoteUser: 'dba', privateKeyFile: '/k', hostKeyChecking: false, timeout: 30, become: true, becomeUser: 'postgres', sshArgs: '-C' })).toEqual({
      ansible_user: 'dba', ansible_private_key_file: '/k', ansible_host_key_checking: false, ansible_timeout: 30, ansible_become: true, ansible_become_user: 'postgres', ansible_ssh_args: '-C',
    });
  });

  const ansibleConfig = ['/usr/bin/ansible-config', '/usr/local/bin/ansible-config'].find((f) => fs.existsSync(f));
  it.skipIf(!ansibleConfig)('agrees with the real ansible-config dump (skipped where ansible-config is not installed)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-cfg-'));
    fs.chmodSync(dir, 0o755);
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(dir, 'ansible.cfg'), CFG);
    const out = execFileSync(ansibleConfig!, ['dump', '--only-changed'], { cwd: dir, env: { PATH: process.env.PATH, HOME: home, ANSIBLE_FORKS: '9' }, encoding: 'utf8' });
    const real = Object.fromEntries(out.trim().split('\n').map((l) => /^(\w+)\(([^)]*)\) = (.*)$/.exec(l)!).map((m) => [m[1], m[3]]));
    const s = readAnsibleSettings({ env: { ANSIBLE_FORKS: '9' }, cwd: dir, home, readFile: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined) });
    const py = (v: unknown) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : Array.isArray(v) ? `[${v.map((x) => `'${x}'`).join(', ')}]` : String(v));
    expect({
      DEFAULT_BECOME: py(s.become), DEFAULT_BECOME_USER: py(s.becomeUser), DEFAULT_FORKS: py(s.forks), DEFAULT_HOST_LIST: py(s.inventory),
      DEFAULT_PRIVATE_KEY_FILE: py(s.privateKeyFile), DEFAULT_REMOTE_USER: py(s.remoteUser), DEFAULT_TIMEOUT: py(s.timeout), HOST_KEY_CHECKING: py(s.hostKeyChecking),
      DEFAULT_VAULT_PASSWORD_FILE: py(s.vaultPasswordFile),
    }).toEqual({
      DEFAULT_BECOME: real.DEFAULT_BECOME, DEFAULT_BECOME_USER: real.DEFAULT_BECOME_USER, DEFAULT_FORKS: real.DEFAULT_FORKS, DEFAULT_HOST_LIST: real.DEFAULT_HOST_LIST,
      DEFAULT_PRIVATE_KEY_FILE: real.DEFAULT_PRIVATE_KEY_FILE, DEFAULT_REMOTE_USER: real.DEFAULT_REMOTE_USER, DEFAULT_TIMEOUT: real.DEFAULT_TIMEOUT, HOST_KEY_CHECKING: real.HOST_KEY_CHECKING,
      DEFAULT_VAULT_PASSWORD_FILE: real.DEFAULT_VAULT_PASSWORD_FILE,
    });
    expect(real.DEFAULT_FORKS).toBe('9');
  });
});
