/**
 * Backups end to end on the sandbox (the instance PGPLAY_SANDBOX selects): `./run pgsql -t pg_backup`
 * on pg-meta and pg-test (idempotent; second run changed=0), the initial full backup in `pb info`,
 * pg-backup full/diff/incr, retention (retention_full: 2), backups on the primary only, check mode,
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
