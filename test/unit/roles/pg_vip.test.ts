import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { renderTemplate } from '../../../src/api/templating.js';
import { fileBeside } from '../../../src/api/playbook.js';
import { leaderKey, resolveIfaceScript } from '../../../roles/pg_vip/tasks/main.js';
import { preparePgVip } from '../../../roles/pg_vip/index.js';
import { host } from './access-fixture.js';

const tpl = fileBeside(import.meta.url, '../../../roles/pg_vip/templates/vip-manager.yml.hbs');

describe('pg_vip', () => {
  it('renders a vip-manager 1.0 config reading the Patroni leader key', () => {
    const h = host('10.10.10.12', { pg_vip_enabled: true, pg_vip_address: '10.10.10.3/24' });
    const doc = YAML.parse(renderTemplate(tpl, { v: h.vars, host: h.name, ip: '10.10.10.3', netmask: '24', iface: 'eth0', key: leaderKey(h.vars as any), endpoints: ['10.10.10.10:2379', '10.10.10.11:2379'], version: '1.0.2' }));
    expect(doc).toMatchObject({
      'trigger-key': '/pg/pg-test/leader',
      'trigger-value': 'pg-test-2',
      ip: '10.10.10.3',
      netmask: 24,
      interface: 'eth0',
      'dcs-type': 'etcd',
      'dcs-endpoints': ['http://10.10.10.10:2379', 'http://10.10.10.11:2379'],
      interval: 1000,
    });
    expect(leaderKey({ pg_namespace: '/service/', pg_cluster: 'x' })).toBe('/service/x/leader');
    expect(resolveIfaceScript("10.10.10.12'")).toContain("-v ip='10.10.10.12'\\'''");
  });

  it('prepare refuses an enabled VIP without a real address, or members that disagree', () => {
    const ctx = (vars: Record<string, any>) => ({ inventory: {} as any, targets: Object.keys(vars), vars: (h: string) => vars[h], source: () => undefined });
    const a = host('10.10.10.11', { pg_vip_enabled: true }).vars as any;
    expect(preparePgVip(ctx({ '10.10.10.11': a })).errors?.[0].message).toMatch(/pg_vip_address is '127.0.0.1\/24'/);
    const b = host('10.10.10.11', { pg_vip_enabled: true, pg_vip_address: '10.10.10.3/24' }).vars as any;
    const c = host('10.10.10.12', { pg_vip_enabled: true, pg_vip_address: '10.10.10.4/24' }).vars as any;
    expect(preparePgVip(ctx({ '10.10.10.11': b, '10.10.10.12': c })).errors?.[0].message).toMatch(/disagree/);
    expect(preparePgVip(ctx({ '10.10.10.11': b })).errors).toEqual([]);
    expect(preparePgVip(ctx({ '10.10.10.11': host('10.10.10.11').vars })).errors).toEqual([]);
  });
});
