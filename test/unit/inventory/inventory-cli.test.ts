/**
 * The vault and the vars directories through the command line (src/cli/main.ts from the sources)
 * and through a run: exit 4 with the file, the path and "decryption failed" or the flag to use, no
 * stack trace; `./run inventory` output redacted; a task echoing a vaulted variable shows ********.
 * No host is contacted: listings stop before connections, and the run uses local-connection hosts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { debug, play, playbook } from '../../../src/api/playbook.js';
import { RedactingReporter } from '../../../src/output/redacting.js';
import { runPlaybook } from '../../../src/runner/run.js';
import { MemoryReporter, options } from '../runner/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ESTATE = path.join(ROOT, 'test/fixtures/ansible-estate');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-invcli-'));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '', HOME, ANSIBLE_CONFIG: '' };
    execFile(TSX, [MAIN, ...args], { cwd: ESTATE, timeout: 60_000, env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const noStack = (stderr: string): void => expect(stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);

describe('./run inventory and the vault flags', () => {
  it('prints the estate as ansible-inventory does, vaulted values as ********', async () => {
    const r = await run(['inventory', '-i', 'inventory', '--vault-password-file', 'vault-pass.sh', '--vault-id', 'meta@vault-pass-meta.txt', '--host', '10.10.10.11']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const vars = JSON.parse(r.stdout);
    expect(vars.vault_test_password).toBe('********');
    expect(vars.where_set).toBe('inventory-host_vars');
    expect(r.stdout).not.toMatch(/Vault.Secret-11|Admin.Secret-22/);
    const g = await run(['inventory', '-i', 'inventory', '--vault-id', 'vault-pass.txt', '--vault-id', 'meta@vault-pass-meta.txt', '--graph', 'pg-test']);
    expect(g.stdout).toBe('@pg-test:\n  |--10.10.10.11\n  |--10.10.10.12\n');
  });

  it('an encrypted file and no password: exit 4 naming the file and the flags', async () => {
    const r = await run(['inventory', '-i', 'inventory', '--list']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^ERROR! Invalid inventory .*inventory\/redis.yml: this file is encrypted with ansible-vault and no vault password was given: use --vault-password-file/);
    noStack(r.stderr);
  });

  it('a wrong password for an inline value: exit 4, file and path, "decryption failed", for a run as for a listing', async () => {
    for (const args of [
      ['inventory', '--list'],
      ['ping', '--list-hosts'],
    ]) {
      const r = await run([...args, '-i', 'inventory', '--vault-password-file', 'vault-pass.txt', '--vault-id', 'meta@vault-pass.txt']);
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr).toMatch(/^ERROR! Invalid vars file .*group_vars\/pg-meta.yml:line 2 at pg_monitor_password: decryption failed: this value is encrypted with ansible-vault \(vault id 'meta'\)/);
      expect(r.stderr).not.toContain('estate-vault-pw');
      noStack(r.stderr);
    }
  });

  it('a missing password file is exit 4; one of --list, --host, --graph is required (exit 5)', async () => {
    const r = await run(['inventory', '-i', 'inventory', '--list', '--vault-password-file', 'nope.txt']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/--vault-password-file: the vault password file .*nope.txt does not exist/);
    const u = await run(['inventory', '-i', 'inventory', '--list', '--graph']);
    expect(u.code).toBe(5);
    expect(u.stderr).toMatch(/give one of --list, --host HOST or --graph \(not --list and --graph\)/);
  });
});

describe('a run with a vaulted group_vars file', () => {
  it('the task sees the decrypted value; the output shows ********', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-vaultrun-'));
    fs.writeFileSync(path.join(dir, 'hosts.yml'), 'all:\n  vars: { ansible_connection: local }\n  children:\n    pg-test:\n      hosts: { h1: }\n');
    fs.mkdirSync(path.join(dir, 'group_vars', 'pg-test'), { recursive: true });
    fs.copyFileSync(path.join(ESTATE, 'inventory/group_vars/pg-test/vault.yml'), path.join(dir, 'group_vars/pg-test/vault.yml'));
    let seen = '';
    const pb = playbook('t', [
      play({
        name: 'p', hosts: 'pg-test', gather_facts: false,
        tasks: [debug('echo', (h) => (seen = `the password is ${String(h.vars.vault_test_password)}`))],
      }),
    ]);
    const mem = new MemoryReporter();
    const vault = [{ id: 'default', password: Buffer.from('estate-vault-pw') }];
    await runPlaybook(pb, options(path.join(dir), { inventoryLoad: { vault } }), new RedactingReporter(mem));
    expect(seen).toBe('the password is Vault.Secret-11');
    const text = JSON.stringify(mem.events);
    expect(text).not.toContain('Vault.Secret-11');
    expect(text).toContain('the password is ********');
  });
});
