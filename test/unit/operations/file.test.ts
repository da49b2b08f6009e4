import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { file, planFile } from '../../../src/operations/file.js';
import { apply, isRoot, makeCtx, tempDir } from './ctx.js';

describe('file plan', () => {
  const dir = { exists: true, type: 'directory', owner: 'postgres', uid: 101, group: 'postgres', gid: 104, mode: '0700' } as const;

  it('does nothing when the directory matches, by name or id', () => {
    expect(planFile({ path: '/d', state: 'directory', owner: 'postgres', group: '104', mode: '0700' }, { stat: dir, drift: false }).commands).toEqual([]);
  });

  it('sets only what differs, recursively when something below drifted', () => {
    expect(planFile({ path: '/d', state: 'directory', mode: '0750' }, { stat: dir, drift: false }).commands).toEqual(['chmod 0750 -- "$p"']);
    expect(planFile({ path: '/d', state: 'directory', owner: 'postgres', recurse: true }, { stat: dir, drift: true }).commands).toEqual(['chown -R postgres -- "$p"']);
  });

  it('refuses to replace a directory with a link, or a file without force', () => {
    expect(() => planFile({ path: '/d', state: 'link', src: '/x' }, { stat: dir, drift: false })).toThrow(/is a directory/);
    const f = { ...dir, type: 'file' as const };
    expect(() => planFile({ path: '/d', state: 'link', src: '/x' }, { stat: f, drift: false })).toThrow(/force/);
    expect(planFile({ path: '/d', state: 'link', src: '/x', force: true }, { stat: f, drift: false }).commands).toEqual(["ln -sfn -- /x \"$p\""]);
  });

  it('state file requires the file', () => {
    expect(() => planFile({ path: '/f' }, { stat: { exists: false }, drift: false })).toThrow(/does not exist/);
  });
});

describe('file on a real filesystem', () => {
  it('directory: create, then ok in one round trip', async () => {
    const base = tempDir();
    const d = path.join(base, 'a/b');
    expect(await apply(file({ path: d, state: 'directory', mode: '0750' }))).toMatchObject({ status: 'changed', trips: 2 });
    expect((fs.statSync(d).mode & 0o7777).toString(8)).toBe('750');
    expect(await apply(file({ path: d, state: 'directory', mode: '0750' }))).toMatchObject({ status: 'ok', trips: 1 });
  });

  it('recurse applies to what is below', async () => {
    const base = tempDir();
    fs.mkdirSync(path.join(base, 'x/y'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(base, 'x/y/f'), '');
    fs.chmodSync(path.join(base, 'x/y/f'), 0o644);
    const r = await apply(file({ path: path.join(base, 'x'), state: 'directory', mode: '0700', recurse: true }));
    expect(r.status).toBe('changed');
    expect((fs.statSync(path.join(base, 'x/y/f')).mode & 0o777).toString(8)).toBe('700');
    expect((await apply(file({ path: path.join(base, 'x'), state: 'directory', mode: '0700', recurse: true }))).status).toBe('ok');
  });

  it('link, touch, absent; check mode changes nothing; diff', async () => {
    const base = tempDir();
    const link = path.join(base, 'current');
    const check = await apply(file({ path: link, state: 'link', src: '/usr/lib' }), makeCtx({ check: true, diff: true }));
    expect(check).toMatchObject({ status: 'changed', trips: 1 });
    expect(check.diff?.[0]).toMatchObject({ before: 'state: absent\n' });
    expect(check.diff?.[0].after).toMatch(/state: link\ntarget: \/usr\/lib\n/);
    expect(fs.existsSync(link)).toBe(false);

    expect((await apply(file({ path: link, state: 'link', src: '/usr/lib' }))).status).toBe('changed');
    expect(fs.readlinkSync(link)).toBe('/usr/lib');
    expect(await apply(file({ path: link, state: 'link', src: '/usr/lib' }))).toMatchObject({ status: 'ok', trips: 1 });
    expect((await apply(file({ path: link, state: 'link', src: '/usr/share' }))).status).toBe('changed');
    expect(fs.readlinkSync(link)).toBe('/usr/share');

    const f = path.join(base, 'stamp');
    expect((await apply(file({ path: f, state: 'touch', mode: '0600' }))).status).toBe('changed');
    expect(await apply(file({ path: f, state: 'touch', mode: '0600' }))).toMatchObject({ status: 'ok', trips: 1 });
    expect((await apply(file({ path: f, mode: '0644' }))).status).toBe('changed');

    expect((await apply(file({ path: f, state: 'absent' }))).status).toBe('changed');
    expect(fs.existsSync(f)).toBe(false);
    expect((await apply(file({ path: f, state: 'absent' }))).status).toBe('ok');
    const missing = await apply(file({ path: f, mode: '0644' }));
    expect(missing).toMatchObject({ status: 'failed' });
    expect(missing.msg).toMatch(/does not exist/);
  });

  it.runIf(isRoot)('owner and group by name', async () => {
    const base = tempDir();
    const d = path.join(base, 'pg');
    expect((await apply(file({ path: d, state: 'directory', owner: 'nobody', group: 'nogroup', mode: '0700' }))).status).toBe('changed');
    const st = fs.statSync(d);
    expect(st.uid).not.toBe(0);
    expect(await apply(file({ path: d, state: 'directory', owner: 'nobody', group: 'nogroup', mode: '0700' }))).toMatchObject({ status: 'ok', trips: 1 });
  });
});
