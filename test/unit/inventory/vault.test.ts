/**
 * ansible-vault 1.1 / 1.2: files and inline values made by the real ansible-vault (committed under
 * test/fixtures/ansible-estate, and made afresh here when /usr/bin/ansible-vault is installed),
 * opened with Node's crypto; password files, scripts, vault ids and prompts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/api/errors.js';
import { redact } from '../../../src/api/secrets.js';
import { decryptVault, openVaulted, type VaultSecret } from '../../../src/inventory/vault.js';
import { readVaultSecrets } from '../../../src/inventory/vault-secrets.js';
import { parseYaml, yamlValue } from '../../../src/inventory/yaml-source.js';

const ESTATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/ansible-estate');
const ANSIBLE_VAULT = '/usr/bin/ansible-vault';
const hasVault = fs.existsSync(ANSIBLE_VAULT);
const secret = (password: string, id = 'default'): VaultSecret => ({ id, password: Buffer.from(password) });
const DEFAULT = secret('estate-vault-pw');
const META = secret('meta-vault-pw', 'meta');
const read = (rel: string): string => fs.readFileSync(path.join(ESTATE, rel), 'utf8');

function errorOf(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('decryptVault', () => {
  it('opens a whole file encrypted with format 1.1', () => {
    expect(decryptVault(read('inventory/group_vars/pg-test/vault.yml'), [DEFAULT], { file: 'vault.yml' })).toBe(
      'vault_test_password: Vault.Secret-11\npg_admin_password: Admin.Secret-22\n',
    );
  });

  it('opens an inline !vault value with format 1.2 and a vault id, trying the matching id first', () => {
    const y = parseYaml(read('inventory/group_vars/pg-meta.yml'), 'pg-meta.yml');
    const value = yamlValue(y, y.doc.contents);
    expect(openVaulted(value, [DEFAULT, META], { file: 'pg-meta.yml' })).toEqual({ where_set: 'inventory-group_vars-pg-meta', pg_monitor_password: 'Meta.Secret-33' });
    expect(redact('password Meta.Secret-33 here')).toBe('password ******** here');
  });

  it('a wrong password: "decryption failed" naming the file, the path of an inline value and the ids tried', () => {
    const e = errorOf(() => decryptVault(read('inventory/group_vars/pg-test/vault.yml'), [secret('nope')], { file: 'gv/vault.yml' }));
    expect(e.message).toMatch(/^Invalid inventory gv\/vault.yml: decryption failed: .*encrypted with ansible-vault.*'default'/);
    expect(e.exitCode).toBe(4);
    const y = parseYaml(read('inventory/group_vars/pg-meta.yml'), 'pg-meta.yml');
    const inline = errorOf(() => openVaulted(yamlValue(y, y.doc.contents), [secret('nope', 'meta')], { file: 'pg-meta.yml' }));
    expect(inline.message).toMatch(/pg-meta.yml at pg_monitor_password: decryption failed: this value is encrypted with ansible-vault \(vault id 'meta'\)/);
  });

  it('no password: says which flags give one', () => {
    const e = errorOf(() => decryptVault(read('inventory/redis.yml'), [], { file: 'redis.yml' }));
    expect(e.message).toMatch(/redis.yml: this file is encrypted with ansible-vault and no vault password was given: use --vault-password-file FILE, --vault-id .* or --ask-vault-pass/);
  });

  it('a tampered ciphertext fails the HMAC check; a broken envelope is named as such', () => {
    const text = read('inventory/redis.yml');
    const lines = text.split('\n');
    const last = lines.length - 2; // the last line of hex (the file ends with a newline)
    lines[last] = lines[last].slice(0, -2) + (lines[last].endsWith('30') ? '31' : '30');
    expect(errorOf(() => decryptVault(lines.join('\n'), [DEFAULT], { file: 'x' })).message).toMatch(/decryption failed/);
    expect(errorOf(() => decryptVault('$ANSIBLE_VAULT;1.0;AES\nabcd\n', [DEFAULT], { file: 'x' })).message).toMatch(/format version '1.0'/);
    expect(errorOf(() => decryptVault('$ANSIBLE_VAULT;1.1;AES256\nzz\n', [DEFAULT], { file: 'x' })).message).toMatch(/not hexadecimal/);
  });

  it.skipIf(!hasVault)('opens what the real ansible-vault encrypts now (1.1 and 1.2, multi-line, unicode, 16-byte aligned)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-vault-'));
    const pw = path.join(dir, 'pw');
    fs.writeFileSync(pw, 'fresh pass ✓\n');
    for (const [i, plain] of ['a: 1\n', 'x'.repeat(32), 'mot de passe: «été»\nligne 2\n'].entries()) {
      const f = path.join(dir, `f${i}`);
      fs.writeFileSync(f, plain);
      const args = i === 1 ? ['--vault-id', `lab@${pw}`, '--encrypt-vault-id', 'lab'] : ['--vault-password-file', pw];
      execFileSync(ANSIBLE_VAULT, ['encrypt', ...args, f], { stdio: 'pipe' });
      const text = fs.readFileSync(f, 'utf8');
      expect(text.split('\n')[0]).toBe(i === 1 ? '$ANSIBLE_VAULT;1.2;AES256;lab' : '$ANSIBLE_VAULT;1.1;AES256');
      expect(decryptVault(text, [secret('fresh pass ✓', i === 1 ? 'lab' : 'default')], { file: f })).toBe(plain);
    }
  });
});

describe('readVaultSecrets', () => {
  const noPrompt = async (): Promise<string> => {
    throw new Error('no prompt expected');
  };

  it('reads a password file (stripped), an executable script (its stdout) and label@file vault ids', async () => {
    const got = await readVaultSecrets(
      { passwordFiles: ['vault-pass.txt', 'vault-pass.sh'], vaultIds: ['meta@vault-pass-meta.txt', 'vault-pass.txt'] },
      noPrompt,
      ESTATE,
    );
    expect(got.map((s) => [s.id, s.password.toString()])).toEqual([
      ['default', 'estate-vault-pw'],
      ['default', 'estate-vault-pw'],
      ['meta', 'meta-vault-pw'],
      ['default', 'estate-vault-pw'],
    ]);
  });

  it('asks for prompt sources and --ask-vault-pass, saying which flag asks', async () => {
    const asked: string[] = [];
    const got = await readVaultSecrets({ vaultIds: ['meta@prompt'], askVaultPass: true }, async (q, flag) => {
      asked.push(`${flag}|${q}`);
      return `typed-${asked.length}`;
    });
    expect(asked).toEqual(['--vault-id meta@prompt|Vault password (meta): ', '--ask-vault-pass|Vault password: ']);
    expect(got.map((s) => [s.id, s.password.toString()])).toEqual([['meta', 'typed-1'], ['default', 'typed-2']]);
    expect(redact('typed-1')).toBe('********');
  });

  it('a missing file, a failing script and an empty password are user errors', async () => {
    await expect(readVaultSecrets({ passwordFiles: ['nope.txt'] }, noPrompt, ESTATE)).rejects.toThrow(/--vault-password-file: the vault password file .*nope.txt does not exist/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-vault-'));
    fs.writeFileSync(path.join(dir, 'fail.sh'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'empty'), '\n');
    await expect(readVaultSecrets({ vaultIds: ['x@fail.sh'] }, noPrompt, dir)).rejects.toThrow(/--vault-id x@fail.sh: the vault password script .*fail.sh failed \(exit 3\)/);
    await expect(readVaultSecrets({ passwordFiles: ['empty'] }, noPrompt, dir)).rejects.toThrow(/vault password from empty is empty/);
    await expect(readVaultSecrets({ vaultIds: ['x@'] }, noPrompt, dir)).rejects.toThrow(/names no password source/);
  });
});
