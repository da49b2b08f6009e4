/** Every shipped playbook loads, plans its defaults without conflicts, and lists its tasks and tags. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Playbook } from '../../../src/api/types.js';
import { playDefaults } from '../../../src/runner/plan.js';
import { listTags, listTasks } from '../../../src/runner/listing.js';

const dir = path.resolve('playbooks');
const names = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe.each(names)('playbooks/%s', (name) => {
  it('has role defaults with one owner each, and lists tasks and tags', async () => {
    const pb = (await import(path.join(dir, name))).default as Playbook;
    expect(pb.plays.length).toBeGreaterThan(0);
    for (const play of pb.plays) expect(() => playDefaults(play)).not.toThrow();
    expect(listTasks(pb, { only: ['all'], skip: [] }).length).toBeGreaterThan(1);
    expect(listTags(pb).join('\n')).toContain('tag tree:');
  });
});

describe('the tag tree of pgsql', () => {
  it("nests a role's tags as a path, draws each role once and no tag under itself", async () => {
    const pb = (await import(path.join(dir, 'pgsql.ts'))).default as Playbook;
    const lines = listTags(pb);
    const tree = lines.slice(lines.indexOf('tag tree:') + 1);
    const depth = (t: string) => tree.filter((l) => l.trim() === t).map((l) => (l.length - l.trimStart().length) / 2);
    expect(depth('id')).toEqual([1]);
    expect(depth('node-id')).toEqual([2]); // under id only, not again at the top nor under itself
    expect(depth('pg-id')).toEqual([2]);
    expect(depth('pgsql')).toEqual([1]);
    expect(depth('pg_access')).toEqual([2]); // withTags(pgbouncer, ['pgsql', 'pg_access'])
    expect(depth('pgbouncer')).toEqual([3]);
    expect(depth('pg_hba')).toEqual([4]); // pgsql > pg_bootstrap > pg_launch > pg_hba
    expect(tree.indexOf(tree.find((l) => l.trim() === 'pg_install')!)).toBeLessThan(tree.indexOf(tree.find((l) => l.trim() === 'pg_bootstrap')!));
  });
});
