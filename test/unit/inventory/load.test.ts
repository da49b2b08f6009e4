import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/api/errors.js';
import { redact } from '../../../src/api/secrets.js';
import { loadInventory, parseInventory } from '../../../src/inventory/index.js';
import { expandHostRange } from '../../../src/inventory/host-range.js';
import { pythonLiteral, shlexSplit } from '../../../src/inventory/python-literal.js';

const PIGSTY = `
all:
  children:
    infra: { hosts: { 10.10.10.10: { infra_seq: 1 } } }
    pg-meta:
      hosts:
        10.10.10.10: { pg_seq: 1, pg_role: primary }
      vars:
        pg_cluster: pg-meta
        pg_users: [ { name: dbuser_meta, password: DBUser.Meta.Secret } ]
    pg-test:
      hosts:
        10.10.10.11: { pg_seq: 1, pg_role: primary }
        10.10.10.12: { pg_seq: 2, pg_role: replica }
      vars: { pg_cluster: pg-test }
  vars:
    version: v4.5.0
    pg_admin_password: DBUser.DBA.Secret
`;

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('YAML inventories', () => {
  const inv = parseInventory(PIGSTY, 'inv/pigsty.yml');

  it('reads groups, hosts in first-appearance order, and vars', () => {
    expect([...inv.hosts.keys()]).toEqual(['10.10.10.10', '10.10.10.11', '10.10.10.12']);
    expect([...inv.groups.keys()]).toEqual(['all', 'ungrouped', 'infra', 'pg-meta', 'pg-test']);
    expect(inv.groups.get('pg-test')!.hosts).toEqual(['10.10.10.11', '10.10.10.12']);
    expect(inv.groups.get('all')!.children).toEqual(['ungrouped', 'infra', 'pg-meta', 'pg-test']);
    expect(inv.groups.get('pg-test')!.parents).toEqual(['all']);
    expect(inv.groups.get('pg-test')!.depth).toBe(1);
    expect(inv.groups.get('all')!.vars).toMatchObject({ version: 'v4.5.0' });
    expect(inv.hosts.get('10.10.10.10')!.vars).toEqual({ infra_seq: 1, pg_seq: 1, pg_role: 'primary' });
  });

  it('records file, dotted path and line of every variable', () => {
    expect(inv.hosts.get('10.10.10.12')!.sources.pg_role).toEqual({
      file: 'inv/pigsty.yml',
      path: 'all.children.pg-test.hosts.10.10.10.12.pg_role',
      line: 14,
    });
    expect(inv.groups.get('pg-test')!.sources.pg_cluster).toEqual({ file: 'inv/pigsty.yml', path: 'all.children.pg-test.vars.pg_cluster', line: 15 });
    expect(inv.groups.get('all')!.sources.version).toEqual({ file: 'inv/pigsty.yml', path: 'all.vars.version', line: 17 });
  });

  it('registers secret values for redaction', () => {
    expect(redact('pw=DBUser.DBA.Secret and DBUser.Meta.Secret')).toBe('pw=******** and ********');
  });

  it('merges a group listed under several parents; nested depth; explicit ungrouped and all.hosts', () => {
    const inv2 = parseInventory(
      `
all:
  hosts:
    solo:
  children:
    dc1:
      children:
        web: { hosts: { w1: }, vars: { a: 1 } }
    dc2:
      children:
        web: { hosts: { w2: }, vars: { b: 2 } }
        deep: { children: { deeper: { hosts: { d1: } } } }
    ungrouped: { hosts: { lonely: , w1: } }
other:
  hosts: { o1: }
`,
      'n.yml',
    );
    const web = inv2.groups.get('web')!;
    expect(web.hosts).toEqual(['w1', 'w2']);
    expect(web.vars).toEqual({ a: 1, b: 2 });
    expect(web.parents).toEqual(['dc1', 'dc2']);
    expect(web.depth).toBe(2);
    expect(inv2.groups.get('deeper')!.depth).toBe(3);
    // top-level groups other than all are attached to all; hosts only in all become ungrouped
    expect(inv2.groups.get('other')!.parents).toEqual(['all']);
    expect(inv2.groups.get('ungrouped')!.hosts).toEqual(['lonely', 'solo']);
    expect(inv2.groups.get('all')!.hosts).toEqual(['solo']);
  });

  it('reads host ports, ranges, string shorthands and ansible_group_priority', () => {
    const inv3 = parseInventory(
      `
all:
  children:
    web:
      hosts:
        www[01:03]:
        10.0.0.[8:9]: { tier: front }
        db-[a:c]:
        bastion:2222: { ansible_user: admin }
      vars: { ansible_group_priority: 7 }
    single:
      hosts: only1
`,
      'r.yml',
    );
    expect(inv3.groups.get('web')!.hosts).toEqual(['www01', 'www02', 'www03', '10.0.0.8', '10.0.0.9', 'db-a', 'db-b', 'db-c', 'bastion']);
    expect(inv3.hosts.get('10.0.0.9')!.vars).toEqual({ tier: 'front' });
    expect(inv3.hosts.get('bastion')!.vars).toEqual({ ansible_port: 2222, ansible_user: 'admin' });
    expect(inv3.groups.get('web')!.priority).toBe(7);
    expect(inv3.groups.get('web')!.vars).toEqual({});
    expect(inv3.groups.get('single')!.hosts).toEqual(['only1']);
  });

  it('reads YAML 1.1 scalars as Ansible (PyYAML) does', () => {
    const inv4 = parseInventory('all:\n  vars: {a: yes, b: off, c: y, d: 0755, e: 09, f: 1e3, g: 1:30, h: 2001-12-14, i: 1_000}\n', 'v.yml');
    expect(inv4.groups.get('all')!.vars).toEqual({ a: true, b: false, c: 'y', d: 493, e: '09', f: '1e3', g: 90, h: '2001-12-14', i: 1000 });
  });

  it('resolves anchors, aliases and merge keys', () => {
    const inv5 = parseInventory(
      'all:\n  vars:\n    base: &b {x: 1, y: 2}\n    copy: *b\n    merged: {<<: *b, y: 3}\n  children:\n    g: {hosts: {h: *b}}\n',
      'a.yml',
    );
    expect(inv5.groups.get('all')!.vars).toEqual({ base: { x: 1, y: 2 }, copy: { x: 1, y: 2 }, merged: { x: 1, y: 3 } });
    expect(inv5.hosts.get('h')!.vars).toEqual({ x: 1, y: 2 });
  });

  it('treats a YAML file holding only a string (a git symlink checked out as text) as Ansible does: an INI host list', () => {
    const inv6 = parseInventory('../supabase.yml', 'app/supa.yml');
    expect([...inv6.hosts.keys()]).toEqual(['../supabase.yml']);
  });
});

