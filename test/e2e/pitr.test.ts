/**
 * Point-in-time recovery end to end on the sandbox (the instance PGPLAY_SANDBOX selects):
 *  - pg-meta (one instance): rows written in known batches; between them the time, a named restore
 *    point, the xid of a batch and an LSN are recorded; then `pgsql-pitr` to each target kind (time,
 *    name, xid inclusive and exclusive, lsn, immediate, latest) must leave exactly the rows expected,
 *    and a healthy cluster; the last run (latest, archive: true) does the follow-up itself;
 *  - pg-test (three instances): a time target, the replicas rebuilt and streaming afterwards;
 *  - cross-cluster through the central repository: pg-test restored from pg-meta's stanza, then the
 *    documented follow-up (pb stanza-upgrade, archive_mode reset, pg-backup full) and its own
 *    backups work; back on its local repository the play refuses the old stanza with the fix in
 *    the message, and the fix (pgsql-rm -t pg_backup, then -t pg_backup) works.
 * Runs after backup.test.ts; brings what it needs itself (./run pgsql -t pg_backup is idempotent)
 * and leaves both clusters healthy with archiving on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { archiveNow, asPg, asPgRaw, backups, changedTasks, expectHealthy, failures, ip, messages, META, ok, PG_TEST, psql, run, runOk, ssh } from './backup-helpers.js';

const NODE1 = ip('node-1');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rows per batch of the test table, as "batch:count" strings. */
const batches = async (host: string, db: string) => {
  const out = await psql(host, `SELECT coalesce(string_agg(batch || ':' || n, ',' ORDER BY batch), '') FROM (SELECT batch, count(*) AS n FROM pitr_rows GROUP BY batch) b`, db);
  return out ? out.split(',') : [];
};
const expectBatches = (n: number[]) => n.map((b) => `${b}:100`);

async function pitr(cluster: string, req: object, extra: string[] = []) {
  const r = await run(['pgsql-pitr', '-l', cluster, ...extra, '-e', JSON.stringify({ pg_pitr: req })]);
  console.log(`./run pgsql-pitr -l ${cluster} ${JSON.stringify(req)}: ${(r.ms / 1000).toFixed(1)}s`);
  expect(r.code, `${failures(r)}\n${messages(r)}`).toBe(0);
  return r;
}

describe('pitr on pg-meta: every target kind, right to the row', () => {
  const rec: { time?: string; name?: string; xid?: string; lsn?: string } = {};

  beforeAll(async () => {
    await runOk(['pgsql', '-l', 'pg-meta', '-t', 'pg_backup']);
    // a recovery left with archiving off (an earlier, interrupted run): the documented follow-up
    if ((await psql(META, 'SHOW archive_mode')) === 'off') await runOk(['pgsql-pitr', '-l', 'pg-meta', '-t', 'followup', '-e', '{"pg_pitr": {"archive": true}}']);
    await psql(META, 'DROP TABLE IF EXISTS pitr_rows; CREATE TABLE pitr_rows (batch int NOT NULL, i int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())', 'meta');
    // every target lies after the end of this backup (recovery cannot stop before a backup is consistent)
    await asPg(META, 'pg-backup full');
    const batch = (b: number, extra = '') => psql(META, `BEGIN; INSERT INTO pitr_rows (batch, i) SELECT ${b}, g FROM generate_series(1, 100) g; ${extra} COMMIT;`, 'meta');
    await batch(1);
    await sleep(1200);
    rec.time = await psql(META, `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`);
    await sleep(1200);
    await batch(2);
    rec.name = `e2e_after_batch2_${Date.now()}`;
    await psql(META, `SELECT pg_create_restore_point('${rec.name}')`);
    const out = await batch(3, 'SELECT txid_current();');
    rec.xid = out.split('\n').filter((l) => /^\d+$/.test(l)).pop();
    await batch(4);
    rec.lsn = await psql(META, 'SELECT pg_current_wal_lsn()');
    await batch(5);
    await archiveNow(META, 'meta');
    expect(await batches(META, 'meta')).toEqual(expectBatches([1, 2, 3, 4, 5]));
    console.log(`recorded targets: ${JSON.stringify(rec)}`);
  }, 10 * 60_000);

  const cases: [string, () => object, number[]][] = [
    ['time', () => ({ time: rec.time }), [1]],
    ['name', () => ({ name: rec.name }), [1, 2]],
    ['xid inclusive', () => ({ xid: rec.xid }), [1, 2, 3]],
    ['xid exclusive', () => ({ xid: rec.xid, exclusive: true }), [1, 2]],
    ['lsn', () => ({ lsn: rec.lsn }), [1, 2, 3, 4]],
    ['immediate', () => ({ type: 'immediate' }), []],
  ];
  it.each(cases)('%s', async (_kind, req, want) => {
    await pitr('pg-meta', req());
    expect(await batches(META, 'meta')).toEqual(expectBatches(want));
    await expectHealthy(META, 'pg-meta', 1);
    // archiving stays off after the recovery (archive: false) until the follow-up
    expect(await psql(META, 'SHOW archive_mode')).toBe('off');
    // and the targets are gone: a replica cloned from here would stop at them
    expect(await ok(META, `grep -cE '^(restore_command|recovery_target[a-z_]*)[[:space:]]*=' /pg/data/postgresql.auto.conf || true`)).toBe('0');
  });

  it('latest with archive: true does the follow-up: archiving back, a full backup of the new timeline', async () => {
    const before = (await backups(META)).map((b) => b.label);
    const r = await pitr('pg-meta', { archive: true });
    expect(await batches(META, 'meta')).toEqual(expectBatches([1, 2, 3, 4, 5]));
    await expectHealthy(META, 'pg-meta', 1);
    expect(await psql(META, 'SHOW archive_mode')).toBe('on');
    // pgBackRest's recovery settings are gone from postgresql.auto.conf. Patroni writes 6 empty
    // recovery_target* settings into postgresql.conf itself: a count over pg_settings that does not
    // look at the file counts those (the '6 still there' of an earlier version of this check).
    expect(await ok(META, `grep -cE '^(restore_command|recovery_target[a-z_]*|archive_mode)[[:space:]]*=' /pg/data/postgresql.auto.conf || true`)).toBe('0');
    expect(await psql(META, `SELECT count(*) FROM pg_settings WHERE (name LIKE 'recovery_target%' OR name IN ('restore_command', 'archive_mode')) AND sourcefile LIKE '%postgresql.auto.conf'`)).toBe('0');
    // one new full backup (retention may have expired the oldest one)
    const added = (await backups(META)).filter((b) => !before.includes(b.label));
    expect(added.map((b) => b.type)).toEqual(['full']);
    expect(changedTasks(r).some((t) => /take a full backup of the new history/.test(t))).toBe(true);
    await psql(META, 'INSERT INTO pitr_rows (batch, i) VALUES (6, 1)', 'meta');
    await archiveNow(META, 'meta');
  });
});

