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