describe('YAML inventory errors name file, line and path', () => {
  it('broken YAML', () => {
    const e = errorOf(() => parseInventory('all:\n  children:\n    pg-test: {hosts: [\n', 'bad.yml'));
    expect(e.details[0]).toMatchObject({ file: 'bad.yml' });
    expect(e.details[0].line).toBeGreaterThan(0);
    expect(e.message).toMatch(/^Invalid inventory bad\.yml:line \d+: broken YAML/);
  });

  it('hosts that are a list', () => {
    const e = errorOf(() => parseInventory('all:\n  children:\n    pg-test:\n      hosts:\n        - 10.10.10.11\n', 'bad.yml'));
    expect(e.details[0]).toEqual({
      file: 'bad.yml',
      path: 'all.children.pg-test.hosts',
      line: 5,
      message: "'hosts' of group 'pg-test' must be a mapping, found a list",
    });
  });

  it('vars that are not a mapping', () => {
    const e = errorOf(() => parseInventory('all:\n  vars:\n    - a\n', 'bad.yml'));
    expect(e.details[0]).toMatchObject({ path: 'all.vars', line: 3 });
  });

  it('host vars that are not a mapping', () => {
    const e = errorOf(() => parseInventory('all:\n  hosts:\n    h1: [1, 2]\n', 'bad.yml'));
    expect(e.details[0]).toMatchObject({ path: 'all.hosts.h1', line: 3 });
    expect(e.details[0].message).toMatch(/variables of host 'h1' must be a mapping/);
  });

  it('a group that is not a mapping, an unknown group key, a numeric host name', () => {
    expect(errorOf(() => parseInventory('all:\n  children:\n    pg-test: [a]\n', 'b.yml')).details[0]).toMatchObject({ path: 'all.children.pg-test', line: 3 });
    const unknown = errorOf(() => parseInventory('all:\n  children:\n    pg-test:\n      host:\n        h1:\n', 'b.yml'));
    expect(unknown.details[0]).toMatchObject({ path: 'all.children.pg-test.host', line: 4 });
    expect(unknown.details[0].message).toMatch(/only hosts, vars and children/);
    expect(errorOf(() => parseInventory('all:\n  hosts:\n    1.5:\n', 'b.yml')).details[0].message).toMatch(/must be a string/);
  });

  it('an empty file, a list at the top, a plugin config, a group loop', () => {
    expect(errorOf(() => parseInventory('', 'e.yml')).message).toMatch(/empty/);
    expect(errorOf(() => parseInventory('- a\n- b\n', 'e.yml')).message).toMatch(/mapping of groups/);
    expect(errorOf(() => parseInventory('plugin: aws_ec2\n', 'e.yml')).message).toMatch(/plugin/);
    const loop = errorOf(() => parseInventory('a:\n  children:\n    b:\n      children:\n        a:\n', 'e.yml'));
    expect(loop.message).toMatch(/loop/);
    expect(loop.details[0]).toMatchObject({ path: 'a.children.b', line: 3 });
  });

  it('a missing file is a UserError, not a stack trace', () => {
    expect(errorOf(() => loadInventory('/nonexistent/inventory.yml')).message).toMatch(/Cannot read inventory .*no such file/);
  });
});