describe('pitr on pg-test: the replicas are rebuilt', () => {
  it('restores a time target on the primary and re-clones both replicas', async () => {
    await runOk(['pgsql', '-l', 'pg-test', '-t', 'pg_backup']);
    await psql(NODE1, 'DROP TABLE IF EXISTS pitr_rows; CREATE TABLE pitr_rows (batch int, i int)', 'test');
    await asPg(NODE1, 'pg-backup full');
    await psql(NODE1, 'INSERT INTO pitr_rows SELECT 1, g FROM generate_series(1, 100) g', 'test');
    await sleep(1200);
    const t = await psql(NODE1, `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`);
    await sleep(1200);
    await psql(NODE1, 'INSERT INTO pitr_rows SELECT 2, g FROM generate_series(1, 100) g', 'test');
    await archiveNow(NODE1);
    const tl = Number(await psql(NODE1, 'SELECT timeline_id FROM pg_control_checkpoint()'));
    await pitr('pg-test', { time: t, archive: true });
    const list = await expectHealthy(NODE1, 'pg-test', 3, 300);
    expect(list.find((m) => m.Role === 'Leader')!.Host).toBe(NODE1);
    for (const host of PG_TEST) expect(await batches(host, 'test'), host).toEqual(expectBatches([1]));
    expect(Number(await psql(NODE1, 'SELECT timeline_id FROM pg_control_checkpoint()'))).toBeGreaterThan(tl);
    // replicas follow the new primary (a write reaches them)
    await psql(NODE1, 'INSERT INTO pitr_rows VALUES (9, 9)', 'test');
    for (const host of PG_TEST.slice(1)) {
      const seen = await (async () => {
        for (let i = 0; i < 30; i++) {
          if ((await psql(host, 'SELECT count(*) FROM pitr_rows WHERE batch = 9', 'test')) === '1') return true;
          await sleep(1000);
        }
        return false;
      })();
      expect(seen, `${host} does not stream from the new primary`).toBe(true);
    }
  });
});

