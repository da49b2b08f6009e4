import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { command, shell } from '../../../src/operations/command.js';
import { apply, isRoot, makeCtx, tempDir } from './ctx.js';

/** Resolves `p`, reading every process's argv (/proc/<pid>/cmdline) until it settles; returns those containing one of `needles`. */
async function argvsWhile<T>(p: Promise<T>, needles: string[]): Promise<{ result: T; seen: Record<string, string[]> }> {
  let done = false;
  const seen: Record<string, Set<string>> = Object.fromEntries(needles.map((n) => [n, new Set<string>()]));
  const settled = p.finally(() => {
    done = true;
  });
  while (!done) {
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let argv: string;
      try {
        argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // gone already
      }
      for (const n of needles) if (argv.includes(n)) seen[n].add(argv.replace(/\0/g, ' '));
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const result = await settled;
  return { result, seen: Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, [...v]])) };
}

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

  describe('env values are never on a command line', () => {
    // The command prints its own argv and its parent's, then the variable; meanwhile every
    // process's argv is read. The marker is on the command line, to prove the scan saw the command.
    const cases: { name: string; ctx: () => ReturnType<typeof makeCtx>; timeout?: number; when: boolean }[] = [
      { name: 'as the connection user', ctx: () => makeCtx(), when: true },
      { name: 'with a timeout', ctx: () => makeCtx(), timeout: 20, when: true },
      { name: 'under become (runuser to nobody)', ctx: () => makeCtx({ becomeUser: 'nobody' }), when: isRoot },
      { name: 'under become with a timeout', ctx: () => makeCtx({ becomeUser: 'nobody' }), timeout: 20, when: isRoot },
    ];
    for (const c of cases) {
      it.runIf(c.when)(c.name, async () => {
        const token = `tok${Math.random().toString(36).slice(2)}${Date.now()}`;
        const marker = `marker${Math.random().toString(36).slice(2)}`;
        const secret = `pw'1 "$HOME" \`x\`\n${token}`;
        const cmd = `: ${marker}; sleep 0.4; tr '\\0\\n' '  ' </proc/$$/cmdline; echo; tr '\\0\\n' '  ' </proc/$PPID/cmdline; echo; id -un; cat; printf '[%s]' "$PGPLAY_SECRET" "$OTHER"`;
        const { result, seen } = await argvsWhile(apply(shell({ cmd, env: { PGPLAY_SECRET: secret, OTHER: 'plain' }, stdin: 'from stdin\n', timeout: c.timeout }), c.ctx()), [token, marker]);
        expect(result).toMatchObject({ status: 'changed', rc: 0 });
        const lines = result.stdout!.split('\n');
        expect(lines[0]).toContain(marker); // its own argv
        expect(lines[2]).toBe(c.name.includes('become') ? 'nobody' : os.userInfo().username);
        expect(lines[3]).toBe('from stdin'); // the command still gets its stdin, after the environment line
        expect(lines.slice(4).join('\n')).toBe(`[${secret}][plain]`);
        expect(result.stdout!.slice(0, result.stdout!.indexOf('from stdin'))).not.toContain(token);
        expect(seen[marker].length).toBeGreaterThan(0);
        expect(seen[token]).toEqual([]);
      });
    }

    it('a command reading all of its stdin gets exactly what was given (bytes too)', async () => {
      const r = await apply(shell({ cmd: 'od -An -c', stdin: 'a\n\nb', env: { A: 'x\ny' } }));
      expect(r.stdout!.replace(/\s+/g, ' ').trim()).toBe('a \\n \\n b');
    });

    it('names are checked, NUL is refused', async () => {
      expect(await apply(shell({ cmd: 'true', env: { 'A-B': '1' } }))).toMatchObject({ status: 'failed', msg: expect.stringMatching(/invalid environment variable name/) });
      expect(await apply(shell({ cmd: 'true', env: { A: 'x\0y' } }))).toMatchObject({ status: 'failed', msg: expect.stringMatching(/NUL/) });
    });
  });
});

