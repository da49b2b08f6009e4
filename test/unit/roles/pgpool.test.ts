import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/api/templating.js';
import { fileBeside } from '../../../src/api/playbook.js';
import { backends, checkUser, pcpConf, poolHba, poolPasswd } from '../../../roles/pgpool/lib/pgpool.js';
import { host, MEMBERS, vars } from './access-fixture.js';

const tpl = fileBeside(import.meta.url, '../../../roles/pgpool/templates/pgpool.conf.hbs');
const members = Object.keys(MEMBERS).reverse().map((ip) => ({ ...vars(ip), inventory_hostname: ip }));

describe('pgpool', () => {
  const h = host('10.10.10.11', { pgpool_enabled: true });

  it('has one backend per member in pg_seq order, named as Patroni names them', () => {
    expect(backends(members)).toEqual([
      { id: 0, host: '10.10.10.11', port: 5432, weight: 100, data: '/pg/data', app: 'pg-test-1' },
      { id: 1, host: '10.10.10.12', port: 5432, weight: 100, data: '/pg/data', app: 'pg-test-2' },
      { id: 2, host: '10.10.10.13', port: 5432, weight: 100, data: '/pg/data', app: 'pg-test-3' },
    ]);
  });

  it('pool_passwd: plain-text passwords of login users, not replicator, not verifiers', () => {
    const p = poolPasswd(h.vars as any);
    expect(p.users).toEqual(['dbuser_dba', 'dbuser_monitor', 'test', 'dbuser_view']);
    expect(p.skipped).toEqual(['hashed']);
    expect(p.text).toContain('test:TEXTtest\n');
    expect(p.text).not.toContain('replicator');
    expect(checkUser(h.vars as any)).toEqual({ user: 'replicator', password: 'DBUser.Replicator' });
    expect(checkUser({ ...(h.vars as any), pgpool_check_user: 'dbuser_monitor' })).toEqual({ user: 'dbuser_monitor', password: 'DBUser.Monitor' });
  });

  it('pool_hba refuses the replication user and asks everybody else for SCRAM', () => {
    const text = poolHba(h.vars as any);
    expect(text).toMatch(/^host +all +replicator +0\.0\.0\.0\/0 +reject$/m);
    expect(text).toMatch(/^host +all +all +10\.0\.0\.0\/8 +scram-sha-256$/m);
    expect(pcpConf('pgpool', 'x')).toContain(`pgpool:${createHash('md5').update('x').digest('hex')}`);
  });

  it('pgpool.conf follows Patroni: no failover command, auto failback, reads to standbys', () => {
    const text = renderTemplate(tpl, { v: h.vars, host: h.name, backends: backends(members), check: checkUser(h.vars as any) });
    expect(text).toContain("backend_clustering_mode = 'streaming_replication'");
    expect(text).toContain("backend_hostname2 = '10.10.10.13'");
    expect(text).toContain("backend_application_name1 = 'pg-test-2'");
    expect(text).toContain("failover_command = ''");
    expect(text).toContain("follow_primary_command = ''");
    expect(text).toContain('auto_failback = on');
    expect(text).toContain('search_primary_node_timeout = 0');
    expect(text).toContain("database_redirect_preference_list = '.*:standby'");
    expect(text).toContain("write_function_list = ''");
    expect(text).toMatch(/^port = 9999$/m);
    expect(text).toMatch(/^pcp_port = 9898$/m);
    expect(text).toContain('use_watchdog = off');
  });
});
