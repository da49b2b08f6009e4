import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/api/templating.js';
import { fileBeside } from '../../../src/api/playbook.js';
import { compileSelector } from '../../../roles/pg_service/lib/selector.js';
import { rtoOptions, serviceProblems, serviceView } from '../../../roles/pg_service/lib/services.js';
import { members, services, validateService } from '../../../roles/pg_service/tasks/common.js';
import { preparePgService } from '../../../roles/pg_service/index.js';
import { defaults as pgsqlDefaults } from '../../../roles/pgsql/defaults.js';
import { host } from './access-fixture.js';

const svcTpl = fileBeside(import.meta.url, '../../../roles/pg_service/templates/service.cfg.hbs');
const cfgTpl = fileBeside(import.meta.url, '../../../roles/pg_service/templates/haproxy.cfg.hbs');

const items = [
  { inventory_hostname: 'a', pg_role: 'primary', pg_offline_query: false, pg_seq: 1 },
  { inventory_hostname: 'b', pg_role: 'replica', pg_seq: 2 },
  { inventory_hostname: 'c', pg_role: 'replica', pg_offline_query: true, pg_seq: 3 },
  { inventory_hostname: 'd', pg_role: 'offline', pg_seq: 4, tags: { zone: 'x' } },
];
const pick = (sel: string) => compileSelector(sel)(items).map((i) => i.inventory_hostname);

describe('selectors (JMESPath subset)', () => {
  it('evaluates Pigsty default selectors', () => {
    expect(pick('[]')).toEqual(['a', 'b', 'c', 'd']);
    expect(pick('[? pg_role == `primary` || pg_role == `offline` ]')).toEqual(['a', 'd']);
    expect(pick('[? pg_role == `offline` || pg_offline_query ]')).toEqual(['c', 'd']);
    expect(pick('[? pg_role == `replica` && !pg_offline_query]')).toEqual(['b']);
  });
  it('supports numbers, raw strings, nested fields, parentheses and comparisons', () => {
    expect(pick('[? pg_seq == `2` ]')).toEqual(['b']);
    expect(pick("[? pg_role == 'replica' ]")).toEqual(['b', 'c']);
    expect(pick('[? tags.zone == `"x"` ]')).toEqual(['d']);
    expect(pick('[? pg_seq > `2` && !(pg_role == `offline`) ]')).toEqual(['c']);
    expect(pick('[? pg_role != `primary` && pg_seq <= `2` ]')).toEqual(['b']);
  });
  it('rejects what it does not understand', () => {
    expect(() => compileSelector('[?? x]')).toThrow(/selector/);
    expect(() => compileSelector('[? pg_role == `primary` ')).toThrow(/expected/);
    expect(() => compileSelector('foo[0]')).toThrow(/expected \[\] or \[\? expression \]/);
  });
});