describe('cross-cluster: pg-test from pg-meta through the central repository', () => {
  const central = ['-e', 'pgbackrest_method=central'];

  it('restores pg-meta into pg-test, then the documented follow-up makes pg-test back up on its own', async () => {
    // a rerun: pg-test may still be the clone of pg-meta an earlier run made (same system): make it its own again
    const sysid = (host: string) => psql(host, 'SELECT system_identifier FROM pg_control_system()');
    if ((await sysid(NODE1)) === (await sysid(META))) {
      console.log('pg-test is a clone of pg-meta from an earlier run: removing and rebuilding it');
      await runOk(['pgsql-rm', '-l', 'pg-test'], 'pgsql-rm -l pg-test');
      await runOk(['pgsql', '-l', 'pg-test'], 'pgsql -l pg-test');
    }
    // the central repository starts without these stanzas (a rerun: pg-meta may have been re-created since)
    await ok(META, 'rm -rf /data/pgbackrest/archive/pg-meta /data/pgbackrest/backup/pg-meta /data/pgbackrest/archive/pg-test /data/pgbackrest/backup/pg-test');
    await runOk(['pgsql', '-l', 'pg-meta,pg-test', '-t', 'pg_backup', ...central], 'pgsql -l pg-meta,pg-test -t pg_backup (central)');
    const token = `from-pg-meta-${Date.now()}`;
    await psql(META, `CREATE TABLE IF NOT EXISTS cross_cluster (v text); INSERT INTO cross_cluster VALUES ('${token}')`, 'meta');
    await archiveNow(META, 'meta');
    const metaId = await psql(META, 'SELECT system_identifier FROM pg_control_system()');

    // stale archive-push status files (`<segment>.ok`) of names the restored history will use again, as
    // an old history leaves them: the restore must clear them, or pgBackRest answers those pushes from
    // the spool and the segments never reach the archive (the pg-backup full below would fail, 082)
    await ok(NODE1, `install -d -o postgres -g postgres -m 750 /pg/spool/archive/pg-test/out && cd /pg/spool/archive/pg-test/out && for t in $(seq 1 12); do for s in $(seq 1 96); do touch $(printf '%08X%08X%08X.ok' $t 0 $s); done; done && chown postgres:postgres *.ok`);
    await pitr('pg-test', { cluster: 'pg-meta' }, central);
    expect(await ok(NODE1, 'ls -A /pg/spool/archive/pg-test/out | grep -c "\\.ok$" || true')).toBe('0');
    await expectHealthy(NODE1, 'pg-test', 3, 300);
    expect(await psql(NODE1, 'SELECT system_identifier FROM pg_control_system()')).toBe(metaId);
    expect(await psql(NODE1, `SELECT count(*) FROM cross_cluster WHERE v = '${token}'`, 'meta')).toBe('1');
    expect(await psql(NODE1, 'SHOW archive_mode')).toBe('off');

    // without the follow-up pg-test's stanza belongs to the old pg-test: backups fail
    const refused = await asPgRaw(NODE1, 'pg-backup full');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/system-id .* do(es)? not match|HINT: is this the correct stanza/);

    // the follow-up, as docs/pitr.md and the playbook print it
    await asPg(NODE1, 'pb stanza-upgrade');
    for (const host of PG_TEST) await psql(host, 'ALTER SYSTEM RESET archive_mode');
    await ok(NODE1, 'patronictl -c /etc/patroni/patroni.yml restart pg-test --force');
    await expectHealthy(NODE1, 'pg-test', 3, 180);
    for (const host of PG_TEST) expect(await psql(host, 'SHOW archive_mode'), host).toBe('on');
    await asPg(NODE1, 'pb --no-archive-async archive-push $(ls /pg/data/pg_wal/*.history | tail -n1)');
    await asPg(NODE1, 'pg-backup full');
    await asPg(NODE1, 'pg-backup incr');
    const list = await backups(NODE1);
    expect(list.slice(-2).map((b) => b.type)).toEqual(['full', 'incr']);
    await psql(NODE1, 'CREATE TABLE IF NOT EXISTS after_followup (v int); INSERT INTO after_followup VALUES (1)');
    await archiveNow(NODE1);
  });

  it('back on its local repository, pg-test meets the old stanza: the play stops with the fix, the fix works', async () => {
    // each member's local stanza still belongs to the old pg-test system
    const r = await run(['pgsql', '-l', 'pg-test', '-t', 'pg_backup']);
    expect(r.code).toBe(2);
    const msg = failures(r);
    for (const host of PG_TEST) expect(msg).toContain(`${host} compare the stanza with this instance`);
    expect(msg).toMatch(/belongs to another database system/);
    expect(msg).toMatch(/pb stanza-upgrade/);
    expect(msg).toMatch(/\.\/run pgsql-rm -l pg-test -t pg_backup/);
    // the second way out of the message: drop the old backups, make the stanza again
    await runOk(['pgsql-rm', '-l', 'pg-test', '-t', 'pg_backup'], 'pgsql-rm -l pg-test -t pg_backup');
    for (const host of PG_TEST) expect((await ssh(host, 'test -e /data/backups/pg-test-15 || test -e /etc/pgbackrest/pgbackrest.conf')).code, host).not.toBe(0);
    // pg-test's own users and databases again (the restore brought pg-meta's)
    await runOk(['pgsql', '-l', 'pg-test', '-t', 'pg_backup,pg_user,pg_db'], 'pgsql -l pg-test -t pg_backup,pg_user,pg_db');
    await expectHealthy(NODE1, 'pg-test', 3, 180);
    expect((await backups(NODE1)).map((b) => b.type)).toEqual(['full']);
    await archiveNow(NODE1);
    // pg-meta back on its local repository (a new full backup starts its archive again)
    await runOk(['pgsql', '-l', 'pg-meta', '-t', 'pg_backup'], 'pgsql -l pg-meta -t pg_backup (local)');
    await expectHealthy(META, 'pg-meta', 1);
    await archiveNow(META);
  });
});
