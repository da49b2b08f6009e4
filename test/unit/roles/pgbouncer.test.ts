import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/api/templating.js';
import { fileBeside } from '../../../src/api/playbook.js';
import { databaseFile, renderPgbHba, userlistFile, userlistNames, userOptsFile } from '../../../roles/pgbouncer/lib/pgbouncer.js';
import { parseProbe, probeScript } from '../../../roles/pgbouncer/lib/daemon.js';
import { listenAddr } from '../../../roles/pgbouncer/tasks/common.js';
import { hbaContext } from '../../../roles/pgsql/lib/hba.js';
import { preparePgbouncer } from '../../../roles/pgbouncer/index.js';
import { host } from './access-fixture.js';

const tpl = (n: string) => fileBeside(import.meta.url, `../../../roles/pgbouncer/templates/${n}`);

describe('pgbouncer files', () => {
  const h = host('10.10.10.12');

  it('pools every database unless pgbouncer: false, through the local socket', () => {
    const text = databaseFile(h.vars as any);
    expect(text).toContain('test                        = host=/var/run/postgresql port=5432\n');
    expect(text).toContain('app                         = host=/var/run/postgresql port=5432\n');
    expect(text).not.toContain('batch');
    const withOpts = databaseFile({ ...(h.vars as any), pg_databases: [{ name: 'x', pool_mode: 'session', pool_size: 10, pool_connlimit: 20 }] });
    expect(withOpts).toContain('x                           = host=/var/run/postgresql port=5432 pool_mode=session pool_size=10 max_db_connections=20\n');
  });

  it('user options come from pool_mode / pool_connlimit', () => {
    const text = userOptsFile(h.vars as any);
    expect(text).toContain('dbuser_dba                  = pool_mode=session max_user_connections=16');
    expect(text).toContain('dbuser_monitor              = pool_mode=session max_user_connections=8');
    expect(text).not.toContain('test ');
  });

  it('the userlist holds monitor, admin and pgbouncer users, the dbsu without password', () => {
    expect(userlistNames(h.vars as any)).toEqual(['dbuser_dba', 'dbuser_monitor', 'hashed', 'test']);
    expect(userlistNames({ ...(h.vars as any), pgbouncer_auth_query: true })).toEqual(['dbuser_dba', 'dbuser_monitor']);
    const { text, missing } = userlistFile('postgres', ['dbuser_dba', 'test'], { dbuser_dba: 'SCRAM-SHA-256$4096:abc$def:ghi' });
    expect(text).toBe('"postgres" ""\n"dbuser_dba" "SCRAM-SHA-256$4096:abc$def:ghi"\n');
    expect(missing).toEqual(['test']);
  });

  it('hba rules: peer for the dbsu, password for intranet users, deny for others', () => {
    const lines = renderPgbHba([...(h.vars as any).pgb_default_hba_rules, { user: 'app', db: 'app', addr: 'local', auth: 'ident' }], hbaContext(h as any));
    expect(lines).toContain('local    pgbouncer          postgres           peer');
    expect(lines).toContain('host     all                all                10.0.0.0/8         scram-sha-256');
    expect(lines).toContain('host     all                dbuser_monitor     0.0.0.0/0          reject');
    expect(lines).toContain('local    app                app                peer');
    expect(() => renderPgbHba([{ user: 'x', db: 'replication', addr: 'intra' }], hbaContext(h as any))).toThrow(/replication is not allowed/);
  });

  it('renders pgbouncer.ini with the pool mode, port, auth and listen address', () => {
    const text = renderTemplate(tpl('pgbouncer.ini.hbs'), { v: h.vars, host: h.name, listen_addr: listenAddr(h as any), tls: false });
    expect(text).toMatch(/^pool_mode +=  ?transaction$/m);
    expect(text).toMatch(/^listen_port += 6432$/m);
    expect(text).toMatch(/^listen_addr += 0\.0\.0\.0$/m);
    expect(text).toMatch(/^auth_type += hba$/m);
    expect(text).toMatch(/^default_pool_size += 50$/m);
    expect(text).toMatch(/^ignore_startup_parameters += extra_float_digits, application_name, TimeZone, DateStyle, IntervalStyle, search_path$/m);
    expect(text).not.toContain('auth_query');
    const aq = renderTemplate(tpl('pgbouncer.ini.hbs'), { v: { ...(h.vars as any), pgbouncer_auth_query: true, pgbouncer_poolmode: 'session' }, host: h.name, listen_addr: '10.10.10.12', tls: false });
    expect(aq).toContain('auth_query                  = SELECT username, password FROM monitor.pgbouncer_auth($1)');
    expect(aq).toMatch(/^pool_mode += session$/m);
    expect(listenAddr(host('10.10.10.12', { pg_listen: '${ip},${lo},${vip}', pg_vip_enabled: true, pg_vip_address: '10.10.10.3/24' }) as any)).toBe('10.10.10.12,127.0.0.1,10.10.10.3');
  });

  it('the unit stamps starts and reloads', () => {
    const text = renderTemplate(tpl('pgbouncer.service.hbs'), { v: h.vars, stamp: '/run/postgresql/x' });
    expect(text).toContain('ExecStartPost=/usr/bin/touch /run/postgresql/x');
    expect(text).toContain('ExecReload=/bin/kill -HUP $MAINPID\nExecReload=/usr/bin/touch /run/postgresql/x');
    expect(text).toContain('User=postgres');
  });

  it('prepare rejects replication rules', () => {
    const v = host('10.10.10.11', { pgb_hba_rules: [{ user: 'x', db: 'replication', addr: 'intra' }] }).vars;
    const r = preparePgbouncer({ inventory: {} as any, targets: ['10.10.10.11'], vars: () => v as any, source: () => undefined });
    expect(r.errors?.[0].message).toMatch(/replication is not allowed/);
  });
});

describe('daemon probe', () => {
  it('parses unit state, stamp and newer files', () => {
    expect(parseProbe('loaded\nactive\nstamp\n/etc/x\n/etc/y')).toEqual({ loaded: true, active: true, stamp: true, newer: ['/etc/x', '/etc/y'] });
    expect(parseProbe('not-found\ninactive\nnostamp')).toEqual({ loaded: false, active: false, stamp: false, newer: [] });
    expect(parseProbe('')).toBeUndefined();
    expect(probeScript('pgbouncer', '/run/s t', ['/etc/a b'])).toContain("find '/etc/a b' -newer '/run/s t'");
  });
});
