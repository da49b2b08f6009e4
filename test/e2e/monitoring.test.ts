/**
 * Monitoring end to end on the sandbox (the instance PGPLAY_SANDBOX selects; inventory
 * inventory/sandbox[-N].yml): infra (Prometheus + Alertmanager) with short scrape/evaluation
 * intervals and `for:` windows scaled by 0.1, node_exporter on every node, pg_monitor on every
 * instance; every expected target up, backup metrics per cluster, second runs change nothing, check
 * mode changes nothing, WAL archiving broken on purpose fires PgArchivingFailing, a stopped replica
 * fires PgInstanceDown, fixing clears both, pgsql-status prints the summary, and pgsql-rm's
 * pg_deregister removes a cluster's targets and exporters (then -t pg_monitor puts them back).
 * Runs last in the e2e order and brings what it needs itself (idempotent).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOSTS, PATHS } from '../../src/sandbox/config.js';
import { changedTasks, failures, ROOT, runPlay, totalChanged, type RunResult } from './lib/run.js';
import { sshTo } from './lib/ssh.js';

const INV = PATHS.inventory;
const ip = (name: string) => HOSTS.find((h) => h.name === name)!.ip;
const META = ip('meta');
const PROM = `http://${META}:9090`;
const PG_TEST = ['node-1', 'node-2', 'node-3'].map(ip);

/** Test parameters: short intervals and windows, passed the same way on every run (idempotence). */
const FAST = JSON.stringify({ prometheus_scrape_interval: '3s', prometheus_scrape_timeout: '3s', prometheus_eval_interval: '3s', prometheus_rule_for_scale: 0.1 });

function run(args: string[], json = true, timeoutMs = 8 * 60_000): Promise<RunResult> {
  return runPlay(args, { inventory: INV, json, timeoutMs });
}

