import { describe, expect, it } from 'vitest';
import { block, debug, play, playbook, role, withTags } from '../../../src/api/playbook.js';
import { UserError } from '../../../src/api/errors.js';
import { checkTagFilter, playbookTags } from '../../../src/runner/tags.js';

const r = role({ name: 'r', defaults: {}, tasks: [block({ tags: ['blk'], tasks: [debug('t', () => 'x', { tags: ['task_tag'] })] })] });
const pb = playbook('demo', [play({ name: 'p', hosts: 'all', tags: ['play_tag'], roles: [withTags(r, ['role_tag'])] })]);

describe('unknown --tags / --skip-tags are refused before any host', () => {
  it('knows the tags of plays, roles, blocks and tasks', () => {
    expect([...playbookTags(pb)].sort()).toEqual(['blk', 'play_tag', 'role_tag', 'task_tag']);
  });
  it('accepts known and special tags', () => {
    expect(() => checkTagFilter(pb, { only: ['task_tag', 'all', 'tagged'], skip: ['never', 'always', 'untagged', 'blk'] })).not.toThrow();
  });
  it('refuses a typo, naming the option, the tag and the known tags', () => {
    let err: unknown;
    try {
      checkTagFilter(pb, { only: ['task_tga'], skip: ['role_tag', 'nope'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const e = err as UserError;
    expect(e.exitCode).toBe(4);
    expect(e.message).toContain("--tags 'task_tga', --skip-tags 'nope'");
    expect(e.message).toContain('Known tags: blk, play_tag, role_tag, task_tag');
    expect(e.details.map((d) => d.path)).toEqual(['--tags', '--skip-tags']);
  });
});
