import fs from 'node:fs';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { planSysctlFile, sysctl } from '../../../src/operations/sysctl.js';
import { normalizeSysctl } from '../../../src/facts/sysctl.js';
import type { Connection } from '../../../src/api/types.js';
import { LocalConnection } from '../../../src/connectors/local.js';
import { apply, makeCtx, tempDir } from './ctx.js';

describe('sysctl file plan', () => {
  it('replaces the key (either spelling), drops duplicates, appends when missing', () => {
    expect(planSysctlFile('# c\nvm.swappiness=60\nx = 1\nvm/swappiness = 10\n', 'vm.swappiness', '1')).toBe('# c\nvm.swappiness = 1\nx = 1\n');
    expect(planSysctlFile('x = 1', 'vm.swappiness', '1')).toBe('x = 1\nvm.swappiness = 1\n');
    expect(planSysctlFile('', 'net.ipv4.tcp_rmem', '4096 87380 6291456')).toBe('net.ipv4.tcp_rmem = 4096 87380 6291456\n');
  });
  it('normalizes whitespace of multi-value keys', () => {
    expect(normalizeSysctl('4096\t131072\t6291456\n')).toBe('4096 131072 6291456');
  });
});

describe('sysctl on this host', () => {
  const current = execSync('sysctl -n vm.swappiness').toString().trim();

  it('persists the current value: file changed, then ok in one round trip', async () => {
    const file = path.join(tempDir(), '99-test.conf');
    expect((await apply(sysctl({ name: 'vm.swappiness', value: current, sysctl_file: file }))).status).toBe('changed');
    expect(fs.readFileSync(file, 'utf8')).toBe(`vm.swappiness = ${current}\n`);
    expect(await apply(sysctl({ name: 'vm.swappiness', value: current, sysctl_file: file }))).toMatchObject({ status: 'ok', trips: 1 });
  });

  it('reload false only manages the file; check mode writes nothing', async () => {
    const file = path.join(tempDir(), '99-test.conf');
    const other = String(Number(current) === 1 ? 2 : 1);
    const c = await apply(sysctl({ name: 'vm.swappiness', value: other, sysctl_file: file }), makeCtx({ check: true, diff: true }));
    expect(c).toMatchObject({ status: 'changed', trips: 1 });
    expect(c.diff?.map((d) => d.target)).toEqual([file, 'sysctl vm.swappiness']);
    expect(fs.existsSync(file)).toBe(false);
    expect((await apply(sysctl({ name: 'vm.swappiness', value: other, sysctl_file: file, reload: false }))).status).toBe('changed');
    expect(execSync('sysctl -n vm.swappiness').toString().trim()).toBe(current);
  });

  it('an unknown key fails', async () => {
    const r = await apply(sysctl({ name: 'vm.pgplay_no_such_key', value: 1, sysctl_file: path.join(tempDir(), 'f') }));
    expect(r.status).toBe('failed');
    expect(r.msg).toMatch(/cannot read vm.pgplay_no_such_key/);
  });
});

/** Like a container: commands run on this host with `edit` applied (the -w test, sysctl -w). */
function container(edit: (cmd: string) => string): Connection {
  const local = new LocalConnection();
  return {
    host: 'container', connect: async () => {}, close: async () => {},
    get roundTrips() { return local.roundTrips; },
    exec: (cmd, o) => local.exec(edit(cmd), o),
  };
}
const readonlyProc = () => container((cmd) => cmd.replace(/\[ -w \S+ \]/, 'false'));

describe('sysctl in a container (read-only key)', () => {
  it('manages the file and says the runtime value could not be set', async () => {
    const file = path.join(tempDir(), '99-test.conf');
    const ctx = makeCtx({ conn: readonlyProc() });
    const r = await apply(sysctl({ name: 'vm.swappiness', value: 7, sysctl_file: file }), ctx);
    expect(r.status).toBe('changed');
    expect(r.msg).toMatch(/runtime value of vm.swappiness could not be set/);
    const again = await apply(sysctl({ name: 'vm.swappiness', value: 7, sysctl_file: file }), ctx);
    expect(again).toMatchObject({ status: 'ok', trips: 1 });
    expect(again.msg).toMatch(/could not be set/);
  });

  it('tolerates sysctl -w failing with a read-only error, or fails without tolerate_readonly', async () => {
    const file = path.join(tempDir(), '99-test.conf');
    const failingSet = (cmd: string) => cmd.replace(/sysctl -w -- \S+/, `{ echo 'sysctl: setting key "vm.swappiness": Read-only file system' >&2; false; }`);
    const r = await apply(sysctl({ name: 'vm.swappiness', value: 7, sysctl_file: file }), makeCtx({ conn: container(failingSet) }));
    expect(r).toMatchObject({ status: 'changed', trips: 2 });
    expect(r.msg).toMatch(/could not be set \(read-only here\): sysctl: setting key "vm.swappiness": Read-only file system/);
    const strict = await apply(sysctl({ name: 'vm.swappiness', value: 7, sysctl_file: file, tolerate_readonly: false }), makeCtx({ conn: container(failingSet) }));
    expect(strict.status).toBe('failed');
  });
});
