/**
 * The pgsql playbooks end to end on the sandbox (inventory/sandbox.yml): `./run install` builds
 * etcd, pg-meta (1 instance) and pg-test (3 instances); then replication, users, databases, HBA,
 * idempotence (second install: changed=0), `-t pg_hba` without restart, `--check --diff`, and
 * `--list-tags`. Every `./run` is a child process with --json; assertions read its events.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATHS } from '../../src/sandbox/config.js';
import { changedCounts, changedTasks, failures, ROOT, runPlay } from './lib/run.js';
import { sshTo } from './lib/ssh.js';
import { eventually as poll } from './lib/wait.js';

/** `./run ARGS --json`, events parsed (and kept in tmp/e2e-pgsql-N.jsonl for diagnosis). */
const run = (args: string[], timeoutMs = 9 * 60_000) => runPlay(args, { timeoutMs, log: 'pgsql' });

/** ssh and ok on the hosts; psql as postgres on a host (local socket). */
const { sh: ssh, ok, psql } = sshTo(PATHS.sshConfig);

/** A password login from meta (10.10.10.10) to an instance, the way an application connects. */
const login = (user: string, password: string, host: string, db: string) =>
  ssh('meta', `cd /tmp && PGPASSWORD='${password}' PGCONNECT_TIMEOUT=5 psql -X -qAt -h ${host} -U ${user} -d ${db} -c 'SELECT current_user'`);

const PG_TEST = ['10.10.10.11', '10.10.10.12', '10.10.10.13'];
const postmasterStart = (host: string) => psql(host, 'SELECT pg_postmaster_start_time()');

const eventually = <T>(fn: () => Promise<T>, check: (v: T) => boolean, seconds = 30): Promise<T> => poll(fn, check, seconds);

