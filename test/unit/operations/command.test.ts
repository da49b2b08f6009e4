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

  it('creates / removes: ok (not run) in the same round trip', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'done');
    const cmd = `touch ${marker}; echo ran`;
    expect(await apply(shell({ cmd, creates: marker }))).toMatchObject({ status: 'changed', stdout: 'ran', trips: 1 });
    expect(await apply(shell({ cmd, creates: marker }))).toMatchObject({ status: 'ok', msg: `skipped, since ${marker} exists`, rc: 0, trips: 1 });
    const nope = path.join(dir, 'nope');
    expect(await apply(shell({ cmd: 'echo x', removes: nope }))).toMatchObject({ status: 'ok', msg: `skipped, since ${nope} does not exist`, trips: 1 });
    expect(await apply(shell({ cmd: `rm ${marker}`, removes: marker }))).toMatchObject({ status: 'changed' });
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('creates / removes: check mode reports what a real run reports when the command would not run', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'there'), '');
    const cases = [
      shell({ cmd: 'echo ran', creates: path.join(dir, 'there') }),
      command({ cmd: ['echo', 'ran'], removes: path.join(dir, 'missing') }),
    ];
    for (const action of cases) {
      const { trips: _c, ...checked } = await apply(action, makeCtx({ check: true }));
      const { trips: _r, ...real } = await apply(action);
      expect(real.status).toBe('ok');
      expect(checked).toEqual(real);
    }
  });

  it('creates / removes: a relative path is relative to chdir', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'built'), '');
    const creates = await apply(shell({ cmd: 'echo ran', chdir: dir, creates: 'sub/built' }));
    expect(creates).toMatchObject({ status: 'ok', msg: 'skipped, since sub/built exists', trips: 1 });
    expect(await apply(shell({ cmd: 'echo ran', chdir: `${dir}/`, creates: 'sub/other' }))).toMatchObject({ status: 'changed', stdout: 'ran' });
    expect(await apply(shell({ cmd: 'rm sub/built', chdir: path.join(dir, 'sub', '..'), removes: 'sub/built' }))).toMatchObject({ status: 'changed' });
    expect(fs.existsSync(path.join(dir, 'sub', 'built'))).toBe(false);
    expect(await apply(shell({ cmd: 'echo ran', chdir: dir, removes: 'sub/built' }), makeCtx({ check: true }))).toMatchObject({ status: 'ok', trips: 1 });
    // An absolute path is taken as it is.
    expect(await apply(shell({ cmd: 'echo ran', chdir: dir, creates: dir }))).toMatchObject({ status: 'ok' });
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
