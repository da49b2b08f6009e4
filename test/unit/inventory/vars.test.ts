import { describe, expect, it } from 'vitest';
import { groupHosts, groupNames, hostVars, parseInventory } from '../../../src/inventory/index.js';

const inv = parseInventory(
  `
all:
  vars: { level: all, only_all: 1, sib: all, deep: { a: 1, b: 2 } }
  children:
    dc1:
      vars: { level: dc1, region: east }
      children:
        web:
          vars: { level: web, deep: { a: 9 } }
          hosts:
            web01: { level: host }
            web02:
    zeta:
      vars: { sib: zeta, zeta_only: z }
      hosts: { web01: , web02: }
    alpha:
      vars: { sib: alpha }
      hosts: { web01: }
    prio:
      vars: { sib: prio, ansible_group_priority: 10 }
      hosts: { web02: }
  hosts:
    solo:
`,
  'inv.yml',
);

describe('variable precedence', () => {
  it('all < parent group < child group < host', () => {
    expect(hostVars(inv, 'web01').vars.level).toBe('host');
    expect(hostVars(inv, 'web02').vars.level).toBe('web');
    expect(hostVars(inv, 'web02').vars.region).toBe('east');
    expect(hostVars(inv, 'solo').vars.level).toBe('all');
    expect(hostVars(inv, 'solo').vars.only_all).toBe(1);
  });

  it('groups at the same depth: ansible_group_priority, then name (later wins)', () => {
    // web01: alpha, zeta (depth 1, priority 1) → zeta wins by name
    expect(hostVars(inv, 'web01').vars.sib).toBe('zeta');
    // web02: zeta (priority 1) < prio (priority 10)
    expect(hostVars(inv, 'web02').vars.sib).toBe('prio');
  });

  it('top-level keys replace, without deep merge', () => {
    expect(hostVars(inv, 'web01').vars.deep).toEqual({ a: 9 });
  });

  it('role defaults < inventory < derived < play < set < extra', () => {
    const layers = {
      defaults: { level: 'default', d1: 'default', d2: 'default', d3: 'default', d4: 'default', d5: 'default' },
      derived: { d2: 'derived', d3: 'derived', d4: 'derived', d5: 'derived' },
      play: { d3: 'play', d4: 'play', d5: 'play' },
      set: { d4: 'set', d5: 'set' },
      extra: { d5: 'extra', level: 'extra' },
    };
    const r = hostVars(inv, 'web01', layers);
    expect(r.vars).toMatchObject({ level: 'extra', d1: 'default', d2: 'derived', d3: 'play', d4: 'set', d5: 'extra' });
    expect(hostVars(inv, 'web02', { defaults: { level: 'default', only_default: true } }).vars).toMatchObject({ level: 'web', only_default: true });
  });

  it('reports where each winning value came from', () => {
    const r = hostVars(inv, 'web01', {
      defaults: { pg_port: 5432 },
      extra: { region: 'x' },
      sources: { extra: { region: { file: '-e #1', path: 'region' } } },
    });
    expect(r.sources.level).toEqual({ file: 'inv.yml', path: 'all.children.dc1.children.web.hosts.web01.level', line: 11 });
    expect(r.sources.only_all).toEqual({ file: 'inv.yml', path: 'all.vars.only_all', line: 3 });
    expect(r.sources.sib).toMatchObject({ path: 'all.children.zeta.vars.sib' });
    expect(r.sources.region).toEqual({ file: '-e #1', path: 'region' });
    expect(r.sources.pg_port).toEqual({ file: 'role defaults', path: 'pg_port' });
  });
});

describe('group membership', () => {
  it("group_names: sorted, without all (Ansible keeps 'ungrouped')", () => {
    expect(groupNames(inv, 'web01')).toEqual(['alpha', 'dc1', 'web', 'zeta']);
    expect(groupNames(inv, 'solo')).toEqual(['ungrouped']);
  });

  it('group hosts include children', () => {
    expect(groupHosts(inv, 'dc1')).toEqual(['web01', 'web02']);
    expect(groupHosts(inv, 'all')).toEqual(['solo', 'web01', 'web02']);
    expect(groupHosts(inv, 'nope')).toEqual([]);
  });
});
