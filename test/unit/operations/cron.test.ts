import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEntries, cron, cronFile, planUserCrontab } from '../../../src/operations/cron.js';
import type { Connection } from '../../../src/api/types.js';
import { LocalConnection } from '../../../src/connectors/local.js';
import { apply, makeCtx, tempDir } from './ctx.js';

/** This host with commands edited (a temp dir for /etc/cron.d, a fake crontab on PATH). */
function edited(edit: (cmd: string) => string): Connection {
  const local = new LocalConnection();
  return {
    host: 'test', connect: async () => {}, close: async () => {},
    get roundTrips() { return local.roundTrips; },
    exec: (cmd, o) => local.exec(edit(cmd), o),
  };
}

describe('cron plans', () => {
  it('checks entry fields', () => {
    expect(() => checkEntries(['00 01 * * * postgres /pg/bin/pg-backup full'], true)).not.toThrow();
    expect(() => checkEntries(['MAILTO=""', '# c', '@reboot root /bin/true'], true)).not.toThrow();
    expect(() => checkEntries(['00 01 * * * /pg/bin/pg-backup'], true)).toThrow(/schedule, user and command/);
    expect(() => checkEntries(['00 01 * * * /pg/bin/pg-backup full'], false)).not.toThrow();
  });

  it('cron.d content and user crontab block', () => {
    expect(cronFile('pgplay', ['* * * * * root true'])).toBe('# pgplay: managed by pgplay\n* * * * * root true\n');
    const mine = planUserCrontab('0 0 * * * other\n', { name: 'pg_crontab', entries: ['00 01 * * * /pg/bin/pg-backup full'] });
    expect(mine).toBe('0 0 * * * other\n# BEGIN PGPLAY pg_crontab\n00 01 * * * /pg/bin/pg-backup full\n# END PGPLAY pg_crontab\n');
    expect(planUserCrontab(mine, { name: 'pg_crontab', entries: [], state: 'absent' })).toBe('0 0 * * * other\n');
  });
});

describe('cron runs', () => {
  it('/etc/cron.d/<name>: create, ok, absent', async () => {
    const dir = tempDir();
    const ctx = makeCtx({ conn: edited((c) => c.replaceAll('/etc/cron.d/', `${dir}/`)) });
    const entries = ['00 01 * * * postgres /pg/bin/pg-backup full'];
    expect((await apply(cron({ name: 'pgplay', entries }), ctx)).status).toBe('changed');
    expect(fs.readFileSync(path.join(dir, 'pgplay'), 'utf8')).toBe(cronFile('pgplay', entries));
    expect((fs.statSync(path.join(dir, 'pgplay')).mode & 0o777).toString(8)).toBe('644');
    expect(await apply(cron({ name: 'pgplay', entries }), ctx)).toMatchObject({ status: 'ok', trips: 1 });
    expect((await apply(cron({ name: 'pgplay', entries, state: 'absent' }), ctx)).status).toBe('changed');
    expect(fs.existsSync(path.join(dir, 'pgplay'))).toBe(false);
    expect((await apply(cron({ name: 'bad.name', entries }), ctx)).msg).toMatch(/must be letters/);
  });

  it('a user crontab: block added, ok in one round trip, diff, removed', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'crontab'), [
      '#!/bin/sh',
      `f=${dir}/tab.$2`,
      'case "$3" in',
      '  -l) if [ -f "$f" ]; then cat "$f"; else echo "no crontab for $2" >&2; exit 1; fi ;;',
      '  -) cat > "$f" ;;',
      'esac',
    ].join('\n'), { mode: 0o755 });
    const ctx = makeCtx({ conn: edited((c) => `PATH=${dir}:$PATH\n${c}`), diff: true });
    const entries = ['00 01 * * * /pg/bin/pg-backup full'];
    const first = await apply(cron({ name: 'pg_crontab', entries, user: 'postgres' }), ctx);
    expect(first).toMatchObject({ status: 'changed', trips: 2, diff: [{ target: 'crontab -u postgres', before: '' }] });
    expect(fs.readFileSync(path.join(dir, 'tab.postgres'), 'utf8')).toBe('# BEGIN PGPLAY pg_crontab\n00 01 * * * /pg/bin/pg-backup full\n# END PGPLAY pg_crontab\n');
    expect(await apply(cron({ name: 'pg_crontab', entries, user: 'postgres' }), ctx)).toMatchObject({ status: 'ok', trips: 1 });
    expect((await apply(cron({ name: 'pg_crontab', entries, user: 'postgres', state: 'absent' }), ctx)).status).toBe('changed');
    expect(fs.readFileSync(path.join(dir, 'tab.postgres'), 'utf8')).toBe('');
  });
});
