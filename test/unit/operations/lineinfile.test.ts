import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineinfile, planLineInFile } from '../../../src/operations/lineinfile.js';
import { blockinfile, planBlockInFile } from '../../../src/operations/blockinfile.js';
import { apply, makeCtx, tempDir } from './ctx.js';

describe('lineinfile plan (Ansible semantics)', () => {
  const p = planLineInFile;

  it('appends at EOF, adding a missing newline first', () => {
    expect(p('a\nb', { line: 'c' })).toBe('a\nb\nc\n');
    expect(p('', { line: 'c' })).toBe('c\n');
  });

  it('leaves an existing line alone', () => {
    expect(p('a\nc\nb\n', { line: 'c' })).toBe('a\nc\nb\n');
    expect(p('a\nc\n', { line: 'c', regexp: '^nomatch' })).toBe('a\nc\n');
  });

  it('replaces the last line matching regexp (first with firstmatch)', () => {
    expect(p('port=1\nx\nport=2\n', { regexp: '^port=', line: 'port=5432' })).toBe('port=1\nx\nport=5432\n');
    expect(p('port=1\nx\nport=2\n', { regexp: '^port=', line: 'port=5432', firstmatch: true })).toBe('port=5432\nx\nport=2\n');
    expect(p('#listen = x\n', { regexp: '^#?listen\\s*=', line: 'listen = *' })).toBe('listen = *\n');
  });

  it('inserts after / before a matching line, or at BOF, or EOF when nothing matches', () => {
    expect(p('[a]\nk=1\n[b]\n', { line: 'n=2', insertafter: '^\\[a\\]' })).toBe('[a]\nn=2\nk=1\n[b]\n');
    expect(p('[a]\nk=1\n[b]\n', { line: 'n=2', insertbefore: '^\\[b\\]' })).toBe('[a]\nk=1\nn=2\n[b]\n');
    expect(p('a\n', { line: 'first', insertbefore: 'BOF' })).toBe('first\na\n');
    expect(p('a\n', { line: 'z', insertafter: '^nomatch' })).toBe('a\nz\n');
    expect(p('[a]\nn=2\n', { line: 'n=2', insertafter: '^\\[a\\]' })).toBe('[a]\nn=2\n');
  });

  it('backrefs: expands groups, and leaves the file alone when nothing matches', () => {
    expect(p('shared_buffers = 128MB\n', { regexp: '^(shared_buffers) = .*$', line: '\\1 = 4GB', backrefs: true })).toBe('shared_buffers = 4GB\n');
    expect(p('a\n', { regexp: '^(x)=', line: '\\1=1', backrefs: true })).toBe('a\n');
  });

  it('absent removes every matching line', () => {
    expect(p('a\nport=1\nb\nport=2\n', { regexp: '^port=', state: 'absent' })).toBe('a\nb\n');
    expect(p('a\nb\na\n', { line: 'a', state: 'absent' })).toBe('b\n');
  });
});

describe('blockinfile plan', () => {
  it('inserts, replaces and removes a marked block', () => {
    const added = planBlockInFile('a\n', { block: 'x\ny' });
    expect(added).toBe('a\n# BEGIN PGPLAY MANAGED BLOCK\nx\ny\n# END PGPLAY MANAGED BLOCK\n');
    expect(planBlockInFile(added, { block: 'x\ny\n' })).toBe(added);
    expect(planBlockInFile(added + 'b\n', { block: 'z' })).toBe('a\n# BEGIN PGPLAY MANAGED BLOCK\nz\n# END PGPLAY MANAGED BLOCK\nb\n');
    expect(planBlockInFile(added + 'b\n', { state: 'absent' })).toBe('a\nb\n');
    expect(planBlockInFile(added, { block: '' })).toBe('a\n');
  });

  it('custom markers and insert positions', () => {
    const a = { block: 'host all all 10.0.0.0/8 scram-sha-256', marker: '# {mark} pgplay hba' };
    expect(planBlockInFile('local all\nhost x', { ...a, insertbefore: '^host' })).toBe('local all\n# BEGIN pgplay hba\nhost all all 10.0.0.0/8 scram-sha-256\n# END pgplay hba\nhost x');
    expect(planBlockInFile('x\n', { ...a, insertbefore: 'BOF', marker_begin: 'START', marker_end: 'STOP' })).toBe('# START pgplay hba\nhost all all 10.0.0.0/8 scram-sha-256\n# STOP pgplay hba\nx\n');
    expect(planBlockInFile('[a]\nk\n[b]\n', { ...a, insertafter: '^\\[a\\]' })).toBe('[a]\n# BEGIN pgplay hba\nhost all all 10.0.0.0/8 scram-sha-256\n# END pgplay hba\nk\n[b]\n');
  });
});

describe('lineinfile / blockinfile on files', () => {
  it('lineinfile: create, idempotent, check, diff, missing file', async () => {
    const f = path.join(tempDir(), 'postgresql.auto.conf');
    const missing = await apply(lineinfile({ path: f, line: 'a = 1' }));
    expect(missing.status).toBe('failed');
    expect(missing.msg).toMatch(/does not exist \(set create/);
    expect((await apply(lineinfile({ path: f, line: 'a = 1', create: true }))).status).toBe('changed');
    expect(await apply(lineinfile({ path: f, line: 'a = 1' }))).toMatchObject({ status: 'ok', trips: 1 });
    const c = await apply(lineinfile({ path: f, regexp: '^a =', line: 'a = 2' }), makeCtx({ check: true, diff: true }));
    expect(c).toMatchObject({ status: 'changed', diff: [{ target: f, before: 'a = 1\n', after: 'a = 2\n' }] });
    expect(fs.readFileSync(f, 'utf8')).toBe('a = 1\n');
    expect((await apply(lineinfile({ path: f, regexp: '^a =', line: 'a = 2' }))).status).toBe('changed');
    expect(fs.readFileSync(f, 'utf8')).toBe('a = 2\n');
    expect((await apply(lineinfile({ path: f, regexp: '^a =', state: 'absent' }))).status).toBe('changed');
    expect(fs.readFileSync(f, 'utf8')).toBe('');
  });

  it('blockinfile: add then ok', async () => {
    const f = path.join(tempDir(), 'hosts');
    fs.writeFileSync(f, '127.0.0.1 localhost\n');
    expect((await apply(blockinfile({ path: f, block: '10.0.0.1 pg-1\n10.0.0.2 pg-2' }))).status).toBe('changed');
    expect(fs.readFileSync(f, 'utf8')).toBe('127.0.0.1 localhost\n# BEGIN PGPLAY MANAGED BLOCK\n10.0.0.1 pg-1\n10.0.0.2 pg-2\n# END PGPLAY MANAGED BLOCK\n');
    expect(await apply(blockinfile({ path: f, block: '10.0.0.1 pg-1\n10.0.0.2 pg-2' }))).toMatchObject({ status: 'ok', trips: 1 });
  });
});
