/** Flags over ANSIBLE_* over ansible.cfg; all of them below the inventory's ansible_* variables and -e. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../../src/cli/args.js';
import { readAnsibleSettings } from '../../../src/cli/ansible-cfg.js';
import { askPasswords, connectionSettings } from '../../../src/cli/connection-settings.js';
import { promptSecret } from '../../../src/cli/prompt.js';
import { hostVars, loadInventory } from '../../../src/inventory/index.js';
import { redact } from '../../../src/api/secrets.js';
import { resolveSshSettings } from '../../../src/connectors/ssh-settings.js';

const CFG = '[defaults]\nremote_user = cfguser\nforks = 4\nprivate_key_file = keys/id\n[privilege_escalation]\nbecome = no\nbecome_user = postgres\n';
const settings = (env: Record<string, string> = {}) =>
  readAnsibleSettings({ env, cwd: '/p', home: '/h', readFile: (f) => (f === '/p/ansible.cfg' ? CFG : undefined) });

describe('connection settings', () => {
  it('parses the flags Ansible users type', () => {
    const a = parseCli(['pgsql', '-u', 'dba', '--private-key', '~/k', '-k', '-K', '-b', '--become-user', 'pg', '--syntax-check', '-vvvv']);
    expect(a).toMatchObject({ user: 'dba', privateKey: '~/k', askPass: true, askBecomePass: true, become: true, becomeUser: 'pg', syntaxCheck: true, verbosity: 4, forks: undefined });
    expect(parseCli(['pgsql', '--key-file', 'k2']).privateKey).toBe('k2');
  });

  it('flags beat ANSIBLE_* which beat ansible.cfg', () => {
    const none = connectionSettings(parseCli(['pgsql']), settings(), '/p');
    expect(none).toMatchObject({ forks: 4, vars: { ansible_user: 'cfguser', ansible_private_key_file: '/p/keys/id', ansible_become: false, ansible_become_user: 'postgres' } });
    const env = connectionSettings(parseCli(['pgsql']), settings({ ANSIBLE_REMOTE_USER: 'envuser', ANSIBLE_FORKS: '6' }), '/p');
    expect(env).toMatchObject({ forks: 6, vars: { ansible_user: 'envuser' } });
    const flags = connectionSettings(parseCli(['pgsql', '-u', 'flaguser', '-f', '2', '-b', '--private-key', 'k']), settings({ ANSIBLE_REMOTE_USER: 'envuser' }), '/w');
    expect(flags).toMatchObject({ forks: 2, vars: { ansible_user: 'flaguser', ansible_become: true, ansible_private_key_file: '/w/k' } });
  });

  it('the inventory beats them, -e beats the inventory (as Ansible: ansible_user wins over -u)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-conn-'));
    fs.writeFileSync(path.join(dir, 'inv.yml'), 'all:\n  hosts:\n    a: { ansible_user: invuser }\n    b: {}\n');
    const inv = loadInventory(path.join(dir, 'inv.yml'));
    const conn = connectionSettings(parseCli(['pgsql', '-u', 'flaguser']), settings(), dir);
    expect(hostVars(inv, 'a', { defaults: conn.vars }).vars.ansible_user).toBe('invuser');
    expect(hostVars(inv, 'b', { defaults: conn.vars }).vars.ansible_user).toBe('flaguser');
    expect(hostVars(inv, 'a', { defaults: conn.vars, extra: { ansible_user: 'extra' } }).vars.ansible_user).toBe('extra');
  });

  it('reach the SSH settings as connection variables (user, key, host key checking, ssh_args)', () => {
    const cfg = '[defaults]\nremote_user = dba\nprivate_key_file = keys/id\nhost_key_checking = False\ntimeout = 30\n[ssh_connection]\nssh_args = -C -o ControlMaster=auto -o Port=2222\n';
    const s = readAnsibleSettings({ env: {}, cwd: '/p', home: '/h', readFile: (f) => (f === '/p/ansible.cfg' ? cfg : undefined) });
    const vars = connectionSettings(parseCli(['pgsql']), s, '/p').vars;
    const r = resolveSshSettings('h', { ansible_host: '10.0.0.1', ...vars }, { inventoryDir: '/p', home: '/nohome', systemConfig: '' });
    expect(r).toMatchObject({ user: 'dba', keyFile: '/p/keys/id', port: 2222, hostKeys: { unknown: 'accept' } });
  });

  it('-k / -K answers become ansible_password / ansible_become_password, and secrets', async () => {
    const answers = ['sshpass-1234', ''];
    const v = await askPasswords({ askPass: true, askBecomePass: true }, { ansible_user: 'x' }, async () => answers.shift()!);
    expect(v).toEqual({ ansible_user: 'x', ansible_password: 'sshpass-1234', ansible_become_password: 'sshpass-1234' });
  });

  it('prompts without echo on a terminal, and refuses when stdin is not one', async () => {
    const notTty = new PassThrough() as unknown as NodeJS.ReadStream;
    await expect(promptSecret('pw: ', '-k/--ask-pass', { input: notTty, output: new PassThrough() as unknown as NodeJS.WriteStream })).rejects.toThrow(/-k\/--ask-pass needs a terminal/);
    const tty = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[], setRawMode(this: { rawModes: boolean[] }, m: boolean) { this.rawModes.push(m); return this; } });
    const out = new PassThrough();
    let shown = '';
    out.on('data', (d) => (shown += String(d)));
    const p = promptSecret('pw: ', '-k', { input: tty as unknown as NodeJS.ReadStream, output: out as unknown as NodeJS.WriteStream });
    tty.write('s3cret-x\u007fy\r');
    expect(await p).toBe('s3cret-y');
    expect(tty.rawModes).toEqual([true, false]);
    expect(shown).toBe('pw: \n'); // nothing echoed
    expect(redact('the password s3cret-y')).toBe('the password ********');
  });
});
