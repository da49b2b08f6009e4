import { describe, expect, it } from 'vitest';
import { hostVars, parseInventory, validateHostVars } from '../../../src/inventory/index.js';

const schema = {
  type: 'object',
  additionalProperties: false, // ignored at the top level: inventories carry other roles' vars
  properties: {
    pg_cluster: { type: 'string', pattern: '^[A-Za-z0-9-]+$', not: { const: 'root' } },
    pg_seq: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+$' }] },
    pg_role: { type: 'string', enum: ['primary', 'replica', 'offline', 'standby', 'delayed'] },
    pg_port: { type: 'integer', minimum: 1, maximum: 65535 },
    pg_users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, password: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};

function check(yaml: string) {
  const inv = parseInventory(yaml, 'inv/bad.yml');
  const hosts = [...inv.hosts.keys()].map((h) => ({ host: h, ...hostVars(inv, h) }));
  return validateHostVars(schema, hosts, inv.file);
}

describe('schema errors', () => {
  it('an unknown enum value lists what is allowed, with file, path and line', () => {
    const errs = check('all:\n  children:\n    pg-test:\n      hosts:\n        10.10.10.11: { pg_seq: 1, pg_role: master }\n');
    expect(errs).toEqual([
      {
        file: 'inv/bad.yml',
        path: 'all.children.pg-test.hosts.10.10.10.11.pg_role',
        line: 5,
        message: 'pg_role must be one of primary, replica, offline, standby, delayed (got "master")',
      },
    ]);
  });

  it('wrong types, ranges, patterns, not, anyOf', () => {
    const errs = check(
      'all:\n  vars:\n    pg_port: "5432"\n  children:\n    pg-test:\n      vars: { pg_cluster: root }\n      hosts:\n        h1: { pg_seq: -1 }\n        h2: { pg_seq: 1, pg_port: 70000 }\n        h3: { pg_cluster: "pg test" }\n',
    );
    const msgs = errs.map((e) => `${e.path}: ${e.message}`);
    expect(msgs).toContain('all.vars.pg_port: pg_port must be an integer (got "5432")');
    expect(msgs).toContain('all.children.pg-test.vars.pg_cluster: pg_cluster must not be root (got "root")');
    expect(msgs).toContain('all.children.pg-test.hosts.h1.pg_seq: pg_seq must be an integer >= 0 or a string matching ^[0-9]+$ (got -1)');
    expect(msgs).toContain('all.children.pg-test.hosts.h2.pg_port: pg_port must be <= 65535 (got 70000)');
    expect(msgs).toContain('all.children.pg-test.hosts.h3.pg_cluster: pg_cluster must match the pattern ^[A-Za-z0-9-]+$ (got "pg test")');
  });

  it('reports a value shared by several hosts once', () => {
    const errs = check('all:\n  children:\n    pg-test:\n      vars: { pg_role: leader }\n      hosts: { h1: , h2: , h3: }\n');
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ path: 'all.children.pg-test.vars.pg_role', line: 4 });
  });

  it('nested errors extend the path of the top-level value; secrets are not shown', () => {
    const errs = check(
      'all:\n  children:\n    pg-test:\n      vars:\n        pg_users:\n          - { name: u1, password: 12345678 }\n          - { password: Secret.Pass.1 }\n      hosts: { h1: }\n',
    );
    expect(errs).toEqual([
      {
        file: 'inv/bad.yml',
        path: 'all.children.pg-test.vars.pg_users[0].password',
        line: 5,
        message: 'pg_users[0].password must be a string (got ********)',
      },
      { file: 'inv/bad.yml', path: 'all.children.pg-test.vars.pg_users[1].name', line: 5, message: 'pg_users[1].name is required but not defined' },
    ]);
    const typed = check('all:\n  vars:\n    pg_users: [ { name: 1, password: Another.Secret } ]\n  hosts: { h1: }\n');
    expect(typed[0].message).toBe('pg_users[0].name must be a string (got 1)');
    const whole = check('all:\n  vars:\n    pg_users: { name: u, password: Third.Secret.Value }\n  hosts: { h1: }\n');
    expect(whole[0].message).toBe('pg_users must be a list (got {"name":"u","password":"********"})');
  });

  it('keeps each message on one line and adds the schema description when there is one', () => {
    const withDesc = { type: 'object', properties: { pg_role: { enum: ['primary', 'replica'], description: 'instance role' } } };
    const errs = validateHostVars(withDesc, [{ host: 'h1', vars: { pg_role: 'x' }, sources: {} }], 'inv.yml');
    expect(errs).toEqual([{ file: 'inv.yml', message: 'host h1: pg_role must be one of primary, replica (got "x") — instance role' }]);
    expect(errs[0].message).not.toMatch(/\n/);
  });

  it('accepts valid hosts and unknown variables', () => {
    expect(check('all:\n  children:\n    pg-test:\n      vars: { pg_cluster: pg-test, other_role_var: [1] }\n      hosts:\n        h1: { pg_seq: 1, pg_role: primary }\n        h2: { pg_seq: "2", pg_role: replica }\n')).toEqual([]);
  });
});
