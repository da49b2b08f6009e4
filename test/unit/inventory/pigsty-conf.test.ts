/**
 * Pigsty's configuration files (../shared/pigsty-conf, beside the checkout) all load and pass the
 * checks a run makes before any host: a cluster asking for a mode pgplay does not build is skipped
 * with a warning naming the cluster and the parameter; a setting it cannot honour yet is warned about.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Playbook } from '../../../src/api/types.js';
import { loadInventory } from '../../../src/inventory/index.js';
import { planPlaybook } from '../../../src/runner/plan.js';
import type { RunOptions } from '../../../src/runner/options.js';
import install from '../../../playbooks/install.js';
import pgsql from '../../../playbooks/pgsql.js';
import node from '../../../playbooks/node.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CONF = path.resolve(ROOT, '../shared/pigsty-conf');
const hasConf = fs.existsSync(CONF);
const opts = (file: string): RunOptions => ({ inventoryFile: file, tags: { only: ['all'], skip: [] }, extraVars: {}, extraSources: {}, check: false, diff: false, forks: 10, verbosity: 0 });
const plan = (pb: Playbook, file: string) => planPlaybook(pb, loadInventory(file), opts(file));
const hostsOf = (p: ReturnType<typeof plan>, name: string) => p.plays.find((x) => x.play.name === name)!.hosts;

describe('Pigsty configuration files', () => {
  const files = hasConf ? (fs.readdirSync(CONF, { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).sort() : [];

  it.skipIf(!hasConf)('all load and pass every check before any host (skipped where ../shared/pigsty-conf is absent)', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
    const refused: string[] = [];
    for (const f of files) {
      try {
        plan(install, path.join(CONF, f));
      } catch (e) {
        refused.push(`${f}: ${(e as Error).message} ${JSON.stringify((e as { details?: unknown }).details ?? [])}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it.skipIf(!hasConf)('skips a citus cluster per cluster, naming it and pg_mode, and warns about patroni_ssl_enabled', () => {
    const citus = plan(install, path.join(CONF, 'ha/citus.yml'));
    expect(citus.warnings.filter((w) => /pg_mode 'citus' is not built by pgplay/.test(w))).toHaveLength(6);
    expect(citus.warnings.some((w) => w.startsWith('pg-citus1: ') && w.includes('at all.children.pg-citus.vars.pg_mode') && w.includes('(10.10.10.21, 10.10.10.22)'))).toBe(true);
    const safe = plan(install, path.join(CONF, 'ha/safe.yml'));
    expect(safe.warnings.some((w) => /patroni_ssl_enabled: true is not supported yet/.test(w) && w.includes('all.vars.patroni_ssl_enabled'))).toBe(true);
  });
});

describe('clusters of modes pgplay does not build', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-compat-'));
  const file = path.join(dir, 'mixed.yml');
  fs.writeFileSync(file, `all:
  vars: { patroni_ssl_enabled: false }
  children:
    pg-meta: { hosts: { 10.10.10.10: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-meta } }
    pg-citus: { hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-citus, pg_mode: citus } }
    pg-safe: { hosts: { 10.10.10.12: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-safe, patroni_ssl_enabled: true } }
    pg-bare: { hosts: { 10.10.10.13: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-bare, patroni_mode: remove } }
`);

  it('skips those clusters in the pgsql play only, with one warning each naming cluster, file and parameter', () => {
    const p = plan(pgsql, file);
    expect(p.plays.flatMap((x) => x.hosts)).toEqual(['10.10.10.10', '10.10.10.12']);
    expect(p.warnings).toHaveLength(3);
    expect(p.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^pg-citus: pg_mode 'citus' is not built by pgplay .*mixed\.yml:5 at all\.children\.pg-citus\.vars\.pg_mode\); play 'PGSQL' skips this cluster \(10\.10\.10\.11\)$/),
      expect.stringMatching(/^pg-safe: patroni_ssl_enabled: true is not supported yet.*mixed\.yml:6 at all\.children\.pg-safe\.vars\.patroni_ssl_enabled\)$/),
      expect.stringMatching(/^pg-bare: patroni_mode 'remove' .* skips this cluster \(10\.10\.10\.13\)$/),
    ]));
    const n = plan(node, file);
    expect(n.plays.flatMap((x) => x.hosts)).toContain('10.10.10.11'); // its nodes are still nodes
    expect(hostsOf(n, n.plays[0].play.name).length).toBe(4);
  });

  it('still refuses a pg_mode that is no Pigsty mode', () => {
    fs.writeFileSync(path.join(dir, 'typo.yml'), 'all:\n  children:\n    pg-x: { hosts: { 10.10.10.10: { pg_seq: 1, pg_role: primary } }, vars: { pg_cluster: pg-x, pg_mode: pgsq } }\n');
    expect(() => plan(pgsql, path.join(dir, 'typo.yml'))).toThrow(/not valid/);
  });
});
