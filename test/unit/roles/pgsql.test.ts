import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Facts, HostCtx } from '../../../src/api/types.js';
import { renderTemplate } from '../../../src/api/templating.js';
import { fileBeside } from '../../../src/api/playbook.js';
import { defaults as pgsqlDefaults, type PgsqlVars } from '../../../roles/pgsql/defaults.js';
import { defaults as pgIdDefaults } from '../../../roles/pg_id/defaults.js';
import { renderHba, sortRules, validateHbaRule } from '../../../roles/pgsql/lib/hba.js';
import { computeTune, confName } from '../../../roles/pgsql/lib/tune.js';
import { hbaBlock, patroniVars, replaceHbaBlock, splitParams } from '../../../roles/pgsql/lib/patroni.js';

const facts = { cpu_count: 2, mem_mb: 4096, disks: [{ mount: '/', device: 'x', fstype: 'ext4', size_mb: 100 * 1024, avail_mb: 1 }] } as unknown as Facts;

function host(name: string, extra: Partial<PgsqlVars> = {}): HostCtx<PgsqlVars> {
  const vars = {
    ...pgIdDefaults,
    ...pgsqlDefaults,
    pg_cluster: 'pg-test', pg_seq: 1, pg_role: 'primary', pg_instance: 'pg-test-1', pg_cluster_members: ['10.10.10.11', '10.10.10.12', '10.10.10.13'],
    pg_primary_ip: '10.10.10.11', pg_is_primary: true,
    ...extra,
  } as PgsqlVars;
  return {
    name, vars, facts, reg: {}, check: false, playHosts: [name],
    inventory: { hosts: (p: string) => (p === 'etcd' ? ['10.10.10.10'] : p === 'infra' ? ['10.10.10.10'] : []), hostvars: () => ({}), groupNames: () => [] },
  };
}

const patroniTpl = fileBeside(import.meta.url, '../../../roles/pgsql/templates/patroni.yml.hbs');

