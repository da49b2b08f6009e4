import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PrepareContext, Vars } from '../../../src/api/types.js';
import { loadInventory, hostVars } from '../../../src/inventory/index.js';
import { defaults } from '../../../roles/pg_pitr/defaults.js';
import { cleanAutoConf, describeTarget, expectedRecoverySettings, restoreArgs, validatePitr, type PitrPlan } from '../../../roles/pg_pitr/lib/pitr.js';
import { preparePitr } from '../../../roles/pg_pitr/prepare.js';
import { deleteRangeBody } from '../../../roles/lib/dcs.js';

const ctx = { pg_cluster: 'pg-meta', pg_data: '/pg/data', pg_port: 5432 };
const ok = (p: unknown): PitrPlan => {
  const r = validatePitr(p, ctx);
  expect(r.errors).toEqual([]);
  return r.plan!;
};
const bad = (p: unknown): string => {
  const r = validatePitr(p, ctx);
  expect(r.plan).toBeUndefined();
  return r.errors.join('\n');
};

describe('pg_pitr validation matrix', () => {
  it.each([
    [{}, 'latest', undefined],
    [{ type: 'latest' }, 'latest', undefined],
    [{ type: 'default' }, 'latest', undefined],
    [{ type: 'immediate' }, 'immediate', undefined],
    [{ time: '2025-07-13 10:00:00+00' }, 'time', '2025-07-13 10:00:00+00'],
    [{ time: '2025-07-13T10:00:00.123456+08:00' }, 'time', '2025-07-13T10:00:00.123456+08:00'],
    [{ time: '2025-07-13 10:00:00 UTC', type: 'time' }, 'time', '2025-07-13 10:00:00 UTC'],
    [{ name: 'before_upgrade' }, 'name', 'before_upgrade'],
    [{ xid: '250000' }, 'xid', '250000'],
    [{ xid: 250000, exclusive: true }, 'xid', '250000'],
    [{ lsn: '0/4001c80' }, 'lsn', '0/4001C80'],
    [{ lsn: '1F/ABCDEF01', type: 'lsn', exclusive: 'true' }, 'lsn', '1F/ABCDEF01'],
  ])('accepts %j as %s', (p, type, target) => {
    const plan = ok(p);
    expect(plan.type).toBe(type);
    expect(plan.target).toBe(target);
  });

  it.each([
    [{ time: '2025-07-13 10:00:00+00', xid: '1' }, /time and xid are mutually exclusive/],
    [{ name: 'a', lsn: '0/1', time: '2025-07-13 10:00:00+00' }, /time and name and lsn are mutually exclusive/],
    [{ type: 'xid', time: '2025-07-13 10:00:00+00' }, /'xid' contradicts pg_pitr\.time/],
    [{ type: 'immediate', name: 'x' }, /'immediate' contradicts pg_pitr\.name/],
    [{ type: 'time' }, /type time needs pg_pitr\.time/],
    [{ type: 'snapshot' }, /'snapshot' is not one of time, name, xid, lsn, immediate, latest/],
    [{ time: '2025-07-13 10:00:00' }, /with a time zone/],
    [{ time: 'yesterday' }, /not 'YYYY-MM-DD HH:MM:SS/],
    [{ xid: 'abc' }, /not a transaction id/],
    [{ xid: '4294967296' }, /not a transaction id/],
    [{ xid: 2 }, /not a transaction id/],
    [{ lsn: '0x4001C80' }, /not an LSN like 0\/4001C80/],
    [{ name: 'x'.repeat(64) }, /at most 63 bytes/],
    [{ exclusive: true }, /exclusive applies to time, xid and lsn targets only \(not latest\)/],
    [{ name: 'rp', exclusive: true }, /not name/],
    [{ type: 'immediate', exclusive: 'yes' }, /not immediate/],
    [{ action: 'resume' }, /'resume' is not one of pause, promote, shutdown/],
    [{ action: 'shutdown' }, /shutdown needs a recovery target/],
    [{ archive: 'maybe' }, /archive: true or false/],
    [{ timeline: 'next' }, /latest, current or a timeline number/],
    [{ set: 'yesterday' }, /not a backup label like 20250713-022731F/],
    [{ cluster: 'pg meta' }, /not a cluster name/],
    [{ db_include: ['app'], db_exclude: ['log'] }, /cannot be combined/],
    [{ db_exclude: ['template1'] }, /system database/],
    [{ db_include: 'app' }, /a list of database names/],
    [{ link_map: { pg_wal: 'relative' } }, /link_map\.pg_wal: an absolute path/],
    [{ process: 0 }, /process: an integer 1\.\.64/],
    [{ repo: ['x'] }, /pg_pitr\.repo: a repository/],
    [{ data: '/pg/data1' }, /needs its own pg_pitr\.port/],
    [{ port: 15432 }, /give pg_pitr\.data too/],
    [{ backup: true }, /pg_pitr\.backup: unknown field/],
    ['latest', /pg_pitr must be a mapping/],
  ])('rejects %j', (p, re) => {
    expect(bad(p)).toMatch(re);
  });

  it('fills defaults: source = the cluster itself, pause, no archiving, latest timeline and set', () => {
    expect(ok({})).toEqual({
      cluster: 'pg-meta', type: 'latest', target: undefined, timeline: undefined, exclusive: false, action: 'pause', archive: false, set: undefined,
      dbInclude: [], dbExclude: [], linkMap: {}, process: undefined, repo: undefined, data: '/pg/data', port: 5432, crossCluster: false, side: false,
    });
    expect(ok({ cluster: 'pg-test', set: 'latest', timeline: 'latest', archive: 'true' })).toMatchObject({ crossCluster: true, archive: true, set: undefined, timeline: undefined });
    expect(ok({ data: '/pg/data1', port: 15432 })).toMatchObject({ side: true, port: 15432 });
  });
});

describe('restore command and recovery settings per target type', () => {
  const cases: [unknown, string[], Record<string, string>][] = [
    [{}, [], { archive_mode: 'off' }],
    [{ type: 'immediate' }, ['--type=immediate'], { archive_mode: 'off', recovery_target: 'immediate', recovery_target_timeline: 'current' }],
    [{ time: '2025-07-13 10:00:00+00' }, ['--type=time', '--target=2025-07-13 10:00:00+00'], { archive_mode: 'off', recovery_target_time: '2025-07-13 10:00:00+00' }],
    [{ name: 'rp1', archive: true }, ['--type=name', '--target=rp1'], { recovery_target_name: 'rp1' }],
    [{ xid: '777' }, ['--type=xid', '--target=777'], { archive_mode: 'off', recovery_target_xid: '777' }],
    [{ xid: '777', exclusive: true }, ['--type=xid', '--target=777', '--target-exclusive'], { archive_mode: 'off', recovery_target_xid: '777', recovery_target_inclusive: 'false' }],
    [{ lsn: '0/3000060', action: 'promote' }, ['--type=lsn', '--target=0/3000060', '--target-action=promote'], { archive_mode: 'off', recovery_target_lsn: '0/3000060', recovery_target_action: 'promote' }],
    [{ time: '2025-07-13 10:00:00+00', action: 'shutdown', timeline: 3 }, ['--type=time', '--target=2025-07-13 10:00:00+00', '--target-action=shutdown', '--target-timeline=3'], { archive_mode: 'off', recovery_target_time: '2025-07-13 10:00:00+00', recovery_target_action: 'shutdown', recovery_target_timeline: '3' }],
  ];
  it.each(cases)('%j', (p, target, settings) => {
    const plan = ok(p);
    const args = restoreArgs(plan);
    expect(args.slice(0, 3)).toEqual(['--config=/pg/conf/pitr.conf', '--stanza=pg-meta', '--delta']);
    expect(args.slice(3, -1)).toEqual(target);
    expect(args.at(-1)).toBe(plan.archive ? '--archive-mode=preserve' : '--archive-mode=off');
    expect(expectedRecoverySettings(plan)).toEqual(settings);
  });
  it('restores a chosen set from another stanza', () => {
    expect(restoreArgs(ok({ cluster: 'pg-test', set: '20250713-022731F', type: 'immediate' }))).toEqual([
      '--config=/pg/conf/pitr.conf', '--stanza=pg-test', '--delta', '--set=20250713-022731F', '--type=immediate', '--archive-mode=off',
    ]);
    expect(describeTarget(ok({ xid: '9', exclusive: true, set: '20250713-022731F' }))).toBe('xid 9 (exclusive: just before it) from backup 20250713-022731F');
  });
});

describe('recovery settings after promotion', () => {
  const auto = [
    '# Do not edit this file manually!',
    '# It will be overwritten by the ALTER SYSTEM command.',
    "work_mem = '8MB'",
    '',
    '# Recovery settings generated by pgBackRest restore on 2025-07-13 03:17:08',
    "archive_mode = 'off'",
    "restore_command = 'pgbackrest --config=/pg/conf/pitr.conf --stanza=pg-meta archive-get %f \"%p\"'",
    "recovery_target_time = '2025-07-13 03:03:00+00'",
    "recovery_target_inclusive = 'false'",
    "recovery_target_action = 'promote'",
    '',
  ].join('\n');
  it('drops restore_command and the targets, keeps archive_mode off (archive: false) and other settings', () => {
    expect(cleanAutoConf(auto, true)).toBe(['# Do not edit this file manually!', '# It will be overwritten by the ALTER SYSTEM command.', "work_mem = '8MB'", '', "archive_mode = 'off'", ''].join('\n'));
  });
  it('drops archive_mode too with archive: true', () => {
    expect(cleanAutoConf(auto, false)).not.toMatch(/archive_mode|restore_command|recovery_target/);
    expect(cleanAutoConf(cleanAutoConf(auto, false), false)).toBe(cleanAutoConf(auto, false));
  });
});

describe('pg_pitr prepare', () => {
  const INV = `
all:
  children:
    infra: { hosts: { 10.10.10.10: {} } }
    pg-meta: { hosts: { 10.10.10.10: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-meta } }
    pg-test:
      hosts:
        10.10.10.11: { pg_seq: 1, pg_role: primary }
        10.10.10.12: { pg_seq: 2, pg_role: replica }
      vars: { pg_cluster: pg-test }
`;
  function pctx(extra: Vars, targets: string[]): PrepareContext {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitr-'));
    fs.writeFileSync(path.join(dir, 'inv.yml'), INV);
    const inv = loadInventory(path.join(dir, 'inv.yml'));
    const layers = { defaults: defaults as unknown as Vars, extra };
    return { inventory: inv, targets, vars: (h) => hostVars(inv, h, layers).vars, source: (h, k) => hostVars(inv, h, layers).sources[k] };
  }
  it('needs pg_pitr', () => {
    expect(preparePitr(pctx({}, ['10.10.10.10'])).errors![0].message).toMatch(/pg_pitr is required/);
  });
  it('plans the restore on every member', () => {
    const r = preparePitr(pctx({ pg_pitr: { time: '2025-07-13 10:00:00+00' } }, ['10.10.10.11', '10.10.10.12']));
    expect(r.errors).toEqual([]);
    expect((r.derived!['10.10.10.12'].pitr as PitrPlan).type).toBe('time');
    expect((r.derived!['10.10.10.11'].pitr_repo as any).name).toBe('local');
  });
  it('refuses a limit that leaves members out', () => {
    const e = preparePitr(pctx({ pg_pitr: {} }, ['10.10.10.11'])).errors!;
    expect(e.map((x) => x.message).join('\n')).toMatch(/restores a whole cluster: -l pg-test \(the limit leaves out 10\.10\.10\.12/);
  });
  it('refuses another cluster from a per-host local repository, accepts it from central', () => {
    const e = preparePitr(pctx({ pg_pitr: { cluster: 'pg-meta' } }, ['10.10.10.11', '10.10.10.12'])).errors!;
    expect(e[0].message).toMatch(/needs a shared repository: -e pgbackrest_method=central/);
    const r = preparePitr(pctx({ pg_pitr: { cluster: 'pg-meta' }, pgbackrest_method: 'central' }, ['10.10.10.11', '10.10.10.12']));
    expect(r.errors).toEqual([]);
    expect((r.derived!['10.10.10.11'].pitr_repo as any).remote.host).toBe('10.10.10.10');
  });
  it('reports every invalid field with its source', () => {
    const e = preparePitr(pctx({ pg_pitr: { time: 'now', xid: 'x', colour: 'red' } }, ['10.10.10.10'])).errors!;
    expect(e.map((x) => x.message)).toEqual(expect.arrayContaining([expect.stringMatching(/unknown field/), expect.stringMatching(/mutually exclusive/)]));
    expect(e.every((x) => x.path === 'pg_pitr')).toBe(true);
  });
});

describe('DCS cleanup', () => {
  it('deletes exactly the keys under <namespace>/<cluster>/', () => {
    const body = JSON.parse(deleteRangeBody('/pg/pg-test/'));
    expect(Buffer.from(body.key, 'base64').toString()).toBe('/pg/pg-test/');
    expect(Buffer.from(body.range_end, 'base64').toString()).toBe('/pg/pg-test0');
  });
});
