import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/api/errors.js';
import { parseInventory, selectHosts, splitHostPattern, type SelectOptions } from '../../../src/inventory/index.js';
import { fnmatchToRegex, orderPatterns, parseAddress } from '../../../src/inventory/patterns.js';

/** The shape of Pigsty's conf/ha/full.yml. */
const FULL = parseInventory(
  `
all:
  children:
    infra: { hosts: { 10.10.10.10: { infra_seq: 1 } } }
    etcd: { hosts: { 10.10.10.10: { etcd_seq: 1 } } }
    minio: { hosts: { 10.10.10.10: { minio_seq: 1 } } }
    pg-meta: { hosts: { 10.10.10.10: { pg_seq: 1, pg_role: primary } } }
    pg-test:
      hosts:
        10.10.10.11: { pg_seq: 1, pg_role: primary }
        10.10.10.12: { pg_seq: 2, pg_role: replica }
        10.10.10.13: { pg_seq: 3, pg_role: replica }
`,
  'full.yml',
);

const sel = (p: string, opts?: SelectOptions) => selectHosts(FULL, p, opts).hosts;

describe('host patterns (Ansible grammar)', () => {
  it('all and *', () => {
    expect(sel('all')).toEqual(['10.10.10.10', '10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('*')).toEqual(sel('all'));
  });

  it('groups and hosts by name', () => {
    expect(sel('pg-test')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('10.10.10.12')).toEqual(['10.10.10.12']);
  });

  it('union with : and , keeps the order of the terms', () => {
    expect(sel('pg-test:pg-meta')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13', '10.10.10.10']);
    expect(sel('infra,pg-test')).toEqual(['10.10.10.10', '10.10.10.11', '10.10.10.12', '10.10.10.13']);
  });

  it('intersection and exclusion apply after every union, whatever the written order', () => {
    expect(sel('etcd:&pg-*')).toEqual(['10.10.10.10']);
    expect(sel('pg-*:!pg-meta')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('!pg-meta:pg-test')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('&pg-test:all')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('pg-test,!10.10.10.13')).toEqual(['10.10.10.11', '10.10.10.12']);
  });

  it('a pattern with only exclusions or intersections starts from all: !pg-test:etcd is etcd minus pg-test', () => {
    expect(sel('!pg-test:etcd')).toEqual(['10.10.10.10']);
    expect(sel('!pg-test')).toEqual(['10.10.10.10']);
    expect(sel('&pg-test')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
  });

  it('with a comma only commas separate terms: b:&c is one (unmatched) name', () => {
    const r = selectHosts(FULL, 'etcd,pg-test:&infra');
    expect(r.hosts).toEqual(['10.10.10.10']);
    expect(r.unmatched).toEqual(['pg-test:&infra']);
  });

  it('globs on groups and hosts', () => {
    expect(sel('pg-*')).toEqual(['10.10.10.10', '10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('10.10.10.1*')).toEqual(['10.10.10.10', '10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('10.10.10.1[!0]')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('pg-tes?')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
  });

  it('~regex is re.match: anchored at the start only', () => {
    expect(sel('~10\\.10\\.10\\.1[0-2]')).toEqual(['10.10.10.10', '10.10.10.11', '10.10.10.12']);
    expect(sel('~pg')).toEqual(['10.10.10.10', '10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('~test')).toEqual([]);
    expect(sel('~(?P<x>pg)-t')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
  });

  it('subscripts: [i], [-i], inclusive [x:y], [x:]', () => {
    expect(sel('pg-test[0]')).toEqual(['10.10.10.11']);
    expect(sel('pg-test[-1]')).toEqual(['10.10.10.13']);
    expect(sel('pg-test[1:2]')).toEqual(['10.10.10.12', '10.10.10.13']);
    expect(sel('pg-test[1:]')).toEqual(['10.10.10.12', '10.10.10.13']);
    expect(sel('pg-test[0:5]')).toEqual(['10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('pg-test[2:0]')).toEqual(['10.10.10.13']); // Ansible: an end of 0 means a single index
    expect(sel('pg-test[0]:pg-test[-1]')).toEqual(['10.10.10.11', '10.10.10.13']);
  });

  it('an out-of-range index is an error, as in Ansible', () => {
    expect(() => sel('pg-test[3]')).toThrow(UserError);
    expect(() => sel('pg-test[3]')).toThrow("No hosts matched the subscripted pattern 'pg-test[3]'");
  });

  it('reports names that match nothing, once each', () => {
    expect(selectHosts(FULL, 'nonexistent')).toEqual({ hosts: [], unmatched: ['nonexistent'] });
    expect(selectHosts(FULL, 'pg-meta:nope:!nope:etcd')).toEqual({ hosts: ['10.10.10.10'], unmatched: ['nope'] });
  });

  it('@file reads one pattern per line (relative to cwd)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-limit-'));
    fs.writeFileSync(path.join(dir, 'retry.txt'), 'pg-test\n!10.10.10.12\n\netcd\n');
    expect(sel('@retry.txt', { cwd: dir })).toEqual(['10.10.10.11', '10.10.10.13', '10.10.10.10']);
    expect(() => sel('@missing.txt', { cwd: dir })).toThrow(/Unable to find limit file missing\.txt/);
  });

  it('a limit keeps the hosts of the pattern it also selects, in the pattern order (Ansible subset)', () => {
    expect(sel('pg-test:pg-meta', { limit: '10.10.10.10,10.10.10.12' })).toEqual(['10.10.10.12', '10.10.10.10']);
    expect(sel('all', { limit: 'pg-test[1:2]' })).toEqual(['10.10.10.12', '10.10.10.13']);
  });

  it("a play's order: inventory, reverse_inventory, sorted, reverse_sorted", () => {
    expect(sel('pg-test:pg-meta', { order: 'reverse_inventory' })).toEqual(['10.10.10.10', '10.10.10.13', '10.10.10.12', '10.10.10.11']);
    expect(sel('pg-test:pg-meta', { order: 'sorted' })).toEqual(['10.10.10.10', '10.10.10.11', '10.10.10.12', '10.10.10.13']);
    expect(sel('pg-test:pg-meta', { order: 'reverse_sorted' })).toEqual(['10.10.10.13', '10.10.10.12', '10.10.10.11', '10.10.10.10']);
    expect(new Set(sel('all', { order: 'shuffle' }))).toEqual(new Set(sel('all')));
  });

  it('invalid regexes are user errors', () => {
    expect(() => sel('~(')).toThrow(/Invalid host list pattern/);
  });
});

describe('nested groups and name clashes', () => {
  const inv = parseInventory(
    `
all:
  hosts:
    solo:
  children:
    dc1:
      children:
        web: { hosts: { web01: , web02: } }
        db: { hosts: { db01: , db02: } }
    dc2:
      children:
        web: { hosts: { web03: } }
    db01:
      hosts: { cache1: }
`,
    'nested.yml',
  );
  const s = (p: string) => selectHosts(inv, p).hosts;

  it('a group takes the hosts of its children, breadth first', () => {
    expect(s('dc1')).toEqual(['web01', 'web02', 'web03', 'db01', 'db02']);
    expect(s('all')).toEqual(['solo', 'cache1', 'web01', 'web02', 'web03', 'db01', 'db02']);
  });

  it('a plain name that is a host selects the host, even if a group has that name; &name uses the group', () => {
    expect(s('db01')).toEqual(['db01']);
    expect(s('all:&db01')).toEqual(['cache1']);
    expect(s('db0*')).toEqual(['cache1', 'db01', 'db02']);
  });

  it('ungrouped holds hosts listed only under all', () => {
    expect(s('ungrouped')).toEqual(['solo']);
  });
});

describe('pattern helpers', () => {
  it('splits like split_host_pattern', () => {
    expect(splitHostPattern('a,b[1], c[2:3] , d')).toEqual(['a', 'b[1]', 'c[2:3]', 'd']);
    expect(splitHostPattern('a:&b:!c')).toEqual(['a', '&b', '!c']);
    expect(splitHostPattern('pg-test[1:2]')).toEqual(['pg-test[1:2]']);
    expect(splitHostPattern('host:22')).toEqual(['host:22']);
    expect(splitHostPattern('fe80::1')).toEqual(['fe80::1']);
    expect(splitHostPattern('a:b[1:2]:c')).toEqual(['a', 'b[1:2]', 'c']);
  });

  it('orders plain, & and ! terms', () => {
    expect(orderPatterns(['!a', '&b', 'c', 'd'])).toEqual(['c', 'd', '&b', '!a']);
    expect(orderPatterns(['!a'])).toEqual(['all', '!a']);
  });

  it('parses addresses like parse_address', () => {
    expect(parseAddress('10.0.0.1:22')).toEqual({ host: '10.0.0.1', port: 22 });
    expect(parseAddress('[::1]:2222')).toEqual({ host: '::1', port: 2222 });
    expect(parseAddress('web[1:3]', true)).toEqual({ host: 'web[1:3]', port: undefined });
    expect(parseAddress('web[1:3]')).toBeNull();
    expect(parseAddress('pg-test:etcd')).toBeNull();
  });

  it('translates globs like fnmatch.translate', () => {
    const m = (pat: string, s: string) => new RegExp(`^${fnmatchToRegex(pat)}`, 's').test(s);
    expect(m('pg-*', 'pg-test')).toBe(true);
    expect(m('pg-*', 'xpg-test')).toBe(false);
    expect(m('[!a]b', 'cb')).toBe(true);
    expect(m('[!a]b', 'ab')).toBe(false);
    expect(m('a[', 'a[')).toBe(true);
    expect(m('[z-a]', 'z')).toBe(false);
  });
});
