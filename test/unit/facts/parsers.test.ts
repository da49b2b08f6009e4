import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStat, statCommand } from '../../../src/facts/files.js';
import { dpkgCommand, parseDpkg } from '../../../src/facts/packages.js';
import { isEnabled, isRunning, parseUnit, unitCommand } from '../../../src/facts/systemd.js';
import { groupCommand, parseGroup } from '../../../src/facts/users.js';
import { normalizeSysctl, sysctlCommand } from '../../../src/facts/sysctl.js';
import { psqlCommand } from '../../../src/facts/postgres.js';

const sh = (cmd: string) => execFileSync('/bin/sh', ['-c', cmd]).toString();

describe('files facts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-facts-'));
  const f = path.join(dir, "it's a file");
  fs.writeFileSync(f, 'hello\n');
  fs.chmodSync(f, 0o640);
  fs.symlinkSync(f, path.join(dir, 'link'));

  it('stat of a file with checksum and content', () => {
    const s = parseStat(sh(statCommand(f, { checksum: true, content: true })));
    expect(s).toMatchObject({ exists: true, type: 'file', mode: '0640', size: 6, sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' });
    expect(s.content?.toString()).toBe('hello\n');
    expect(s.owner).toBe(os.userInfo().username);
  });

  it('links: not followed unless asked', () => {
    expect(parseStat(sh(statCommand(path.join(dir, 'link'))))).toMatchObject({ type: 'link', link: f });
    expect(parseStat(sh(statCommand(path.join(dir, 'link'), { follow: true })))).toMatchObject({ type: 'file', mode: '0640', link: f });
  });

  it('missing paths and directories', () => {
    expect(parseStat(sh(statCommand(path.join(dir, 'nope'))))).toEqual({ exists: false });
    expect(parseStat(sh(statCommand(dir, { checksum: true })))).toMatchObject({ type: 'directory', sha256: undefined });
  });
});

describe('packages facts', () => {
  it('dpkg-query of this host: installed ones only, unknown names ignored', () => {
    const installed = parseDpkg(sh(dpkgCommand(['coreutils', 'pgplay-no-such-package'])));
    expect(Object.keys(installed)).toEqual(['coreutils']);
  });
});

describe('systemd facts', () => {
  it('parses systemctl show', () => {
    const u = parseUnit('LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\nNeedDaemonReload=no\nOther=x\n');
    expect(u).toEqual({ LoadState: 'loaded', ActiveState: 'active', SubState: 'running', UnitFileState: 'enabled', NeedDaemonReload: 'no' });
    expect(isRunning(u) && isEnabled(u)).toBe(true);
    expect(isEnabled(parseUnit('UnitFileState=disabled\n'))).toBe(false);
    expect(unitCommand('patroni.service')).toBe('systemctl show -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- patroni.service');
  });
});

describe('users, sysctl, psql', () => {
  it('getent group', () => {
    expect(parseGroup('dba:x:1001:alice,bob\n')).toEqual({ name: 'dba', gid: 1001, members: ['alice', 'bob'] });
    expect(parseGroup('')).toBeUndefined();
    expect(parseGroup(sh(groupCommand('root')))).toMatchObject({ name: 'root', gid: 0 });
  });

  it('sysctl value of this host', () => {
    expect(normalizeSysctl(sh(sysctlCommand('kernel.ostype')))).toBe('Linux');
  });

  it('psql command: no SQL or secret on the command line', () => {
    const c = psqlCommand({ db: 'meta', port: 5433, host: '/var/run/postgresql' }, true);
    expect(c).toMatch(/^unset LC_ALL; export LC_MESSAGES=C LANGUAGE= PGCLIENTENCODING=UTF8; IFS= read -r PGPASSWORD && export PGPASSWORD && exec psql -X -A -q -v ON_ERROR_STOP=1 .* -h \/var\/run\/postgresql -p 5433 -d meta .* -f -$/);
  });
});