const { sh: ssh, ok, psql } = sshTo(PATHS.sshConfig);

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
async function query(q: string): Promise<Sample[]> {
  const r = await fetch(`${PROM}/api/v1/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(5000) });
  const j = (await r.json()) as { data: { result: Sample[] } };
  return j.data.result;
}
interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
  scrapeUrl: string;
}
async function targets(): Promise<Target[]> {
  const r = await fetch(`${PROM}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(5000) });
  return ((await r.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
}
const firing = async (alert: string, match: Record<string, string>) =>
  (await query(`ALERTS{alertname="${alert}",alertstate="firing"}`)).filter((s) => Object.entries(match).every(([k, v]) => s.metric[k] === v));

async function until<T>(what: string, fn: () => Promise<T>, check: (v: T) => boolean, seconds: number): Promise<{ v: T; s: number }> {
  const t0 = Date.now();
  let v = await fn().catch(() => undefined as T);
  while (!(v !== undefined && check(v))) {
    if (Date.now() - t0 > seconds * 1000) throw new Error(`${what}: not within ${seconds}s (last: ${JSON.stringify(v)?.slice(0, 800)})`);
    await new Promise((r) => setTimeout(r, 1000));
    v = await fn().catch(() => undefined as T);
  }
  return { v, s: Math.round((Date.now() - t0) / 1000) };
}

/** The pg-test primary, from Patroni. */
async function primaryOf(): Promise<string> {
  const list = JSON.parse(await ok(ip('node-1'), 'patronictl -c /etc/patroni/patroni.yml list pg-test -f json')) as Array<Record<string, string>>;
  const leader = list.find((m) => m.Role === 'Leader')!;
  return leader.Host.replace(/:\d+$/, '');
}

describe('monitoring', () => {
  it('infra, node_monitor and pg_monitor converge (with the test intervals)', async () => {
    for (const args of [['infra', '-e', FAST], ['node', '-t', 'node_monitor'], ['pgsql', '-t', 'pg_monitor']]) {
      const r = await run(args);
      console.log(`./run ${args.join(' ')}: ${Math.round(r.ms / 1000)}s, changed ${totalChanged(r)}`);
      expect(r.code, failures(r)).toBe(0);
    }
  });

  it('promtool accepts the installed rules and config', async () => {
    const out = await ok(META, 'promtool check rules /etc/prometheus/rules/pgplay.yml && promtool check config /etc/prometheus/prometheus.yml');
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool unit-tests the joins of the installed rules (lag vs pg_rpo, HAProxy servers, backup age)', async () => {
    const L = (extra: string) => `job="pgsql",cls="pg-test",ins="pg-test-1",ip="x",instance="x:9630"${extra}`;
    const H = (extra: string) => `job="haproxy",cls="pg-test",ins="pg-test-1",ip="x",instance="x:9101"${extra}`;
    const N = (extra: string) => `job="node",cls="pg-test",ins="pg-test-1",ip="x",instance="x:9100",stanza="pg-test"${extra}`;
    const tests = {
      rule_files: ['/etc/prometheus/rules/pgplay.yml'],
      evaluation_interval: '3s',
      tests: [
        {
          interval: '3s',
          input_series: [
            { series: `haproxy_backend_active_servers{${H(',proxy="pg-test-primary"')}}`, values: '1 1 0x10' },
            { series: `haproxy_backend_backup_servers{${H(',proxy="pg-test-primary"')}}`, values: '0x12' },
            { series: `haproxy_server_status{${H(',proxy="pg-test-primary",server="pg-test-1",state="UP"')}}`, values: '1 1 0x10' },
            { series: `haproxy_backend_active_servers{${H(',proxy="stats"')}}`, values: '0x12' },
            { series: `haproxy_backend_backup_servers{${H(',proxy="stats"')}}`, values: '0x12' },
            { series: `pg_downstream_lag_bytes{${L(',replica="pg-test-2",replica_ip="y"')}}`, values: '0 0 2000000x10' },
            { series: `pg_downstream_lag_bytes{${L(',replica="pg-test-3",replica_ip="z"')}}`, values: '0 0 1000x10' },
            { series: `pg_rpo_bytes{${L('')}}`, values: '1048576x12' },
            { series: `pgbackrest_backup_last_time_seconds{${N(',type="any"')}}`, values: '0x12' },
            { series: `pgbackrest_backup_interval_seconds{${N('')}}`, values: '0x12' },
          ],
          alert_rule_test: [
            {
              eval_time: '33s',
              alertname: 'HaproxyBackendDown',
              exp_alerts: [{
                exp_labels: { severity: 'CRIT', level: '0', category: 'pgsql', job: 'haproxy', cls: 'pg-test', ins: 'pg-test-1', ip: 'x', instance: 'x:9101', proxy: 'pg-test-primary' },
                exp_annotations: { summary: 'CRIT HaproxyBackendDown pg-test/pg-test-1 @ x: service pg-test-primary has no healthy server', description: 'HAProxy on pg-test-1 has no server in UP state for pg-test-primary: connections to this service fail.' },
              }],
            },
            {
              eval_time: '33s',
              alertname: 'PgReplicationLag',
              exp_alerts: [{
                exp_labels: { severity: 'WARN', level: '1', category: 'pgsql', job: 'pgsql', cls: 'pg-test', ins: 'pg-test-1', ip: 'x', instance: 'x:9630', replica: 'pg-test-2', replica_ip: 'y' },
                exp_annotations: {
                  summary: 'WARN PgReplicationLag pg-test/pg-test-1 @ x: replica pg-test-2 lags 1.907MiB, above pg_rpo',
                  description: "Seen from pg-test-1: replication lag of 1.907MiB is above the cluster's pg_rpo (bytes a failover may lose). On a primary the replica is named by its application_name.",
                },
              }],
            },
            // interval 0 + grace 86400: 33 s old is fine
            { eval_time: '33s', alertname: 'PgBackupMissing', exp_alerts: [] },
          ],
        },
      ],
    };
    const out = await ok(META, 'cat > /tmp/pgplay-rules-test.yml && promtool test rules /tmp/pgplay-rules-test.yml', JSON.stringify(tests));
    expect(out).toMatch(/SUCCESS/);
  });

  it('every expected target is up: nodes, postgres, patroni, etcd, infra (+ pgbouncer, haproxy where installed)', async () => {
    const pgHosts = [META, ...PG_TEST];
    // optional components: expected exactly where they are installed
    const pgbouncerOn = (await Promise.all(pgHosts.map((h) => ssh(h, 'systemctl cat pgbouncer.service >/dev/null 2>&1')))).map((r) => r.code === 0);
    const haproxyOn = (await Promise.all(pgHosts.map((h) => ssh(h, 'command -v haproxy >/dev/null && curl -sf -m 3 -o /dev/null http://$(hostname -I | cut -d" " -f1):9101/metrics')))).map((r) => r.code === 0);
    const expected = [
      ...HOSTS.map((h) => `node ${h.ip}:9100`),
      ...pgHosts.map((h) => `pgsql ${h}:9630`),
      ...pgHosts.map((h) => `patroni ${h}:8008`),
      ...['meta', 'node-1', 'node-2'].map((n) => `etcd ${ip(n)}:2379`),
      `prometheus ${META}:9090`,
      `alertmanager ${META}:9093`,
      ...pgHosts.filter((_, i) => pgbouncerOn[i]).map((h) => `pgbouncer ${h}:9631`),
      ...pgHosts.filter((_, i) => haproxyOn[i]).map((h) => `haproxy ${h}:9101`),
    ].sort();
    console.log(`optional targets: pgbouncer on ${pgbouncerOn.filter(Boolean).length}/4, haproxy on ${haproxyOn.filter(Boolean).length}/4`);
    const key = (t: Target) => `${t.labels.job} ${t.labels.instance}`;
    const { v, s } = await until('all targets up', targets, (ts) => JSON.stringify(ts.filter((t) => t.health === 'up').map(key).sort()) === JSON.stringify(expected), 90);
    console.log(`${v.length} targets up after ${s}s`);
    expect(v.map(key).sort()).toEqual(expected);
    for (const t of v) {
      for (const l of ['cls', 'ins', 'ip', 'job']) expect(t.labels[l], `${key(t)} label ${l}`).toBeTruthy();
    }
    const pgIns = v.filter((t) => t.labels.job === 'pgsql').map((t) => `${t.labels.cls}/${t.labels.ins}`).sort();
    expect(pgIns).toEqual(['pg-meta/pg-meta-1', 'pg-test/pg-test-1', 'pg-test/pg-test-2', 'pg-test/pg-test-3']);
  });

  it('backup metrics exist for each cluster, with cls/ins of the primary', async () => {
    const { v } = await until('backup metrics of pg-meta and pg-test', () => query('pgbackrest_stanza_status'), (r) => ['pg-meta', 'pg-test'].every((c) => r.some((s) => s.metric.cls === c)), 90);
    for (const s of v) {
      console.log(`backup ${s.metric.cls}/${s.metric.ins} stanza ${s.metric.stanza}: status ${s.value[1]}`);
      expect(s.metric.stanza).toBe(s.metric.cls);
    }
    const lag = await until('replication lag of pg-test replicas', () => query('pg_downstream_lag_bytes{cls="pg-test"}'), (r) => r.length === 2, 60);
    expect(lag.v.map((s) => s.metric.replica).sort()).toEqual(['pg-test-2', 'pg-test-3']);
    const disk = await query('pg_path_avail_bytes{path="/pg/data"}');
    expect(disk.map((s) => s.metric.ins).sort()).toEqual(['pg-meta-1', 'pg-test-1', 'pg-test-2', 'pg-test-3']);
  });

  it('second runs report no changes; check mode changes nothing', async () => {
    for (const args of [['infra', '-e', FAST], ['node', '-t', 'node_monitor'], ['pgsql', '-t', 'pg_monitor'], ['pgsql', '-t', 'pg_monitor', '--check']]) {
      const r = await run(args);
      expect(r.code, failures(r)).toBe(0);
      expect(totalChanged(r), `${args.join(' ')}:\n${changedTasks(r).join('\n')}`).toBe(0);
    }
  });

  it('breaking WAL archiving fires PgArchivingFailing; fixing clears it', async () => {
    const primary = await primaryOf();
    const ins = (await query(`pg_up{ip="${primary}"}`))[0]?.metric.ins;
    expect(ins).toMatch(/^pg-test-\d$/);
    try {
      await psql(primary, "ALTER SYSTEM SET archive_command = '/bin/false'; SELECT pg_reload_conf();");
      await psql(primary, 'CREATE TABLE IF NOT EXISTS e2e_monitoring(t timestamptz); INSERT INTO e2e_monitoring VALUES (now()); SELECT pg_switch_wal();');
      const fired = await until('PgArchivingFailing firing', () => firing('PgArchivingFailing', { cls: 'pg-test', ins }), (a) => a.length === 1, 120);
      console.log(`PgArchivingFailing fired for ${ins} after ${fired.s}s (for: 6s)`);
    } finally {
      await psql(primary, 'ALTER SYSTEM RESET archive_command; SELECT pg_reload_conf();');
    }
    const cleared = await until('PgArchivingFailing cleared', () => firing('PgArchivingFailing', { cls: 'pg-test' }), (a) => a.length === 0, 150);
    console.log(`PgArchivingFailing cleared after ${cleared.s}s`);
  });

  it('stopping a replica fires PgInstanceDown; starting it clears it', async () => {
    const primary = await primaryOf();
    const replica = PG_TEST.find((h) => h !== primary)!;
    const ins = (await query(`pg_up{ip="${replica}"}`))[0]?.metric.ins;
    try {
      await ok(replica, 'systemctl stop patroni');
      const fired = await until('PgInstanceDown firing', () => firing('PgInstanceDown', { cls: 'pg-test', ins }), (a) => a.length >= 1, 90);
      console.log(`PgInstanceDown fired for ${ins} after ${fired.s}s; summary: ${(await query(`ALERTS{alertname="PgInstanceDown"}`)).length} series`);
    } finally {
      await ok(replica, 'systemctl start patroni');
    }
    const cleared = await until('PgInstanceDown cleared', () => firing('PgInstanceDown', { cls: 'pg-test' }), (a) => a.length === 0, 150);
    console.log(`PgInstanceDown cleared after ${cleared.s}s`);
  });

  it('pgsql-status prints members, roles, lag, backups and alerts of a cluster', async () => {
    const r = await run(['pgsql-status', '-l', 'pg-test'], false);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/== pg-test: 3 member\(s\), leader pg-test-\d/);
    for (const m of ['pg-test-1', 'pg-test-2', 'pg-test-3']) expect(r.stdout).toContain(m);
    expect(r.stdout).toMatch(/last backup: /);
    expect(r.stdout).toMatch(/alerts firing: /);
    console.log(r.stdout.split('\n').filter((l) => /^\s*(==|MEMBER|pg-test-|last backup|wal archiving|alerts firing)/.test(l.trim()) || l.includes('== pg-test')).join('\n'));
  });

  // pgsql-rm includes pg_monitor's pg_deregister tasks (roles/pg_remove/tasks/deregister.ts)
  const rmHasDeregister = () => {
    const f = path.join(ROOT, 'roles/pg_remove/tasks/deregister.ts');
    return fs.existsSync(path.join(ROOT, 'playbooks/pgsql-rm.ts')) && fs.existsSync(f) && fs.readFileSync(f, 'utf8').includes('pgDeregister');
  };
  it.skipIf(!rmHasDeregister())('pgsql-rm (tag pg_deregister) removes the cluster targets; -t pg_monitor puts them back', async () => {
    const pgMeta = async () => (await targets()).filter((t) => t.labels.cls === 'pg-meta' && t.labels.job !== 'node');
    expect((await pgMeta()).length).toBeGreaterThan(0);
    const rm = await run(['pgsql-rm', '-l', 'pg-meta', '-t', 'pg_deregister']);
    expect(rm.code, failures(rm)).toBe(0);
    await until('pg-meta targets gone', pgMeta, (t) => t.length === 0, 60);
    expect((await ssh(META, 'systemctl is-active prometheus-postgres-exporter')).stdout).not.toBe('active');
    const back = await run(['pgsql', '-l', 'pg-meta', '-t', 'pg_monitor']);
    expect(back.code, failures(back)).toBe(0);
    await until('pg-meta targets back', pgMeta, (t) => t.length > 0 && t.every((x) => x.health === 'up'), 60);
  });
});