describe('INI inventories', () => {
  const INI = `# comment
solo ansible_host=192.0.2.1 ansible_port=2222 flag=True num='42' text="hello world"

[web]
web[01:02] http_port=80
10.0.0.[1:2]

[dbs:children]
db
web

[dbs:vars]
level=dbs
quoted = "x y"
number = 010
pyl = {'a': [1, 2.5, None, True]}
spaced = hello # not a comment here

[db]
db1:2201 ansible_user=admin   # trailing comment

[web:vars]
ansible_group_priority=3
`;
  const inv = parseInventory(INI, 'hosts.ini');

  it('reads sections, children declared before the group, ranges and ports', () => {
    expect([...inv.hosts.keys()]).toEqual(['solo', 'web01', 'web02', '10.0.0.1', '10.0.0.2', 'db1']);
    expect(inv.groups.get('ungrouped')!.hosts).toEqual(['solo']);
    expect(inv.groups.get('dbs')!.children).toEqual(['web', 'db']);
    expect(inv.groups.get('db')!.depth).toBe(2);
    expect(inv.groups.get('web')!.priority).toBe(3);
    expect(inv.hosts.get('db1')!.vars).toEqual({ ansible_port: 2201, ansible_user: 'admin' });
  });

  it('evaluates values as Python literals like Ansible, keeping connection vars as host vars', () => {
    expect(inv.hosts.get('solo')!.vars).toEqual({ ansible_host: '192.0.2.1', ansible_port: 2222, flag: true, num: 42, text: 'hello world' });
    expect(inv.groups.get('dbs')!.vars).toEqual({
      level: 'dbs',
      quoted: 'x y',
      number: '010',
      pyl: { a: [1, 2.5, null, true] },
      spaced: 'hello # not a comment here',
    });
    expect(inv.hosts.get('web01')!.sources.http_port).toEqual({ file: 'hosts.ini', path: 'web.hosts.web[01:02].http_port', line: 5 });
    expect(inv.groups.get('dbs')!.sources.quoted).toEqual({ file: 'hosts.ini', path: 'dbs.vars.quoted', line: 14 });
  });

  it('loads a file without extension as INI, and reports INI errors with the line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-inv-'));
    fs.writeFileSync(path.join(dir, 'hosts'), '[app]\napp1\n');
    expect([...loadInventory(path.join(dir, 'hosts')).hosts.keys()]).toEqual(['app1']);
    expect(errorOf(() => parseInventory('[g:vars]\na=1\n', 'x.ini')).message).toMatch(/not defined: g/);
    expect(errorOf(() => parseInventory('[g]\nh1 novalue\n', 'x.ini')).details[0]).toMatchObject({ line: 2 });
    expect(errorOf(() => parseInventory('[g:children]\nmissing\n', 'x.ini')).message).toMatch(/undefined group: missing/);
    expect(errorOf(() => parseInventory('[g:weird]\n', 'x.ini')).message).toMatch(/unknown type/);
  });
});

describe('helpers', () => {
  it('expands host ranges like Ansible', () => {
    expect(expandHostRange('www[01:10:3]x')).toEqual(['www01x', 'www04x', 'www07x', 'www10x']);
    expect(expandHostRange('n[a:c][1:2]')).toEqual(['na1', 'na2', 'nb1', 'nb2', 'nc1', 'nc2']);
    expect(() => expandHostRange('w[01:100]')).toThrow(/equal-length/);
  });

  it('splits like shlex.split(comments=True)', () => {
    expect(shlexSplit(`h a="b c" d='e f' g=h\\ i # tail`, true)).toEqual(['h', 'a=b c', 'd=e f', 'g=h i']);
    expect(() => shlexSplit('a="b', true)).toThrow(/No closing quotation/);
  });

  it('evaluates Python literals, falling back to the text', () => {
    expect(pythonLiteral("[1, 'a', (2,), {'k': None}]")).toEqual([1, 'a', [2], { k: null }]);
    expect(pythonLiteral('-3.5e2')).toBe(-350);
    expect(pythonLiteral('0x1F')).toBe(31);
    expect(pythonLiteral('yes')).toBe('yes');
    expect(pythonLiteral('1 # comment')).toBe(1);
    expect(pythonLiteral('--1')).toBe('--1');
    expect(pythonLiteral('"a" \'b\'')).toBe('ab');
  });
});
