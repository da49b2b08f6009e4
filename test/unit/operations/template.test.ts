import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderString, renderTemplate } from '../../../src/api/templating.js';
import { template } from '../../../src/operations/template.js';
import { apply, makeCtx, tempDir } from './ctx.js';

describe('templating helpers', () => {
  const r = (t: string, v: object = {}) => renderString(t, v);

  it('renders without escaping', () => {
    expect(r('{{a}}', { a: "<x> & 'y'" })).toBe("<x> & 'y'");
  });

  it('join, default, json, yaml, indent, size', () => {
    expect(r('{{join l ", "}}|{{join l}}', { l: ['a', 'b'] })).toBe('a, b|ab');
    expect(r('{{default a "d"}} {{default b "d"}} {{default c 5}}', { a: '', b: 'x', c: null })).toBe('d x 5');
    expect(r('{{default missing "fallback"}}')).toBe('fallback');
    expect(r('{{json o}}', { o: { a: [1, 'x'] } })).toBe('{"a":[1,"x"]}');
    expect(r('{{json o 2}}', { o: { a: 1 } })).toBe('{\n  "a": 1\n}');
    expect(r('k:\n  {{indent 2 (yaml o)}}', { o: { a: 1, b: [1, 2] } })).toBe('k:\n  a: 1\n  b:\n    - 1\n    - 2');
    expect(r('{{size l}} {{size o}} {{size s}}', { l: [1, 2], o: { a: 1 }, s: 'abc' })).toBe('2 1 3');
  });

  it('comparisons and logic', () => {
    const t = '{{#if (eq role "primary")}}P{{else if (and (ne role "offline") (not paused))}}R{{else}}O{{/if}}';
    expect(r(t, { role: 'primary', paused: false })).toBe('P');
    expect(r(t, { role: 'replica', paused: false })).toBe('R');
    expect(r(t, { role: 'offline', paused: false })).toBe('O');
    expect(r('{{#if (or (lt a 2) (gt a 10))}}out{{/if}}', { a: 11 })).toBe('out');
    expect(r('{{#if (includes l "x")}}yes{{/if}}', { l: ['x'] })).toBe('yes');
  });

  it('SQL quoting, case, bool, math', () => {
    expect(r("{{quote p}} {{ident n}}", { p: "it's", n: 'we"ird' })).toBe(`'it''s' "we""ird"`);
    expect(r('{{upper a}} {{lower b}}', { a: 'on', b: 'OFF' })).toBe('ON off');
    expect(r('{{bool a}} {{bool b}} {{bool c}}', { a: 'yes', b: 0, c: true })).toBe('true false true');
    expect(r('{{add a 1}} {{mul a 2}} {{div a 4}}', { a: 10 })).toBe('11 20 2');
  });

  it('a missing variable is an error naming template, line and variable', () => {
    expect(() => renderString('a\nb {{pg_prot}}', { pg_port: 5432 }, 'pg.conf.hbs')).toThrow('pg.conf.hbs line 2: variable "pg_prot" is not defined');
    expect(() => renderString('{{#each l}}\n{{this.nme}}{{/each}}', { l: [{ name: 1 }] }, 't')).toThrow('t line 2: variable "this.nme" is not defined');
    expect(() => r('{{join nope ","}}')).toThrow(/helper join: expected a list, got undefined/);
    expect(() => renderString('{{#if x}}', {}, 'broken.hbs')).toThrow(/broken.hbs line 1: syntax error/);
  });

  it('compiles a file once and recompiles when it changes', () => {
    const f = path.join(tempDir(), 't.hbs');
    fs.writeFileSync(f, 'v={{v}}');
    expect(renderTemplate(f, { v: 1 })).toBe('v=1');
    fs.writeFileSync(f, 'w={{v}}');
    fs.utimesSync(f, new Date(), new Date(Date.now() + 5000));
    expect(renderTemplate(f, { v: 2 })).toBe('w=2');
  });
});

describe('template module', () => {
  it('renders, writes, is idempotent, shows a diff, fails on a missing variable', async () => {
    const dir = tempDir();
    const src = path.join(dir, 'pg.conf.hbs');
    fs.writeFileSync(src, 'port = {{port}}\nlisten = {{join addrs ","}}\n');
    const dest = path.join(dir, 'pg.conf');
    const first = await apply(template({ src, dest, vars: { port: 5432, addrs: ['127.0.0.1', '10.0.0.1'] }, mode: '0600' }));
    expect(first.status).toBe('changed');
    expect(fs.readFileSync(dest, 'utf8')).toBe('port = 5432\nlisten = 127.0.0.1,10.0.0.1\n');
    expect(await apply(template({ src, dest, vars: { port: 5432, addrs: ['127.0.0.1', '10.0.0.1'] }, mode: '0600' }))).toMatchObject({ status: 'ok', trips: 1 });

    const d = await apply(template({ src, dest, vars: { port: 5433, addrs: ['*'] } }), makeCtx({ diff: true, check: true }));
    expect(d.diff).toEqual([{ target: dest, before: 'port = 5432\nlisten = 127.0.0.1,10.0.0.1\n', after: 'port = 5433\nlisten = *\n' }]);
    expect(fs.readFileSync(dest, 'utf8')).toMatch(/5432/);

    const bad = await apply(template({ src, dest, vars: { prot: 1, addrs: [] } }));
    expect(bad).toMatchObject({ status: 'failed', trips: 0 });
    expect(bad.msg).toBe(`template: ${src} line 1: variable "port" is not defined`);
  });

  it('secret templates never show their content', async () => {
    const dir = tempDir();
    const src = path.join(dir, 'pgpass.hbs');
    fs.writeFileSync(src, '*:*:*:dbuser:{{pw}}\n');
    const dest = path.join(dir, '.pgpass');
    const r = await apply(template({ src, dest, vars: { pw: 'S3cr3t-Value' }, secret: true, mode: '0600' }), makeCtx({ diff: true }));
    expect(r.status).toBe('changed');
    expect(JSON.stringify(r)).not.toContain('S3cr3t-Value');
    expect(r.diff?.[0].after).toBe('(content hidden)');
  });
});
