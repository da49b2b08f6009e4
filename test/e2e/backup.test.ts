/**
 * Backups end to end on the sandbox (the instance PGPLAY_SANDBOX selects): `./run pgsql -t pg_backup`
 * on pg-meta and pg-test (idempotent; second run changed=0), the initial full backup in `pb info`,
 * pg-backup full/diff/incr, backups on the primary only, the /pg/bin scripts (pg-fork, pg-pitr printed
 * and run into a fork, pg-basebackup), retention (retention_full: 2), check mode,
 * an encrypted repository (files not readable as plain data, restore works), and pgsql-rm with
 * pg_rm_backup=false (the stanza stays) and by default (the stanza goes), pg-meta rebuilt after.
 * Runs after pgsql.test.ts and access.test.ts; leaves both clusters healthy on their local
 * repositories with archiving on.
 */
import { describe, expect, it } from 'vitest';
import { archiveNow, asPg, asPgRaw, backups, expectHealthy, failures, ip, META, ok, PG_TEST, psql, run, runOk, ssh, totalChanged, changedTasks } from './backup-helpers.js';

const NODE1 = ip('node-1');
const NODE2 = ip('node-2');
const ENC_PASS = 'E2E.Cipher.Pass-7f3a';
const ENC = JSON.stringify({
  pgbackrest_method: 'enc',
  pgbackrest_repo: { enc: { path: '/data/backups/pg-meta-enc', cipher_type: 'aes-256-cbc', cipher_pass: ENC_PASS, retention_full_type: 'count', retention_full: 2 } },
});