describe('service views', () => {
  const h = host('10.10.10.12');
  const byName = Object.fromEntries(services(h).map((s) => [s.name, s]));

  it('routes primary and replica through pgbouncer, default and offline to postgres', () => {
    expect(byName.primary.servers.map((s) => `${s.name} ${s.address}:${s.port}${s.backup ? ' backup' : ''}`)).toEqual([
      'pg-test-1 10.10.10.11:6432',
      'pg-test-2 10.10.10.12:6432',
      'pg-test-3 10.10.10.13:6432',
    ]);
    expect(byName.primary.check).toBe('/primary');
    expect(byName.replica.check).toBe('/read-only');
    expect(byName.replica.servers.filter((s) => s.backup).map((s) => s.address)).toEqual(['10.10.10.11']);
    expect(byName.default.servers.every((s) => s.port === 5432 && !s.backup)).toBe(true);
    expect(byName.offline.check).toBe('/replica');
    expect(byName.offline.servers.map((s) => [s.address, s.backup])).toEqual([
      ['10.10.10.13', false],
      ['10.10.10.12', true],
    ]);
    expect(Object.values(byName).map((s) => [s.id, s.port])).toEqual([
      ['pg-test-primary', 5433],
      ['pg-test-replica', 5434],
      ['pg-test-default', 5436],
      ['pg-test-offline', 5438],
    ]);
  });

  it('takes check timing from pg_rto', () => {
    expect(byName.primary.default_server).toBe('inter 2s fastinter 1s downinter 2s rise 3 fall 3 on-marked-down shutdown-sessions slowstart 30s maxconn 3000 maxqueue 128 weight 100');
    expect(rtoOptions('fast', pgsqlDefaults.pg_rto_plan)).toMatch(/^inter 1s fastinter 0.5s downinter 1s rise 3 fall 3 /);
    expect(rtoOptions('nonsense', pgsqlDefaults.pg_rto_plan)).toMatch(/^inter 2s /);
  });

  it('uses each member\'s own ports and weight', () => {
    const h2 = host('10.10.10.11', { pg_default_service_dest: 'postgres' }, { '10.10.10.12': { pg_weight: 50, pg_port: 6543, patroni_port: 8009 } });
    const ms = members(h2);
    const v = serviceView({ name: 'primary', port: 5433, check: '/primary' }, ms, { defaultDest: 'postgres', rto: 'norm', plans: pgsqlDefaults.pg_rto_plan });
    expect(v.servers[1]).toMatchObject({ address: '10.10.10.12', port: 6543, check_port: 8009, weight: 50 });
    const custom = serviceView({ name: 'standby', port: 5435, dest: 15432, selector: '[? pg_seq == `3` ]', options: 'inter 5s' }, ms, { defaultDest: 'pgbouncer', rto: 'norm', plans: pgsqlDefaults.pg_rto_plan });
    expect(custom.servers.map((s) => `${s.address}:${s.port}`)).toEqual(['10.10.10.13:15432']);
    expect(custom.default_server).toBe('inter 5s');
    expect(custom.check).toBe('/');
  });

  it('renders haproxy listen sections with backup flags and patroni checks', () => {
    const text = renderTemplate(svcTpl, { s: byName.replica, host: '10.10.10.12' });
    expect(text.split('\n')[0]).toBe('# pgplay-cluster: pg-test');
    expect(text).toContain('listen pg-test-replica\n    bind *:5434\n    mode tcp');
    expect(text).toContain('    http-check send meth OPTIONS uri /read-only\n    http-check expect status 200');
    expect(text).toContain('    server pg-test-1 10.10.10.11:6432 check port 8008 weight 100 backup\n');
    expect(text).toContain('    server pg-test-2 10.10.10.12:6432 check port 8008 weight 100\n');
    expect(text).toContain('default-server inter 2s fastinter 1s downinter 2s rise 3 fall 3 on-marked-down shutdown-sessions');
  });

  it('renders the global config with the admin page and its credentials', () => {
    const h1 = host('10.10.10.11');
    const text = renderTemplate(cfgTpl, { v: h1.vars, host: h1.name, nodename: 'node-1' });
    expect(text).toContain('bind *:9101');
    expect(text).toContain('stats uri /haproxy/node-1/');
    expect(text).toContain('user admin insecure-password pigsty');
    expect(text).toContain('timeout client     24h');
    const noAuth = renderTemplate(cfgTpl, { v: { ...h1.vars, haproxy_auth_enabled: false }, host: h1.name, nodename: 'node-1' });
    expect(noAuth).not.toContain('insecure-password');
  });

  it('validates a new service file against the other files of conf.d', () => {
    const cmd = validateService('/etc/haproxy/conf.d/pg-test-primary.cfg');
    expect(cmd).toContain("[ \"$f\" != /etc/haproxy/conf.d/pg-test-primary.cfg ]");
    expect(cmd).toMatch(/haproxy -c -q -f \/etc\/haproxy\/haproxy.cfg "\$@" -f %s$/);
  });
});

describe('pg_service prepare', () => {
  it('reports duplicate names and ports and bad selectors with their path', () => {
    expect(serviceProblems([{ name: 'a', port: 1 }, { name: 'a', port: 1 }, { name: 'b', port: 2, selector: '[? x ==' }]).map((p) => p.message)).toEqual([
      "service name 'a' is also used by entry 0",
      "port 1 is also used by service 'a'",
      expect.stringMatching(/^selector: selector/),
    ]);
    const v = host('10.10.10.11', { pg_services: [{ name: 'standby', port: 5433 }] }).vars;
    const r = preparePgService({
      inventory: {} as any,
      targets: ['10.10.10.11'],
      vars: () => v,
      source: (_h, key) => (key === 'pg_services' ? { file: 'extra vars', path: 'pg_services' } : undefined),
    });
    expect(r.errors).toEqual([{ file: 'extra vars', path: 'pg_services[0]', line: undefined, message: "port 5433 is also used by service 'primary'" }]);
  });
});
