import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copy } from '../../../src/operations/copy.js';
import { apply, isRoot, makeCtx, tempDir } from './ctx.js';

describe('copy', () => {
  it('creates, then is ok in one round trip, then changes content and mode', async () => {
    const dir = tempDir();
    const dest = path.join(dir, 'a.conf');
    const first = await apply(copy({ dest, content: 'x = 1\n', mode: '0640' }));
    expect(first).toMatchObject({ status: 'changed', trips: 2 });
    expect(fs.readFileSync(dest, 'utf8')).toBe('x = 1\n');
    expect((fs.statSync(dest).mode & 0o7777).toString(8)).toBe('640');

    const again = await apply(copy({ dest, content: 'x = 1\n', mode: '0640' }));
    expect(again).toMatchObject({ status: 'ok', trips: 1 });

    const mode = await apply(copy({ dest, content: 'x = 1\n', mode: 0o600 }), makeCtx({ diff: true }));
    expect(mode.status).toBe('changed');
    expect(mode.diff).toEqual([{ target: `${dest} (attributes)`, before: 'mode: 0640\n', after: 'mode: 0600\n' }]);
    expect((fs.statSync(dest).mode & 0o7777).toString(8)).toBe('600');

    const content = await apply(copy({ dest, content: 'x = 2\n' }), makeCtx({ diff: true }));
    expect(content.diff).toEqual([{ target: dest, before: 'x = 1\n', after: 'x = 2\n' }]);
    expect((fs.statSync(dest).mode & 0o7777).toString(8)).toBe('600'); // kept when not asked
    expect(fs.readdirSync(dir)).toEqual(['a.conf']); // no temp file left
  });

  it.runIf(isRoot)('a new content with only the owner asked for keeps the group (and the owner alone the other way)', async () => {
    const dest = path.join(tempDir(), 'b.conf');
    fs.writeFileSync(dest, 'old\n');
    fs.chownSync(dest, 0, 65534); // root:nogroup
    expect((await apply(copy({ dest, content: 'new\n', owner: 'root' }))).status).toBe('changed');
    expect([fs.statSync(dest).uid, fs.statSync(dest).gid]).toEqual([0, 65534]);
    fs.chownSync(dest, 65534, 0); // nobody:root
    expect((await apply(copy({ dest, content: 'newer\n', group: 'root' }))).status).toBe('changed');
    expect([fs.statSync(dest).uid, fs.statSync(dest).gid]).toEqual([65534, 0]);
  });

  it('check mode reports the change and changes nothing', async () => {
    const dir = tempDir();
    const dest = path.join(dir, 'b');
    const r = await apply(copy({ dest, content: 'new\n' }), makeCtx({ check: true, diff: true }));
    expect(r).toMatchObject({ status: 'changed', trips: 1, diff: [{ target: dest, before: '', after: 'new\n' }] });
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('hides secret content in diffs', async () => {
    const dir = tempDir();
    const dest = path.join(dir, 'secret');
    fs.writeFileSync(dest, 'password=old-hunter2\n');
    const r = await apply(copy({ dest, content: 'password=new-hunter2\n', secret: true }), makeCtx({ diff: true }));
    expect(r.diff).toEqual([{ target: dest, before: '(content hidden)', after: '(content hidden)' }]);
    expect(JSON.stringify(r)).not.toMatch(/hunter2/);
    expect(fs.readFileSync(dest, 'utf8')).toBe('password=new-hunter2\n');
  });

  it('validates before replacing, keeps the old file on failure', async () => {
    const dir = tempDir();
    const dest = path.join(dir, 'c.json');
    fs.writeFileSync(dest, '{"a":1}\n');
    const bad = await apply(copy({ dest, content: '{broken', validate: `node -e "JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'))" %s` }));
    expect(bad.status).toBe('failed');
    expect(bad.msg).toMatch(/validation failed/);
    expect(fs.readFileSync(dest, 'utf8')).toBe('{"a":1}\n');
    expect(fs.readdirSync(dir)).toEqual(['c.json']);
    const good = await apply(copy({ dest, content: '{"a":2}\n', validate: `node -e "JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'))" %s` }));
    expect(good.status).toBe('changed');
  });

  it('keeps a backup, copies a controller file, ships binary content', async () => {
    const dir = tempDir();
    const dest = path.join(dir, 'd');
    fs.writeFileSync(dest, 'old\n');
    const r = await apply(copy({ dest, content: 'new\n', backup: true }));
    const backup = (r.data as { backup_file: string }).backup_file;
    expect(fs.readFileSync(backup, 'utf8')).toBe('old\n');

    const src = path.join(dir, 'src.bin');
    const bytes = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => i % 256));
    fs.writeFileSync(src, bytes);
    const bin = path.join(dir, 'bin');
    expect((await apply(copy({ dest: bin, src }))).status).toBe('changed');
    expect(fs.readFileSync(bin).equals(bytes)).toBe(true);
    expect((await apply(copy({ dest: bin, src }), makeCtx({ diff: true }))).status).toBe('ok');
  });

  it('fails clearly when the directory is missing or dest is a directory', async () => {
    const dir = tempDir();
    const missing = await apply(copy({ dest: path.join(dir, 'no/such/f'), content: 'x' }));
    expect(missing.status).toBe('failed');
    expect(missing.msg).toMatch(/cannot write .*no\/such\/f/);
    const isDir = await apply(copy({ dest: dir, content: 'x' }));
    expect(isDir).toMatchObject({ status: 'failed', msg: `${dir} is a directory` });
  });
});