describe('backups', () => {
  it('-t pg_backup sets both clusters up, and a second run changes nothing', async () => {
    await runOk(['pgsql', '-l', 'pg-meta,pg-test', '-t', 'pg_backup']);
    const again = await runOk(['pgsql', '-l', 'pg-meta,pg-test', '-t', 'pg_backup'], 'pgsql -t pg_backup (second run)');
    expect(totalChanged(again), changedTasks(again).join('\n')).toBe(0);
  });

  it('pb info shows the initial full backup; archive_command pushes to pgBackRest', async () => {
    for (const [host, cls] of [[META, 'pg-meta'], [NODE1, 'pg-test']]) {
      const info = await asPg(host, 'pb info');
      expect(info).toMatch(new RegExp(`stanza: ${cls}\\n\\s+status: ok`));
      expect(info).toMatch(/full backup: \d{8}-\d{6}F/);
      const sysid = await psql(host, 'SELECT system_identifier FROM pg_control_system()');
      expect(await ok(host, 'cat /etc/pgbackrest/initial.done')).toBe(`stanza=${cls} repo=local system-id=${sysid}`);
      expect(await psql(host, 'SHOW archive_command')).toBe(`pgbackrest --stanza=${cls} archive-push %p`);
    }
    await archiveNow(META);
  });

  it('pg-backup full, diff and incr each add a backup of that type', async () => {
    for (const type of ['full', 'diff', 'incr'] as const) {
      const before = await backups(META);
      const t0 = Date.now();
      const out = await asPg(META, `pg-backup ${type}`);
      console.log(`pg-backup ${type} on pg-meta: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      expect(out).toMatch(/\[DONE\]/);
      const after = await backups(META);
      const added = after.filter((b) => !before.some((x) => x.label === b.label));
      expect(added.map((b) => b.type)).toEqual([type]);
      // a full past retention_full expires the oldest full (the retention test below checks that)
      if (type !== 'full') expect(after.length).toBe(before.length + 1);
    }
  });

  it('pg-backup on a replica says so and exits 0 without a backup', async () => {
    const before = (await backups(NODE1)).length;
    const r = await asPgRaw(NODE2, 'pg-backup full');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[SKIP\] .* is not the primary \(role: replica\)/);
    expect((await backups(NODE1)).length).toBe(before);
  });

  it('pg-fork clones the running instance to /pg/data1 on port 15432: same rows, no archiving, not in Patroni', async () => {
    await psql(META, `CREATE TABLE IF NOT EXISTS script_rows(v text); INSERT INTO script_rows VALUES ('fork')`, 'meta');
    try {
      const out = await asPg(META, 'pg-fork 1 -y');
      expect(out).toMatch(/\[DONE\] fork ready in \/pg\/data1, port 15432 \(not started\)/);
      await asPg(META, 'pg_ctl -D /pg/data1 -w -l /pg/data1/log/start.log start');
      const fork = (sql: string) => asPg(META, `psql -X -qAt -p 15432 -d meta -c ${JSON.stringify(sql)}`);
      expect(await fork(`SELECT count(*) FROM script_rows WHERE v = 'fork'`)).toBe('1');
      expect(await fork('SHOW archive_mode')).toBe('off');
      expect(await fork('SHOW listen_addresses')).toBe('localhost');
      expect(await fork('SELECT pg_is_in_recovery()')).toBe('f');
      // the cluster is untouched: one member, pg-meta-1 leads
      expect((await expectHealthy(META, 'pg-meta', 1)).map((m) => m.Member)).toEqual(['pg-meta-1']);
    } finally {
      await asPgRaw(META, 'pg_ctl -D /pg/data1 stop -m fast; rm -rf /pg/data1');
    }
  });

  it('pg-pitr prints the steps (nothing changed); with -D and -y it restores a fork to a time, right to the row', async () => {
    await psql(META, `CREATE TABLE IF NOT EXISTS script_rows(v text); INSERT INTO script_rows VALUES ('before')`, 'meta');
    await new Promise((r) => setTimeout(r, 1100));
    const t = await psql(META, `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`);
    await new Promise((r) => setTimeout(r, 1100));
    await psql(META, `INSERT INTO script_rows VALUES ('after')`, 'meta');
    await archiveNow(META, 'meta');

    // printed only, for the managed instance
    const dry = await asPg(META, `pg-pitr -t '${t}'`);
    expect(dry).toMatch(/Point-in-time recovery of \/pg\/data from stanza pg-meta: time/);
    expect(dry).toMatch(/Nothing was changed/);
    expect(await asPg(META, `pg-pitr -t '${t}' -c`)).toMatch(/^pgbackrest .*--stanza=pg-meta .*--type=time .*restore$/m);
    expect((await expectHealthy(META, 'pg-meta', 1)).length).toBe(1);

    try {
      await asPg(META, 'pg-fork 2 -y');
      const out = await asPg(META, `pg-pitr -D /pg/data2 -t '${t}' -y`);
      expect(out).toMatch(/\[2\.1\] pgbackrest .*--pg1-path=\/pg\/data2/);
      expect(out).not.toMatch(/cleared the archive-push spool/); // a fork does not touch the cluster's spool
      const fork = (sql: string) => asPg(META, `psql -X -qAt -p 25432 -d meta -c ${JSON.stringify(sql)}`);
      expect(await fork(`SELECT string_agg(v, ',' ORDER BY v) FROM script_rows WHERE v IN ('before', 'after')`)).toBe('before');
      expect(await fork('SELECT pg_is_in_recovery()')).toBe('t'); // paused at the target
      // the cluster kept running on 5432 meanwhile, with both rows
      expect(await psql(META, `SELECT count(*) FROM script_rows WHERE v IN ('before', 'after')`, 'meta')).toBe('2');
    } finally {
      await asPgRaw(META, 'pg_ctl -D /pg/data2 stop -m fast; rm -rf /pg/data2');
    }
  });

  it('pg-basebackup writes an lz4 tarball of the instance and removes ones older than -r minutes', async () => {
    const dir = '/tmp/pgplay-e2e-basebackup';
    await asPgRaw(META, `rm -rf ${dir}; mkdir -p ${dir} && touch -d '3 days ago' ${dir}/backup_old_20000101_000000.tar.lz4`);
    try {
      await asPg(META, `pg-basebackup -d ${dir} -r 60`);
      const files = (await asPg(META, `ls ${dir}`)).split('\n');
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^backup_pg-meta(-1)?_\d{8}_\d{6}\.tar\.lz4$/);
      const listing = await asPg(META, `lz4 -dc ${dir}/${files[0]} | tar -t | grep -E '^(\\./)?(PG_VERSION|global/pg_control|pg_wal/)'`);
      expect(listing).toMatch(/PG_VERSION/);
      expect(listing).toMatch(/global\/pg_control/);
    } finally {
      await asPgRaw(META, `rm -rf ${dir}`);
    }
  });

  it('retention keeps retention_full (2) full backups: the oldest full goes with its dependents', async () => {
    let list = await backups(META);
    while (list.filter((b) => b.type === 'full').length < 2) {
      await asPg(META, 'pg-backup full');
      list = await backups(META);
    }
    const fulls = list.filter((b) => b.type === 'full').map((b) => b.label);
    expect(fulls).toHaveLength(2);
    await asPg(META, 'pg-backup full');
    const after = await backups(META);
    const afterFulls = after.filter((b) => b.type === 'full').map((b) => b.label);
    expect(afterFulls).toHaveLength(2);
    expect(afterFulls).not.toContain(fulls[0]);
    expect(afterFulls[0]).toBe(fulls[1]);
    expect(after.every((b) => !b.label.startsWith(fulls[0]))).toBe(true);
  });

  it('--check changes nothing (a switch of repository is only reported)', async () => {
    // the encrypted repository of the next test starts empty (an earlier run's would hold another system's stanza)
    await ok(META, 'rm -rf /data/backups/pg-meta-enc');
    const sum = await ok(META, 'sha256sum /etc/pgbackrest/pgbackrest.conf /etc/pgbackrest/initial.done');
    const n = (await backups(META)).length;
    const r = await run(['pgsql', '-l', 'pg-meta', '-t', 'pg_backup', '--check', '--diff', '-e', ENC]);
    expect(r.code, failures(r)).toBe(0);
    const conf = r.events.find((e) => e.event === 'host_result' && e.task === 'render pgbackrest config');
    expect(conf?.status).toBe('changed');
    expect(JSON.stringify(r.events)).not.toContain(ENC_PASS);
    expect(await ok(META, 'sha256sum /etc/pgbackrest/pgbackrest.conf /etc/pgbackrest/initial.done')).toBe(sum);
    expect((await ok(META, 'test -e /data/backups/pg-meta-enc && echo exists || echo absent'))).toBe('absent');
    expect((await backups(META)).length).toBe(n);
  });

  it('an encrypted repository: files are not plain data, the pass never printed, restore works', async () => {
    const r = await runOk(['pgsql', '-l', 'pg-meta', '-t', 'pg_backup', '-e', ENC], 'pgsql -l pg-meta -t pg_backup (encrypted repository)');
    expect(JSON.stringify(r.events)).not.toContain(ENC_PASS);
    expect(await ok(META, 'stat -c %a:%U /etc/pgbackrest/pgbackrest.conf')).toBe('640:postgres');
    const info = await asPg(META, 'pb info');
    expect(info).toMatch(/cipher: aes-256-cbc/);
    expect(info).toMatch(/full backup: /);
    // pgBackRest encrypts with OpenSSL's format: every info, manifest and file starts with "Salted__"
    const repo = '/data/backups/pg-meta-enc';
    const files = (await ok(META, `find ${repo} -type f \\( -name 'backup.info' -o -name 'archive.info' -o -name 'backup.manifest' -o -name 'PG_VERSION*' -o -name '0000*' \\) | head -n 20`)).split('\n');
    expect(files.length).toBeGreaterThan(4);
    for (const f of files) expect(await ok(META, `head -c 8 ${f}`), f).toBe('Salted__');
    expect((await ssh(META, `grep -rl 'backrest-format' ${repo}`)).stdout).toBe('');
    // a wrong pass cannot read it
    const wrong = await asPgRaw(META, 'pgbackrest --stanza=pg-meta --repo1-cipher-pass=wrong.pass --output=json info');
    expect(wrong.stdout + wrong.stderr).not.toMatch(/"status":\{"code":0/);

    // restore from it, to a time between two rows: the first comes back, the second does not
    const token = `enc-${Date.now()}`;
    await psql(META, `DROP TABLE IF EXISTS enc_rows; CREATE TABLE enc_rows (v text); INSERT INTO enc_rows VALUES ('${token}')`, 'meta');
    const t = await psql(META, `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`);
    // recovery to a time stops at the first transaction committed after it: there must be one
    await psql(META, `INSERT INTO enc_rows VALUES ('after-${token}')`, 'meta');
    await archiveNow(META, 'meta');
    const p = await runOk(['pgsql-pitr', '-l', 'pg-meta', '-e', ENC, '-e', JSON.stringify({ pg_pitr: { time: t, archive: true } })], 'pgsql-pitr -l pg-meta (encrypted repository)');
    expect(JSON.stringify(p.events)).not.toContain(ENC_PASS);
    expect(await ok(META, 'stat -c %a /pg/conf/pitr.conf')).toBe('600');
    await expectHealthy(META, 'pg-meta', 1);
    expect(await psql(META, `SELECT string_agg(v, ',') FROM enc_rows`, 'meta')).toBe(token);
  });

  it('back on the local repository: a new full backup starts its archive again', async () => {
    const r = await runOk(['pgsql', '-l', 'pg-meta', '-t', 'pg_backup'], 'pgsql -l pg-meta -t pg_backup (local again)');
    expect(changedTasks(r).some((c) => /take the initial full backup/.test(c))).toBe(true);
    expect(await asPg(META, 'pb info')).toMatch(/cipher: none/);
    await archiveNow(META);
  });
});

describe('pgsql-rm and the stanza', () => {
  const REPO = '/data/backups/pg-meta-15/backup';
  const stanzaInfo = () => ssh(META, `cd /tmp && runuser -u postgres -- pgbackrest --repo1-path=${REPO} --stanza=pg-meta --output=json info`);

  it('pg_rm_backup=false removes pg-meta but leaves its stanza and backups', async () => {
    const n = (await backups(META)).length;
    await runOk(['pgsql-rm', '-l', 'pg-meta', '-e', 'pg_rm_backup=false'], 'pgsql-rm -l pg-meta -e pg_rm_backup=false');
    expect((await ssh(META, 'systemctl is-active patroni')).stdout).not.toBe('active');
    expect((await ssh(META, 'test -e /pg/data')).code).not.toBe(0);
    const info = JSON.parse((await stanzaInfo()).stdout.replace(/"system-id"\s*:\s*(\d+)/g, '"system-id":"$1"'));
    expect(info[0].status.code).toBe(0);
    expect(info[0].backup.length).toBe(n);
  });

  it('the default removes the stanza (with the primary) and the cluster keys in etcd', async () => {
    await runOk(['pgsql-rm', '-l', 'pg-meta'], 'pgsql-rm -l pg-meta');
    expect((await ssh(META, `test -e ${REPO}/backup/pg-meta || test -e /etc/pgbackrest/pgbackrest.conf`)).code).not.toBe(0);
    expect((await ssh(META, `curl -s http://${META}:2379/v2/keys/pg/pg-meta`)).stdout).toMatch(/"errorCode":100/);
  });

  it('pg-meta is rebuilt with a fresh stanza and its initial backup', async () => {
    await runOk(['pgsql', '-l', 'pg-meta'], 'pgsql -l pg-meta (rebuild)');
    await expectHealthy(META, 'pg-meta', 1);
    expect((await backups(META)).map((b) => b.type)).toEqual(['full']);
    await archiveNow(META);
    // pg-test was not touched
    await expectHealthy(NODE1, 'pg-test', PG_TEST.length);
  });
});
