/** Requests refused by a role's checks before any host is contacted: a future PITR time, pg_safeguard. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PrepareContext, Vars } from '../../../src/api/types.js';
import { hostVars, loadInventory } from '../../../src/inventory/index.js';
import { pitrInstant, validatePitr } from '../../../roles/pg_pitr/lib/pitr.js';
import { prepareRemove } from '../../../roles/pg_remove/prepare.js';

const now = new Date('2025-07-13T10:00:00Z');
const errorsOf = (time: string) => validatePitr({ time }, { pg_cluster: 'pg-meta', pg_data: '/pg/data', pg_port: 5432, now }).errors.join('\n');

describe('pg_pitr.time', () => {
  it('reads the instant with its zone', () => {
    expect(pitrInstant('2025-07-13 10:00:00+00')?.toISOString()).toBe('2025-07-13T10:00:00.000Z');
    expect(pitrInstant('2025-07-13T12:30:00.5+02:30')?.toISOString()).toBe('2025-07-13T10:00:00.500Z');
    expect(pitrInstant('2025-07-13 10:00:00 UTC')?.toISOString()).toBe('2025-07-13T10:00:00.000Z');
    expect(pitrInstant('2025-07-13 05:00:00-05')?.toISOString()).toBe('2025-07-13T10:00:00.000Z');
  });
  it('accepts a time in the past or now', () => {
    expect(errorsOf('2025-07-13 09:59:59+00')).toBe('');
    expect(errorsOf('2025-07-13 12:00:00+02')).toBe('');
  });
  it('refuses a time in the future, naming now', () => {
    expect(errorsOf('2025-07-13 10:00:01+00')).toMatch(/pg_pitr\.time: '2025-07-13 10:00:01\+00' is in the future \(now is 2025-07-13T10:00:00.000Z\)/);
    expect(errorsOf('2025-07-13 09:00:00-02')).toMatch(/in the future/);
  });
  it('refuses a date that does not exist', () => {
    expect(errorsOf('2025-02-30 10:00:00+00')).toMatch(/not a valid date and time/);
    expect(errorsOf('2025-07-13 24:00:00+00')).toMatch(/not a valid date and time/);
  });
});

describe('pg_safeguard', () => {
  const INV = `all:
  children:
    pg-test:
      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary }, 10.10.10.12: { pg_seq: 2, pg_role: replica } }
      vars: { pg_cluster: pg-test, pg_safeguard: true }
    pg-meta:
      hosts: { 10.10.10.10: { pg_seq: 1, pg_role: primary } }
      vars: { pg_cluster: pg-meta }
`;
  function pctx(extra: Vars, targets: string[]): PrepareContext {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-'));
    fs.writeFileSync(path.join(dir, 'inv.yml'), INV);
    const inv = loadInventory(path.join(dir, 'inv.yml'));
    const layers = { defaults: { pg_safeguard: false }, extra };
    return { inventory: inv, targets, vars: (h) => hostVars(inv, h, layers).vars, source: (h, k) => hostVars(inv, h, layers).sources[k] };
  }
  it('refuses a guarded cluster once, naming the file and the path', () => {
    const errors = prepareRemove(pctx({}, ['10.10.10.11', '10.10.10.12'])).errors ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'all.children.pg-test.vars.pg_safeguard' });
    expect(errors[0].file).toMatch(/inv\.yml$/);
    expect(errors[0].message).toMatch(/pg_safeguard is set for cluster pg-test/);
  });
  it('lets an unguarded cluster through, and -e pg_safeguard=false override', () => {
    expect(prepareRemove(pctx({}, ['10.10.10.10'])).errors).toEqual([]);
    expect(prepareRemove(pctx({ pg_safeguard: 'false' }, ['10.10.10.11'])).errors).toEqual([]);
  });
});