describe('pgsql', () => {
  it('install builds etcd, pg-meta and pg-test from the inventory', async () => {
    const r = await run(['install']);
    console.log(`./run install: ${Math.round(r.ms / 1000)}s, round trips ${r.recap?.round_trips}, changed ${JSON.stringify(changedCounts(r))}`);
    expect(r.code, failures(r)).toBe(0);
    expect(r.recap?.ok).toBe(true);
  });

  it('pg-test has one leader and two streaming replicas', async () => {
    const list = await eventually(
      async () => JSON.parse(await ok('node-1', 'patronictl -c /etc/patroni/patroni.yml list pg-test -f json')) as Array<Record<string, string>>,
      (l) => l.filter((m) => m.Role === 'Replica' && ['running', 'streaming'].includes(m.State)).length === 2,
    );
    expect(list.filter((m) => m.Role === 'Leader').map((m) => m.Member)).toEqual(['pg-test-1']);
    // Patroni 3.0.2 (bookworm) shows replicas as "running"; streaming is read from the primary
    expect(list.filter((m) => m.Role === 'Replica').map((m) => m.Member).sort()).toEqual(['pg-test-2', 'pg-test-3']);
    const streams = await eventually(
      () => psql('node-1', `SELECT string_agg(application_name || ':' || state, ',' ORDER BY application_name) FROM pg_stat_replication`),
      (s) => s === 'pg-test-2:streaming,pg-test-3:streaming',
    );
    expect(streams).toBe('pg-test-2:streaming,pg-test-3:streaming');
    const meta = JSON.parse(await ok('meta', 'patronictl -c /etc/patroni/patroni.yml list pg-meta -f json')) as Array<Record<string, string>>;
    expect(meta.map((m) => [m.Member, m.Role, m.State])).toEqual([['pg-meta-1', 'Leader', 'running']]);
  });

  it('a row written on the primary is read on both replicas', async () => {
    const token = `e2e-${Date.now()}`;
    await psql('node-1', `CREATE TABLE IF NOT EXISTS e2e_rows(v text); INSERT INTO e2e_rows VALUES ('${token}');`, 'test');
    for (const replica of ['node-2', 'node-3']) {
      const seen = await eventually(() => psql(replica, `SELECT count(*) FROM e2e_rows WHERE v = '${token}'`, 'test'), (c) => c === '1', 15);
      expect(seen, replica).toBe('1');
    }
  });

  it('users, databases and hba rules from the inventory exist and work', async () => {
    const roles = await psql('node-1', `SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('test','dbuser_view','dbuser_blocked','dbuser_dba','dbuser_monitor','replicator','dbrole_readonly','dbrole_admin')`);
    expect(roles.split(',')).toHaveLength(8);
    expect(await psql('node-1', `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app'`)).toBe('test');
    expect(await psql('node-1', `SELECT nspname FROM pg_namespace WHERE nspname = 'app'`, 'app')).toBe('app');
    expect(await psql('node-1', `SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`, 'app')).toBe('pg_trgm');
    // a permitted login (dbrole_readonly from the intranet) succeeds, on the primary and a replica
    for (const host of ['10.10.10.11', '10.10.10.12']) {
      const r = await login('dbuser_view', 'DBUser.View', host, 'test');
      expect(r.stdout, r.stderr).toBe('dbuser_view');
    }
    // a denied one (the inventory's deny rule, order 90) is refused
    const denied = await login('dbuser_blocked', 'DBUser.Blocked', '10.10.10.11', 'test');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/pg_hba\.conf rejects connection/);
    // a wrong password is refused too
    expect((await login('dbuser_view', 'wrong', '10.10.10.11', 'test')).stderr).toMatch(/password authentication failed/);
  });

  it('a second install reports changed=0 on every host', async () => {
    const r = await run(['install']);
    console.log(`second ./run install: ${Math.round(r.ms / 1000)}s`);
    expect(r.code, failures(r)).toBe(0);
    expect(changedCounts(r), changedTasks(r).join('\n')).toEqual({ '10.10.10.10': 0, '10.10.10.11': 0, '10.10.10.12': 0, '10.10.10.13': 0 });
  });

  it('nodename_exchange (-e nodename_exchange=true, a k=v boolean): each member gets every member\'s `<ip> <nodename>`, a stale address is replaced; a second run changes nothing', async () => {
    // the sandbox's nodenames are node-1..3 (inventory); node-1 is given a stale address for node-2
    await ok('node-1', `sed -i -E 's/^[0-9.]+[[:space:]]+node-2$/10.9.9.9 node-2/' /etc/hosts`);
    expect(await ok('node-1', 'getent hosts node-2')).toMatch(/^10\.9\.9\.9\s+node-2$/);
    const args = ['node', '-l', 'pg-test', '-t', 'node_name', '-e', 'nodename_exchange=true'];
    const r = await run(args);
    expect(r.code, failures(r)).toBe(0);
    for (const host of ['node-1', 'node-2', 'node-3']) {
      const hosts = await ok(host, 'cat /etc/hosts');
      for (const [i, ip] of PG_TEST.entries()) expect(hosts, host).toMatch(new RegExp(`^${ip.replace(/\./g, '\\.')} node-${i + 1}$`, 'm'));
      expect(hosts, host).toMatch(new RegExp(`^127\\.0\\.1\\.1 ${host}$`, 'm')); // the host's own line stays
    }
    expect(await ok('node-1', 'getent hosts node-2')).toMatch(/^10\.10\.10\.12\s+node-2$/);
    const again = await run(args);
    expect(again.code, failures(again)).toBe(0);
    expect(changedCounts(again), changedTasks(again).join('\n')).toEqual({ '10.10.10.11': 0, '10.10.10.12': 0, '10.10.10.13': 0 });
  });

  it('-t pg_hba applies an edited rule to every member without restarting postgres', async () => {
    const before = await Promise.all(PG_TEST.map(postmasterStart));
    const rules = [
      { user: 'dbuser_blocked', db: 'all', addr: 'world', auth: 'deny', title: 'e2e: dbuser_blocked is refused everywhere', order: 90 },
      { user: 'dbuser_blocked', db: 'test', addr: '10.10.10.10/32', auth: 'pwd', title: 'e2e: but allowed from meta', order: 80 },
    ];
    const r = await run(['pgsql', '-l', 'pg-test', '-t', 'pg_hba', '-e', JSON.stringify({ pg_hba_rules: rules })]);
    expect(r.code, failures(r)).toBe(0);
    expect(Object.values(r.recap!.hosts).every((s: any) => s.changed > 0)).toBe(true);
    for (const host of PG_TEST) {
      const l = await login('dbuser_blocked', 'DBUser.Blocked', host, 'test');
      expect(l.stdout, `${host}: ${l.stderr}`).toBe('dbuser_blocked');
    }
    expect(await Promise.all(PG_TEST.map(postmasterStart))).toEqual(before);
    // back to the inventory's rules: refused again, still no restart
    const back = await run(['pgsql', '-l', 'pg-test', '-t', 'pg_hba']);
    expect(back.code, failures(back)).toBe(0);
    expect((await login('dbuser_blocked', 'DBUser.Blocked', '10.10.10.12', 'test')).stderr).toMatch(/pg_hba\.conf rejects connection/);
    expect(await Promise.all(PG_TEST.map(postmasterStart))).toEqual(before);
  });

  it('a reload parameter is applied by a reload; a restart parameter is reported, not restarted', async () => {
    const before = await Promise.all(PG_TEST.map(postmasterStart));
    const sb = await psql('node-1', 'SHOW shared_buffers');
    const r = await run(['pgsql', '-l', 'pg-test', '-t', 'pg_config', '-e', '{"pg_parameters": {"log_min_duration_statement": 777, "shared_buffers": "300MB"}}']);
    expect(r.code, failures(r)).toBe(0);
    for (const host of ['node-1', 'node-2', 'node-3']) expect(await psql(host, 'SHOW log_min_duration_statement'), host).toBe('777ms');
    expect(await psql('node-1', 'SHOW shared_buffers')).toBe(sb);
    const warnings = r.events.filter((e) => e.event === 'warning' && /pending restart \(shared_buffers\)/.test(e.msg));
    expect(warnings.map((w) => w.host).sort()).toEqual(PG_TEST);
    expect(warnings[0].msg).toMatch(/patronictl -c \/etc\/patroni\/patroni\.yml restart pg-test pg-test-2 pg-test-3 --force && .* restart pg-test pg-test-1 --force/);
    expect(await Promise.all(PG_TEST.map(postmasterStart))).toEqual(before);
    // back to the inventory: reloaded again, nothing pending, still no restart
    const back = await run(['pgsql', '-l', 'pg-test', '-t', 'pg_config']);
    expect(back.code, failures(back)).toBe(0);
    expect(back.events.filter((e) => e.event === 'warning' && /pending restart/.test(e.msg))).toEqual([]);
    expect(await psql('node-2', 'SHOW log_min_duration_statement')).not.toBe('777ms');
    expect(await Promise.all(PG_TEST.map(postmasterStart))).toEqual(before);
  });

  it('--check --diff on a changed parameter shows the diff and changes nothing', async () => {
    const conf = '/pg/conf/pg-test-1.yml';
    const sum = await ok('node-1', `sha256sum ${conf}`);
    const setting = await psql('node-1', 'SHOW log_min_duration_statement');
    const r = await run(['pgsql', '-l', 'pg-test', '-t', 'pg_config', '--check', '--diff', '-e', '{"pg_parameters": {"log_min_duration_statement": 4321}}']);
    expect(r.code, failures(r)).toBe(0);
    const diffs = r.events.filter((e) => e.event === 'host_result' && e.task === 'render patroni config' && e.diff);
    expect(diffs.map((e) => e.host).sort()).toEqual(PG_TEST);
    const d = diffs.find((e) => e.host === '10.10.10.11')!.diff[0];
    expect(d.after).toContain('log_min_duration_statement: 4321');
    expect(d.before).not.toContain('4321');
    expect(JSON.stringify(r.events)).not.toContain('DBUser.Replicator'); // secrets stay redacted in diffs
    expect(await ok('node-1', `sha256sum ${conf}`)).toBe(sum);
    expect(await psql('node-1', 'SHOW log_min_duration_statement')).toBe(setting);
  });

  it('--list-tags shows the pgsql tag tree', async () => {
    const c = spawn(path.join(ROOT, 'run'), ['pgsql', '--list-tags'], { cwd: ROOT });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    await new Promise((r) => c.on('close', r));
    const tree = out.slice(out.indexOf('tag tree'));
    const order = ['pg_install', 'pg_dbsu', 'pg_pkg', 'pg_dir', 'pg_bin', 'pg_alias', 'pg_bootstrap', 'pg_config', 'pg_launch', 'pg_primary', 'pg_replica', 'pg_hba', 'pg_provision', 'pg_user', 'pg_db', 'pg_crontab', 'pg_done'];
    const at = order.map((t) => tree.search(new RegExp(`^\\s+${t}$`, 'm')));
    expect(at.every((i) => i > 0), tree).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const indent = (t: string) => /^(\s+)/.exec(tree.split('\n').find((l) => l.trim() === t)!)![1].length;
    expect(indent('pg_primary')).toBeGreaterThan(indent('pg_launch'));
    expect(indent('pg_launch')).toBeGreaterThan(indent('pg_bootstrap'));
  });
});
