/**
 * Monitoring roles (infra, node_monitor, pg_monitor): alert rules and their `for:` scaling,
 * Prometheus/Alertmanager configs, discovery target files, exporter environment and queries, the
 * delegate-per-infra-host helper, and the backup/disk collector script run against fakes.
 * promtool itself validates the rules on the infra host (copy's validate) and in the e2e test.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { HostCtx } from '../../../src/api/types.js';
import { fileBeside } from '../../../src/api/playbook.js';
import { defaults as infraDefaults } from '../../../roles/infra/defaults.js';
import { alertRules, durationSeconds, forOf, rulesFile, scaleFor } from '../../../roles/infra/lib/rules.js';
import { alertmanagerConfig, defaultsFile, prometheusArgs, prometheusConfig, targetPath, targetsFile } from '../../../roles/infra/lib/config.js';
import { onInfraHosts, registerTargets } from '../../../roles/infra/lib/register.js';
import { etcdTargets, infraTargets } from '../../../roles/infra/tasks/main.js';
import { nodeExporterArgs, nodeTargets } from '../../../roles/node_monitor/tasks/main.js';
import { defaults as nodeMonDefaults } from '../../../roles/node_monitor/defaults.js';
import { defaults as pgMonDefaults, type PgMonitorVars } from '../../../roles/pg_monitor/defaults.js';
import { collectorConfig, envValue, exporterEnv, exporterUrl, extraQueries, parseProbe, pgTargets, pgbouncerExporterEnv, pgbouncerExporterUnit, queriesFile } from '../../../roles/pg_monitor/lib/exporter.js';
import { copy, file } from '../../../src/operations/index.js';

const pgVars = (extra: Partial<PgMonitorVars> = {}): PgMonitorVars =>
  ({ ...pgMonDefaults, pg_cluster: 'pg-test', pg_seq: 2, pg_role: 'replica', pg_instance: 'pg-test-2', pg_rpo: 1048576, ...extra }) as PgMonitorVars;

function ctx<V>(name: string, vars: V, hosts: Record<string, string[]> = { infra: ['10.10.10.10'] }, hostvars: Record<string, Record<string, unknown>> = {}): HostCtx<V> {
  return {
    name, vars, facts: { hostname: 'node-2' } as any, reg: {}, check: false, playHosts: [name],
    inventory: { hosts: (p: string) => hosts[p] ?? [], hostvars: (h: string) => hostvars[h] ?? {}, groupNames: () => [] },
  };
}

describe('alert rules', () => {
  const rules = alertRules(infraDefaults);
  it('cover what the issue asks for, each with a severity and a summary naming cluster (and instance)', () => {
    const names = rules.map((r) => r.alert);
    for (const n of ['NodeDown', 'PgInstanceDown', 'PatroniNoLeader', 'PgReplicationLag', 'PgSlotRetainingWal', 'PgArchivingFailing', 'PgBackupMissing', 'PgbouncerPoolSaturated', 'HaproxyBackendDown', 'PgDiskSpaceLow', 'EtcdNoLeader']) {
      expect(names).toContain(n);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(['CRIT', 'WARN', 'INFO']).toContain(r.severity);
      expect(r.summary).toContain('{{ $labels.cls }}');
      // cluster-wide conditions have no single instance; every other summary names it
      if (r.alert !== 'PatroniNoLeader') expect(r.summary, r.alert).toContain('{{ $labels.ins }}');
      expect(r.threshold.length).toBeGreaterThan(5);
    }
  });
  it('take their thresholds from the parameters', () => {
    const r = alertRules({ ...infraDefaults, prometheus_archive_max_age: 300, prometheus_slot_retained_bytes: 42, prometheus_backup_grace: 3600, prometheus_disk_free_ratio: 0.2 });
    const by = (n: string) => r.find((x) => x.alert === n)!.expr;
    expect(by('PgArchivingFailing')).toContain('> 300');
    expect(by('PgSlotRetainingWal')).toContain('> 42');
    expect(by('PgBackupMissing')).toContain('pgbackrest_backup_interval_seconds + 3600');
    expect(by('PgDiskSpaceLow')).toContain('< 0.2');
    expect(by('PgReplicationLag')).toContain('pg_rpo_bytes');
  });
  it('parse and scale durations', () => {
    expect(durationSeconds('1m30s')).toBe(90);
    expect(durationSeconds('2h')).toBe(7200);
    expect(() => durationSeconds('1 minute')).toThrow(/not a Prometheus duration/);
    expect(scaleFor('1m', 0.1)).toBe('6s');
    expect(scaleFor('30s', 0.01)).toBe('1s');
    expect(forOf({ alert: 'X', for: '5m' }, { prometheus_rule_for_scale: 1, prometheus_rule_for: {} })).toBe('5m');
    expect(forOf({ alert: 'X', for: '5m' }, { prometheus_rule_for_scale: 0.1, prometheus_rule_for: {} })).toBe('30s');
    expect(forOf({ alert: 'X', for: '5m' }, { prometheus_rule_for_scale: 0.1, prometheus_rule_for: { X: '2s' } })).toBe('2s');
    expect(() => forOf({ alert: 'X', for: '5m' }, { prometheus_rule_for_scale: 1, prometheus_rule_for: { X: 'soon' } })).toThrow();
  });
  it('render a rule file with scaled windows and Prometheus templates left intact', () => {
    const doc = YAML.parse(rulesFile({ ...infraDefaults, prometheus_rule_for_scale: 0.1, prometheus_rule_for: { PgArchivingFailing: '5s' } }));
    const alerts = doc.groups.find((g: any) => g.name === 'pgplay-alert').rules;
    const get = (n: string) => alerts.find((a: any) => a.alert === n);
    expect(get('PgInstanceDown').for).toBe('6s');
    expect(get('PgArchivingFailing').for).toBe('5s');
    expect(get('PgInstanceDown').labels).toEqual({ level: '0', severity: 'CRIT', category: 'pgsql' });
    expect(get('PgInstanceDown').annotations.summary).toMatch(/^CRIT PgInstanceDown \{\{ \$labels\.cls \}\}\/\{\{ \$labels\.ins \}\}/);
    expect(doc.groups.find((g: any) => g.name === 'pgplay-record').rules.length).toBeGreaterThan(0);
  });
});

describe('prometheus and alertmanager config', () => {
  it('scrapes one job per discovery directory and relabels pg identity of textfile metrics', () => {
    const doc = YAML.parse(prometheusConfig(infraDefaults));
    expect(doc.scrape_configs.map((j: any) => j.job_name)).toEqual(['infra', 'node', 'pgsql', 'etcd']);
    expect(doc.scrape_configs[2].file_sd_configs[0].files).toEqual(['/etc/prometheus/targets/pgsql/*.yml']);
    expect(doc.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    expect(doc.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:9093']);
    const node = doc.scrape_configs[1];
    expect(node.metric_relabel_configs.map((r: any) => r.target_label ?? r.action)).toEqual(['cls', 'ins', 'labeldrop']);
    expect(doc.global).toEqual({ scrape_interval: '10s', scrape_timeout: '8s', evaluation_interval: '10s' });
  });
  it('alertmanager routes to a silent default receiver', () => {
    const doc = YAML.parse(alertmanagerConfig());
    expect(doc.route.receiver).toBe('default');
    expect(doc.receivers).toEqual([{ name: 'default' }]);
  });
  it('daemon options go to ARGS and refuse shell metacharacters', () => {
    const text = defaultsFile('prometheus', prometheusArgs(infraDefaults));
    expect(text).toContain('ARGS="--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/var/lib/prometheus/metrics2 --storage.tsdb.retention.time=15d --web.listen-address=:9090 --web.enable-lifecycle"');
    expect(() => defaultsFile('x', ['--a="b"'])).toThrow(/quotes/);
    expect(defaultsFile('n', nodeExporterArgs(nodeMonDefaults as any))).toContain('--collector.textfile.directory=/var/lib/pgplay/textfile');
  });
});

describe('targets', () => {
  it('pg instance: exporter and patroni always, pgbouncer and haproxy when present and enabled', () => {
    const h = { name: '10.10.10.12', vars: pgVars() };
    const jobs = (p: { pgbouncer: boolean; haproxy: boolean }, v = h.vars) => pgTargets({ name: h.name, vars: v }, p).map((g) => `${g.labels.job}=${g.targets[0]}`);
    expect(jobs({ pgbouncer: false, haproxy: false })).toEqual(['pgsql=10.10.10.12:9630', 'patroni=10.10.10.12:8008']);
    expect(jobs({ pgbouncer: true, haproxy: true })).toEqual(['pgsql=10.10.10.12:9630', 'patroni=10.10.10.12:8008', 'pgbouncer=10.10.10.12:9631', 'haproxy=10.10.10.12:9101']);
    expect(jobs({ pgbouncer: true, haproxy: true }, pgVars({ pgbouncer_enabled: false, haproxy_enabled: false, patroni_ssl_enabled: true }))).toEqual(['pgsql=10.10.10.12:9630']);
    const g = pgTargets(h, { pgbouncer: false, haproxy: false })[0];
    expect(g.labels).toEqual({ job: 'pgsql', cls: 'pg-test', ins: 'pg-test-2', ip: '10.10.10.12' });
  });
  it('files are YAML lists of target groups; names are checked', () => {
    const text = targetsFile('pg-test-2', [{ labels: { job: 'pgsql', cls: 'pg-test', ins: 'pg-test-2', ip: '10.10.10.12' }, targets: ['10.10.10.12:9630'] }]);
    expect(text.startsWith('# pg-test-2 (managed by pgplay)\n')).toBe(true);
    expect(YAML.parse(text)[0].targets).toEqual(['10.10.10.12:9630']);
    expect(targetPath('/etc/prometheus/targets', 'pgsql', 'pg-test-2')).toBe('/etc/prometheus/targets/pgsql/pg-test-2.yml');
    expect(() => targetPath('/t', 'pgsql', '../x')).toThrow();
  });
  it('node, infra and etcd targets carry cls/ins/ip/job', () => {
    const n = ctx('10.10.10.11', { ...nodeMonDefaults, nodename: 'node-1', node_cluster: 'pg-test' } as any);
    expect(nodeTargets(n)).toEqual([{ labels: { job: 'node', cls: 'pg-test', ins: 'node-1', ip: '10.10.10.11' }, targets: ['10.10.10.11:9100'] }]);
    const i = ctx('10.10.10.10', { ...infraDefaults, infra_seq: 1 } as any, { etcd: ['10.10.10.10', '10.10.10.11'] }, {
      '10.10.10.10': { etcd_seq: 1, etcd_cluster: 'etcd' },
      '10.10.10.11': { etcd_seq: 2, etcd_cluster: 'etcd' },
    });
    expect(infraTargets(i).map((g) => `${g.labels.job}:${g.labels.ins}:${g.targets[0]}`)).toEqual(['prometheus:infra-1:10.10.10.10:9090', 'alertmanager:infra-1:10.10.10.10:9093']);
    expect(etcdTargets(i).map((m) => `${m.name}:${m.groups[0].targets[0]}`)).toEqual(['etcd-1:10.10.10.10:2379', 'etcd-2:10.10.10.11:2379']);
  });
});

describe('registration on the infra hosts', () => {
  it('loops over the infra group and delegates each item to its host', () => {
    const t = onInfraHosts<any>('x', { do: (_h, infra) => file({ path: `/tmp/${infra}`, state: 'directory' }) });
    const h = ctx('10.10.10.12', pgVars(), { infra: ['10.10.10.10', '10.10.10.20'] });
    expect(t.loop!(h)).toEqual(['10.10.10.10', '10.10.10.20']);
    for (const infra of ['10.10.10.10', '10.10.10.20']) {
      expect((t.action(h, infra) as any).args.path).toBe(`/tmp/${infra}`);
      expect((t.delegate_to as (h: any, item: string) => string)(h, infra)).toBe(infra);
    }
    expect(t.when!(ctx('10.10.10.12', pgVars(), { infra: [] }))).toBe(false);
  });
  it('writes the instance file into the infra host prometheus_sd_dir', () => {
    const t = registerTargets<PgMonitorVars>('reg', 'pgsql', (h) => h.vars.pg_instance, () => 'hdr', (h) => pgTargets(h, { pgbouncer: false, haproxy: false }));
    const h = ctx('10.10.10.12', pgVars(), { infra: ['10.10.10.10'] }, { '10.10.10.10': { prometheus_sd_dir: '/srv/sd' } });
    const a = t.action(h, '10.10.10.10') as ReturnType<typeof copy>;
    expect(a.args.dest).toBe('/srv/sd/pgsql/pg-test-2.yml');
    expect(YAML.parse(String(a.args.content))[0].labels.ins).toBe('pg-test-2');
  });
});

describe('pg exporter', () => {
  it('DSN goes through the socket as the monitor user, password percent-encoded', () => {
    const url = exporterUrl(pgVars({ pg_monitor_password: `a'b"c$d%e/f@g` }));
    expect(url).toBe('postgresql://dbuser_monitor:a%27b%22c%24d%25e%2Ff%40g@:5432/postgres?sslmode=disable&host=%2Fvar%2Frun%2Fpostgresql');
    expect(exporterUrl(pgVars({ pg_exporter_url: 'postgres://x' }))).toBe('postgres://x');
    expect(envValue('a"b\\c$d`e')).toBe('"a\\"b\\\\c\\$d\\`e"');
    const env = exporterEnv(pgVars(), '/etc/prometheus-postgres-exporter/queries.yaml');
    expect(env).toContain('ARGS="--web.listen-address=:9630 --extend.query-path=/etc/prometheus-postgres-exporter/queries.yaml --disable-settings-metrics"');
    expect(env).toMatch(/^DATA_SOURCE_NAME="postgresql:\/\/dbuser_monitor:DBUser\.Monitor@:5432\/postgres\?/m);
  });
  it('extra queries: lag, recovery, archiver, slots, backup history and the rpo threshold', () => {
    const q = extraQueries(pgVars({ pg_rpo: 2097152 }));
    expect(Object.keys(q)).toEqual(['pg_downstream', 'pg_recovery', 'pg_archiver', 'pg_slot', 'pg_backup_history', 'pg_rpo']);
    expect(q.pg_rpo.query).toBe('SELECT 2097152::float8 AS bytes');
    const cols = (k: string) => q[k].metrics.map((m) => Object.keys(m)[0]);
    expect(cols('pg_archiver')).toContain('failing');
    expect(cols('pg_archiver')).toContain('ready_oldest_age_seconds');
    expect(cols('pg_downstream')).toEqual(['replica', 'replica_ip', 'lag_bytes', 'lag_seconds']);
    // every metric the rules use exists
    const produced = Object.entries(q).flatMap(([ns, v]) => v.metrics.filter((m) => Object.values(m)[0].usage !== 'LABEL').map((m) => `${ns}_${Object.keys(m)[0]}`));
    const used = alertRules(infraDefaults).flatMap((r) => r.expr.match(/\bpg_[a-z_]+\b/g) ?? []).filter((m) => !/^pg_(up|path_.*|cls|ins)$/.test(m));
    for (const m of used) expect(produced, m).toContain(m);
    expect(() => extraQueries(pgVars({ pg_rpo: -1 }))).toThrow(/pg_rpo/);
    expect(YAML.parse(queriesFile(pgVars())).pg_slot.master).toBe(true);
  });
  it('pgbouncer exporter connects as the monitor user through the socket', () => {
    const env = pgbouncerExporterEnv(pgVars({ pg_monitor_password: 'a"b' }));
    expect(env).toContain('PGBOUNCER_EXPORTER_LISTEN=":9631"\nPGBOUNCER_HOST="/var/run/postgresql"\nPGBOUNCER_PORT="6432"\nPGBOUNCER_USER="dbuser_monitor"\nPGPASSWORD="a\\"b"\n');
    const unit = pgbouncerExporterUnit('/etc/default/pgbouncer_exporter', '/usr/local/bin/x');
    expect(unit).toContain('User=prometheus\nEnvironmentFile=/etc/default/pgbouncer_exporter\nExecStart=/usr/local/bin/x\nRestart=always');
    expect(unit).not.toContain('BindsTo');
  });
  it('probe output', () => {
    expect(parseProbe('pgbouncer=1\nhaproxy=0\n')).toEqual({ pgbouncer: true, haproxy: false });
    expect(parseProbe(undefined)).toEqual({ pgbouncer: false, haproxy: false });
  });
});

describe('backup and disk collector (pgplay-pg-metrics) against fakes', () => {
  const script = fileBeside(import.meta.url, '../../../roles/pg_monitor/files/pgplay-pg-metrics');
  const hasPython = spawnSync('python3', ['--version']).status === 0;

  function runCollector(info: unknown | null, primary: 't' | 'f') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgmetrics-'));
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.mkdirSync(path.join(dir, 'out'));
    fs.writeFileSync(path.join(bin, 'psql'), `#!/bin/sh\necho ${primary}\n`, { mode: 0o755 });
    if (info !== null) fs.writeFileSync(path.join(bin, 'pgbackrest'), `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(info)}\nJSON\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'pgbackrest.conf'), '[pg-test]\n');
    const cfg = { ...JSON.parse(collectorConfig(pgVars({ pg_instance: 'pg-test-1', node_exporter_textfile_dir: path.join(dir, 'out'), pg_monitor_paths: [dir, path.join(dir, 'missing')] }))), dbsu: '', psql: path.join(bin, 'psql'), pgbackrest_conf: path.join(dir, 'pgbackrest.conf') };
    fs.writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(cfg));
    const r = spawnSync('python3', [script, '--config', path.join(dir, 'cfg.json')], { env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = fs.readFileSync(path.join(dir, 'out', 'pgplay_pg.prom'), 'utf8');
    fs.rmSync(dir, { recursive: true, force: true });
    return { out, dir };
  }
  const stanza = (status: number, backup: unknown[]) => [{ name: 'pg-test', status: { code: status, message: 'x' }, archive: backup.length ? [{ id: '15-1', min: '000000010000000000000001', max: '000000010000000000000009' }] : [], backup }];
  const b = (type: string, start: number, stop: number) => ({ type, label: `${type}-${stop}`, timestamp: { start, stop }, info: { size: 1000 + stop, delta: 10, repository: { size: 5, delta: 5 } } });

  it.skipIf(!hasPython)('reports the newest backup per type and of any type, with labels for relabelling', () => {
    const { out, dir } = runCollector(stanza(0, [b('full', 100, 160), b('incr', 200, 230), b('full', 300, 390)]), 'f');
    expect(out).toContain('pg_metrics_is_primary{pg_cls="pg-test",pg_ins="pg-test-1"} 1');
    expect(out).toContain('pgbackrest_stanza_status{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test"} 0');
    expect(out).toContain('pgbackrest_backup_last_time_seconds{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test",type="any"} 390');
    expect(out).toContain('pgbackrest_backup_last_time_seconds{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test",type="incr"} 230');
    expect(out).toContain('pgbackrest_backup_last_duration_seconds{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test",type="full"} 90');
    expect(out).toContain('pgbackrest_backup_count{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test",type="full"} 2');
    expect(out).toContain('pgbackrest_backup_interval_seconds{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test"} 86400');
    expect(out).toContain('pgbackrest_archive_present{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test"} 1');
    expect(out).toMatch(new RegExp(`pg_path_avail_bytes\\{pg_cls="pg-test",pg_ins="pg-test-1",path="${dir}",mountpoint="[^"]+"\\} \\d+`));
    expect(out).not.toContain('/missing"');
  });
  it.skipIf(!hasPython)('tolerates no stanza yet and a missing pgbackrest; reports nothing about backups on a replica', () => {
    const none = runCollector(stanza(1, []), 'f').out;
    expect(none).toContain('pgbackrest_stanza_status{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test"} 1');
    expect(none).not.toContain('pgbackrest_backup_last_time_seconds');
    const absent = runCollector(null, 'f').out;
    expect(absent).toContain('pgbackrest_info_up{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test"} 0');
    expect(absent).toContain('pgbackrest_stanza_status{pg_cls="pg-test",pg_ins="pg-test-1",stanza="pg-test"} -1');
    const replica = runCollector(stanza(0, [b('full', 1, 2)]), 't').out;
    expect(replica).toContain('pg_metrics_is_primary{pg_cls="pg-test",pg_ins="pg-test-1"} 0');
    expect(replica).not.toContain('pgbackrest_');
  });
});