describe('hba rules', () => {
  const ctx = {
    pg_role: 'replica', pg_offline_query: false, pg_pwd_enc: 'scram-sha-256' as const, pg_dbsu: 'postgres', pg_replication_username: 'replicator',
    pg_monitor_username: 'dbuser_monitor', pg_admin_username: 'dbuser_dba', admin_ip: '10.10.10.10', infra: ['10.10.10.10'],
    cluster: ['10.10.10.11', '10.10.10.12'], intranet: ['10.0.0.0/8'],
  };
  it('expands aliases and user placeholders', () => {
    const lines = renderHba(pgsqlDefaults.pg_default_hba_rules, ctx);
    expect(lines).toContain('local    all                postgres           ident');
    expect(lines).toContain('host     replication        replicator         10.0.0.0/8         scram-sha-256');
    expect(lines).toContain('hostssl  all                dbuser_dba         0.0.0.0/0          scram-sha-256');
    expect(lines.filter((l) => l.includes('127.0.0.1/32'))).toHaveLength(3);
  });
  it('sorts by order, keeps unordered rules last, disables rules for other roles', () => {
    const lines = renderHba(
      [
        { user: 'late', db: 'all', addr: 'cluster', auth: 'deny' },
        { user: 'x', db: 'all', addr: '10.1.2.3', auth: 'pwd', order: 10, role: 'primary', title: 'only on primary' },
      ],
      ctx,
    );
    expect(lines[0]).toBe('# only on primary [primary] [DISABLED]');
    expect(lines[1]).toMatch(/^#host +all +x +10\.1\.2\.3\/32 +scram-sha-256$/);
    expect(lines.slice(-2).every((l) => l.includes('reject'))).toBe(true);
    expect(sortRules([{ order: 5 }, { order: 1 }, {}] as any).map((r) => r.order)).toEqual([1, 5, undefined]);
  });
  it('validates addr and auth', () => {
    expect(validateHbaRule({ addr: 'nowhere' })[0]).toMatch(/invalid addr/);
    expect(validateHbaRule({ addr: 'intra', auth: 'password' as any })[0]).toMatch(/unsupported auth/);
    expect(validateHbaRule({ rules: ['local all all trust'] })).toEqual([]);
  });
});

describe('tune', () => {
  it('computes memory from facts and the ratio', () => {
    const t = computeTune(pgsqlDefaults, facts);
    expect(t.conf).toBe('oltp');
    expect(t.shared_buffers_mb).toBe(1024);
    expect(t.effective_cache_size_mb).toBe(3072);
    expect(t.max_connections).toBe(500);
    expect(t.work_mem_mb).toBe(64);
    expect(t.size_twentieth).toBe(5);
    expect([t.ttl, t.loop_wait, t.retry_timeout]).toEqual([30, 5, 10]);
  });
  it('honours pg_conf, pg_max_conn, pg_rto and pg_rpo', () => {
    const t = computeTune({ ...pgsqlDefaults, pg_conf: 'tiny', pg_max_conn: 100, pg_rto: 'fast', pg_rpo: 0 }, facts);
    expect([t.conf, t.max_connections, t.ttl, t.synchronous_mode, t.max_parallel_workers_per_gather]).toEqual(['tiny', 100, 20, true, 0]);
    expect(confName('crit.yml')).toBe('crit');
    expect(() => confName('big')).toThrow(/oltp, olap, tiny, crit/);
  });
});

describe('patroni config', () => {
  it('splits DCS-only parameters and lets pg_parameters win', () => {
    const { dcs, local } = splitParams([['max_connections', 100], ['work_mem', '64MB']], { work_mem: '128MB', max_wal_senders: 20, port: 1 });
    expect(dcs).toEqual([['max_connections', 100], ['max_wal_senders', 20]]);
    expect(local).toEqual([['work_mem', '128MB']]);
  });

  for (const conf of ['oltp', 'olap', 'tiny', 'crit'] as const) {
    it(`renders valid YAML for pg_conf=${conf}`, () => {
      const h = host('10.10.10.11', { pg_conf: conf, pg_parameters: { log_min_duration_statement: 250 }, pg_hba_rules: [{ user: 'app', db: 'app', addr: 'world', auth: 'pwd', title: "app's rule" }] });
      const text = renderTemplate(patroniTpl, patroniVars(h));
      const doc = YAML.parse(text);
      expect(doc.scope).toBe('pg-test');
      expect(doc.name).toBe('pg-test-1');
      expect(doc.etcd.hosts).toBe('10.10.10.10:2379');
      expect(doc.bootstrap.dcs.postgresql.parameters.max_connections).toBeGreaterThan(0);
      expect(doc.postgresql.parameters.max_connections).toBeUndefined();
      expect(doc.postgresql.parameters.archive_mode).toBe('on');
      expect(doc.postgresql.parameters.archive_command).toBe('/bin/true');
      expect(doc.postgresql.parameters.log_min_duration_statement).toBe(250);
      expect(doc.postgresql.pg_hba).toContain('# app\'s rule [default]');
      expect(doc.postgresql.authentication.replication.password).toBe('DBUser.Replicator');
      expect(doc.bootstrap.dcs.synchronous_mode).toBe(conf === 'crit');
    });
  }

  it('replacing the hba block gives the same bytes as a full render', () => {
    const before = host('10.10.10.11');
    const after = host('10.10.10.11', { pg_hba_rules: [{ user: 'x', db: 'all', addr: 'cluster', auth: 'pwd' }] });
    const full = renderTemplate(patroniTpl, patroniVars(after));
    const old = renderTemplate(patroniTpl, patroniVars(before));
    expect(old).not.toBe(full);
    expect(replaceHbaBlock(old, hbaBlock(after))).toBe(full);
    expect(replaceHbaBlock('no markers', hbaBlock(after))).toBeUndefined();
  });
});

describe('launch readiness', async () => {
  const { primaryReady, readySql } = await import('../../../roles/pgsql/tasks/launch.js');
  const cluster = (leader: string) => JSON.stringify({ members: [{ name: leader, role: 'leader', state: 'running' }, { name: 'pg-test-1', role: 'replica', state: 'running' }] });
  it('is ready when the primary is writable, or when another member leads a running cluster', () => {
    const h = host('10.10.10.11');
    expect(primaryReady(h, 'f\n{}')).toBe('self');
    expect(primaryReady(h, '\n')).toBe('waiting');
    expect(primaryReady(h, `t\n${cluster('pg-test-2')}`)).toBe('pg-test-2');
    expect(primaryReady(h, `t\n${cluster('pg-test-1')}`)).toBe('waiting');
    expect(primaryReady(host('10.10.10.11', { pg_upstream: '10.10.10.10' }), 't\n')).toBe('self');
  });
  it("a writable primary counts only once Patroni's bootstrap has given the replication user its password", () => {
    const sql = readySql(host('10.10.10.11', { pg_replication_username: "re'pl" }));
    expect(sql).toContain("FROM pg_authid WHERE rolname = 're''pl' AND rolpassword IS NOT NULL) THEN 'f' ELSE '' END");
    expect(primaryReady(host('10.10.10.11'), '\n{}')).toBe('waiting'); // '' while bootstrapping
  });
});
