import { describe, expect, it } from 'vitest';
import { shouldRun, splitTags } from '../../../src/runner/tags.js';

const run = (tags: string[], only: string[] = ['all'], skip: string[] = []) => shouldRun(tags, { only, skip });

describe('tag selection (Ansible semantics)', () => {
  it('runs everything but never by default', () => {
    expect(run([])).toBe(true);
    expect(run(['pg_hba'])).toBe(true);
    expect(run(['never'])).toBe(false);
    expect(run(['never', 'debug'])).toBe(false);
  });
  it('--tags selects by intersection; always still runs', () => {
    expect(run(['pg_hba'], ['pg_hba'])).toBe(true);
    expect(run(['pg_user'], ['pg_hba'])).toBe(false);
    expect(run([], ['pg_hba'])).toBe(false);
    expect(run(['always'], ['pg_hba'])).toBe(true);
  });
  it('never runs only when one of its tags is asked for', () => {
    expect(run(['never', 'debug'], ['debug'])).toBe(true);
    expect(run(['never'], ['never'])).toBe(true);
    expect(run(['never', 'debug'], ['tagged'])).toBe(false);
  });
  it('tagged and untagged', () => {
    expect(run(['x'], ['tagged'])).toBe(true);
    expect(run([], ['tagged'])).toBe(false);
    expect(run([], ['untagged'])).toBe(true);
    expect(run(['x'], ['untagged'])).toBe(false);
    expect(run(['x'], ['all'], ['tagged'])).toBe(false);
    expect(run([], ['all'], ['untagged'])).toBe(false);
  });
  it('--skip-tags beats --tags; always is skipped only explicitly', () => {
    expect(run(['pg_hba', 'pg_bootstrap'], ['pg_bootstrap'], ['pg_hba'])).toBe(false);
    expect(run(['always'], ['all'], ['all'])).toBe(true);
    expect(run(['always'], ['all'], ['always'])).toBe(false);
    expect(run(['always', 'id'], ['all'], ['id'])).toBe(false);
    expect(run(['x'], ['all'], ['all'])).toBe(false);
  });
  it('splits comma lists from repeated options', () => {
    expect(splitTags(['a,b', ' c ', ''])).toEqual(['a', 'b', 'c']);
  });
});
