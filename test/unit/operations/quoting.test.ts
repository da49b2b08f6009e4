/** The one quoting path: sh`` for command lines, sql`` for SQL, run through a real sh and compared. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { q, raw, sh } from '../../../src/operations/shell-quote.js';
import { id, ident, lit, rawSql, sql } from '../../../src/operations/sql-quote.js';

const HOSTILE = ["it's", 'a b', 'x"y', 'back\\slash', 'new\nline', '$(touch /tmp/pgplay-pwned)', '`id`', '$HOME', ';rm -rf /', '*', '-n', "'", '', 'tab\there', 'üñí'];

/** What sh -c makes of the words: the arguments printf receives (globbing and expansions on). */
function argv(cmd: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${cmd}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('sh``', () => {
  it('passes every hostile value as exactly one argument, unexpanded', () => {
    for (const v of HOSTILE) {
      expect(argv(sh`${v}`)).toEqual([v]);
      expect(argv(sh`${v} ${'second'}`)).toEqual([v, 'second']);
    }
  });

  it('leaves safe words as they are and quotes the rest', () => {
    expect(sh`rm -rf ${'/data/etcd'}/member`).toBe('rm -rf /data/etcd/member');
    expect(sh`rm -rf ${'/da ta'}/member`).toBe("rm -rf '/da ta'/member");
    expect(sh`pg_ctl -D ${"/pg/it's"} ${5432}`).toBe("pg_ctl -D '/pg/it'\\''s' 5432");
  });

  it('turns a list into quoted words and inserts raw fragments unquoted', () => {
    expect(sh`find ${['a b', 'c']} -print`).toBe("find 'a b' c -print");
    expect(argv(sh`${['x y', '$z', "q'"]}`)).toEqual(['x y', '$z', "q'"]);
    expect(sh`${raw('echo a | wc -l')} ${'x y'}`).toBe("echo a | wc -l 'x y'");
  });

  it('refuses a value interpolated inside quotes of the literal text', () => {
    expect(() => sh`echo "${'x'}"`).toThrow(/inside " quotes/);
    expect(() => sh`echo '${'x'}'`).toThrow(/inside ' quotes/);
    // inside $( ) of a double-quoted string is code again; outside the quotes is fine
    expect(sh`[ -n "$(ls -A ${'/a b'})" ]`).toBe(`[ -n "$(ls -A '/a b')" ]`);
    expect(sh`echo "it's" ${'x'} 'a"b' ${'y'}`).toBe(`echo "it's" x 'a"b' y`);
  });

  it('q is the same quoting', () => {
    for (const v of HOSTILE) expect(sh`${v}`).toBe(q(v));
  });
});

/** Runs SQL text through PostgreSQL's lexer rules as far as quoting goes: the literal/identifier round trip. */
function unlit(s: string): string {
  expect(s.startsWith("'") && s.endsWith("'")).toBe(true);
  const body = s.slice(1, -1);
  expect(body.replace(/''/g, '')).not.toContain("'");
  return body.replace(/''/g, "'");
}
function unident(s: string): string {
  expect(s.startsWith('"') && s.endsWith('"')).toBe(true);
  const body = s.slice(1, -1);
  expect(body.replace(/""/g, '')).not.toContain('"');
  return body.replace(/""/g, '"');
}

describe('sql``', () => {
  it('quotes literals and identifiers so that they round trip', () => {
    for (const v of HOSTILE) {
      expect(unlit(lit(v))).toBe(v);
      if (v !== '') expect(unident(ident(v))).toBe(v);
    }
  });

  it('refuses what PostgreSQL cannot hold', () => {
    expect(() => ident('')).toThrow(/empty/);
    expect(() => lit('a\0b')).toThrow(/NUL/);
  });

  it('makes strings literals, numbers and booleans their SQL, lists arrays, id() identifiers', () => {
    expect(sql`SELECT 1 FROM pg_database WHERE datname = ${"x'; DROP DATABASE y; --"}`).toBe(
      "SELECT 1 FROM pg_database WHERE datname = 'x''; DROP DATABASE y; --'",
    );
    expect(sql`ALTER ROLE ${id('we"ird')} CONNECTION LIMIT ${5}`).toBe('ALTER ROLE "we""ird" CONNECTION LIMIT 5');
    expect(sql`SELECT 1-${-1}, ${true}`).toBe('SELECT 1-(-1), TRUE');
    expect(sql`WHERE n = ANY(${['a', "b'c"]})`).toBe("WHERE n = ANY(ARRAY['a', 'b''c']::text[])");
    expect(sql`${rawSql('SELECT')} ${'x'}`).toBe("SELECT 'x'");
    expect(() => sql`${Number.NaN}`).toThrow(/finite/);
  });
});
