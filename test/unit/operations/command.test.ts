import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { command, shell } from '../../../src/operations/command.js';
import { apply, makeCtx, tempDir } from './ctx.js';

describe('command / shell', () => {
  it('runs and reports changed with rc/stdout/stderr', async () => {
    const r = await apply(shell({ cmd: 'echo out; echo err >&2' }));
    expect(r).toMatchObject({ status: 'changed', rc: 0, stdout: 'out', stderr: 'err', trips: 1 });
  });

  it('quotes an argv', async () => {
    const r = await apply(command({ cmd: ['printf', '%s|', "it's", '$HOME', 'a b'] }));
    expect(r.stdout).toBe("it's|$HOME|a b|");
  });

  it('non-zero rc fails with the stderr tail', async () => {
    const r = await apply(shell({ cmd: 'echo boom >&2; exit 3' }));
    expect(r).toMatchObject({ status: 'failed', rc: 3, msg: 'non-zero return code 3: boom' });
  });

  it('creates / removes skip in the same round trip', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'done');
    const cmd = `touch ${marker}; echo ran`;
    expect(await apply(shell({ cmd, creates: marker }))).toMatchObject({ status: 'changed', stdout: 'ran', trips: 1 });
    expect(await apply(shell({ cmd, creates: marker }))).toMatchObject({ status: 'skipped', msg: `not run: ${marker} exists`, trips: 1 });
    expect(await apply(shell({ cmd: 'echo x', removes: path.join(dir, 'nope') }))).toMatchObject({ status: 'skipped', trips: 1 });
    expect(await apply(shell({ cmd: `rm ${marker}`, removes: marker }))).toMatchObject({ status: 'changed' });
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('check mode: skipped, or ok when creates/removes make it a no-op; nothing runs', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    const check = makeCtx({ check: true });
    expect(await apply(shell({ cmd: `touch ${out}` }), check)).toMatchObject({ status: 'skipped', trips: 0 });
    expect(await apply(shell({ cmd: `touch ${out}`, creates: out }), check)).toMatchObject({ status: 'skipped', trips: 1 });
    expect(fs.existsSync(out)).toBe(false);
    expect(await apply(shell({ cmd: `touch ${out}`, creates: dir }), check)).toMatchObject({ status: 'ok', trips: 1 });
  });

  it('chdir, stdin, env, timeout', async () => {
    const dir = tempDir();
    expect((await apply(shell({ cmd: 'pwd', chdir: dir }))).stdout).toBe(dir);
    expect((await apply(shell({ cmd: 'cat', stdin: 'in put' }))).stdout).toBe('in put');
    expect((await apply(shell({ cmd: 'echo "$V"', env: { V: "va'l ue" } }))).stdout).toBe("va'l ue");
    const t = await apply(shell({ cmd: 'sleep 5', timeout: 0.3 }));
    expect(t).toMatchObject({ status: 'failed', rc: 124, msg: 'timed out after 0.3s' });
    expect((await apply(shell({ cmd: 'pwd', chdir: path.join(dir, 'missing') }))).status).toBe('failed');
  });
});
