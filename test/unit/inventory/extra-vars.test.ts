import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/api/errors.js';
import { redact } from '../../../src/api/secrets.js';
import { parseExtraVars } from '../../../src/inventory/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-extra-'));
fs.writeFileSync(path.join(dir, 'vars.yml'), '# extra\npg_role: replica\npg_weight: 50\nnested: {a: [1, 2]}\n');
fs.writeFileSync(path.join(dir, 'vars.json'), '{"pg_role": "offline", "flag": true}\n');
fs.writeFileSync(path.join(dir, 'list.yml'), '- a\n- b\n');
fs.writeFileSync(path.join(dir, 'broken.yml'), 'a: 1\nb: [\n');

const parse = (...args: string[]) => parseExtraVars(args, dir);

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('extra vars (-e)', () => {
  it('JSON', () => {
    expect(parse('{"pg_pitr": {"time": "2026-01-01 10:00:00+00"}, "n": 1}').vars).toEqual({ pg_pitr: { time: '2026-01-01 10:00:00+00' }, n: 1 });
  });

  it('YAML flow mappings', () => {
    expect(parse('{pg_pitr: {time: "2026-01-01 10:00:00+00"}}').vars).toEqual({ pg_pitr: { time: '2026-01-01 10:00:00+00' } });
    expect(parse('{pg_pitr: {}, flag: yes}').vars).toEqual({ pg_pitr: {}, flag: true });
  });

  it('key=value pairs stay strings; quotes group words', () => {
    expect(parse('pg_reload=true pg_seq=3 msg="hello world" other=\'x y\'').vars).toEqual({
      pg_reload: 'true',
      pg_seq: '3',
      msg: 'hello world',
      other: 'x y',
    });
    expect(parse('etcd_init=existing').vars).toEqual({ etcd_init: 'existing' });
    expect(parse('a=b=c').vars).toEqual({ a: 'b=c' });
  });

  it('@file.yml and @file.json, with file and line as sources', () => {
    const r = parse('@vars.yml');
    expect(r.vars).toEqual({ pg_role: 'replica', pg_weight: 50, nested: { a: [1, 2] } });
    expect(r.sources.pg_weight).toEqual({ file: 'vars.yml', path: 'pg_weight', line: 3 });
    expect(parse('@vars.json').vars).toEqual({ pg_role: 'offline', flag: true });
  });

  it('is repeatable; later arguments win key by key (no deep merge)', () => {
    const r = parse('@vars.yml', 'pg_role=primary', '{nested: {b: 1}}', '');
    expect(r.vars).toEqual({ pg_role: 'primary', pg_weight: 50, nested: { b: 1 } });
    expect(r.sources.pg_role).toEqual({ file: '-e #2', path: 'pg_role', keyValue: true });
    expect(r.sources.nested).toEqual({ file: '-e #3', path: 'nested' });
  });

  it('registers secrets', () => {
    parse('{"pg_admin_password": "Very.Secret.Pass"}');
    expect(redact('x Very.Secret.Pass y')).toBe('x ******** y');
  });

  it('rejects bad input, naming the argument and the allowed forms', () => {
    const kv = errorOf(() => parse('pg_role=replica', 'justaword'));
    expect(kv.message).toMatch(/^Invalid extra vars -e #2 'justaword': 'justaword' is not key=value; use JSON or a YAML mapping/);
    expect(kv.message).toMatch(/@file\.yml/);
    expect(errorOf(() => parse('{pg_pitr: ')).message).toMatch(/-e #1/);
    expect(errorOf(() => parse('[1, 2]')).message).toMatch(/not a mapping/);
    expect(errorOf(() => parse('./vars.yml')).message).toMatch(/write @\.\/vars\.yml/);
    expect(errorOf(() => parse('a="unbalanced')).message).toMatch(/unbalanced quotes/);
  });

  it('rejects bad files, naming the file (and line)', () => {
    expect(errorOf(() => parse('@missing.yml')).message).toMatch(/Cannot read extra vars file missing\.yml \(-e #1\): no such file/);
    expect(errorOf(() => parse('@list.yml')).message).toMatch(/list\.yml.*must hold a YAML or JSON mapping/);
    const broken = errorOf(() => parse('@broken.yml'));
    expect(broken.details[0]).toMatchObject({ file: 'broken.yml' });
    expect(broken.details[0].line).toBeGreaterThan(1);
  });

  it('does not echo an argument that may hold a secret', () => {
    const e = errorOf(() => parse('{pg_password: "Hunter.Two.X"'));
    expect(e.message).not.toContain('Hunter.Two.X');
  });
});

describe('-e @file with ansible-vault', () => {
  const estate = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../fixtures/ansible-estate');
  const vault = [
    { id: 'default', password: Buffer.from('estate-vault-pw') },
    { id: 'meta', password: Buffer.from('meta-vault-pw') },
  ];

  it('an encrypted file and inline !vault values are decrypted, and registered as secrets', () => {
    const whole = parseExtraVars([`@${path.join(estate, 'inventory/group_vars/pg-test/vault.yml')}`], dir, vault);
    expect(whole.vars).toEqual({ vault_test_password: 'Vault.Secret-11', pg_admin_password: 'Admin.Secret-22' });
    const inline = parseExtraVars([`@${path.join(estate, 'inventory/group_vars/pg-meta.yml')}`], dir, vault);
    expect(inline.vars.pg_monitor_password).toBe('Meta.Secret-33');
    expect(redact('x Vault.Secret-11 Meta.Secret-33')).toBe('x ******** ********');
  });

  it('without a password: a user error naming the file, the path and the flags', () => {
    expect(() => parseExtraVars([`@${path.join(estate, 'inventory/group_vars/pg-meta.yml')}`], dir)).toThrow(
      /^Invalid extra vars .*pg-meta.yml:line 2 at pg_monitor_password: this value is encrypted with ansible-vault \(vault id 'meta'\) and no vault password was given: use --vault-password-file/,
    );
  });
});
