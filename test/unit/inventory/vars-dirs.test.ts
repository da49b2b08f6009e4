/** group_vars/ and host_vars/ (Ansible's host_group_vars rules), inventory directories, and the precedence of their layers. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/api/errors.js';
import { hostVars, loadInventory } from '../../../src/inventory/index.js';
import { findVarsFiles, readVarsFile } from '../../../src/inventory/vars-dirs.js';
import { inventoryFilesIn } from '../../../src/inventory/load.js';

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-varsdirs-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function errorOf(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('findVarsFiles', () => {
  it('takes the first of NAME, NAME.yml, NAME.yaml, NAME.json; a folder gives its files sorted, sub-folders included, hidden, ~ and other extensions skipped', () => {
    const d = tree({
      'g.yml': 'a: 1', 'g.json': '{}',
      'h/b.yml': '', 'h/a.yaml': '', 'h/.hidden.yml': '', 'h/c.yml~': '', 'h/notes.txt': '', 'h/noext': '', 'h/sub/z.json': '',
      'h.yml': 'ignored: because the folder h comes first',
    });
    expect(findVarsFiles(d, 'g').map((f) => path.basename(f))).toEqual(['g.yml']);
    expect(findVarsFiles(d, 'h').map((f) => path.relative(d, f))).toEqual(['h/a.yaml', 'h/b.yml', 'h/noext', 'h/sub/z.json']);
    expect(findVarsFiles(d, 'none')).toEqual([]);
  });

  it('a vars file that is not a mapping is refused, naming the file and line; empty files are fine', () => {
    const d = tree({ 'list.yml': '- a\n- b\n', 'empty.yml': '# nothing\n' });
    expect(readVarsFile(path.join(d, 'empty.yml'), []).vars).toEqual({});
    const e = errorOf(() => readVarsFile(path.join(d, 'list.yml'), []));
    expect(e.message).toMatch(/^Invalid vars file .*list.yml:line 1: a vars file must be a mapping/);
    expect(e.exitCode).toBe(4);
  });
});

describe('inventory directories and vars precedence', () => {
  const files = {
    'inv/hosts': '[web]\nw1 x=ini-host\n[web:vars]\nx=ini-group\ny=ini-group\n',
    'inv/more.yml': 'all:\n  vars: { x: file-all, z: file-all }\n  children:\n    db: { hosts: { d1: } }\n',
    'inv/old.ini': '[old]\no1\n',
    'inv/notes.md': '# not an inventory\n',
    'inv/.hidden': '[hidden]\nh1\n',
    'inv/group_vars/all.yml': 'x: gv-all\nz: gv-all\n',
    'inv/group_vars/web.yml': 'y: gv-web\n',
    'inv/host_vars/w1/main.yml': 'x: hv-w1\n',
    'pb/group_vars/all.yml': 'z: pb-all\n',
    'pb/group_vars/web.yml': 'y: pb-web\n',
    'pb/host_vars/d1.yml': 'x: pb-d1\n',
  };

  it('-i DIR reads its inventory files in sorted order and skips ignored names', () => {
    const d = tree(files);
    expect(inventoryFilesIn(path.join(d, 'inv')).map((f) => path.basename(f))).toEqual(['hosts', 'more.yml']);
    const inv = loadInventory(path.join(d, 'inv'));
    expect([...inv.hosts.keys()]).toEqual(['w1', 'd1']);
    expect(inv.groups.has('old')).toBe(false);
  });

  it('file vars < group_vars/all (inventory, then playbook) < group_vars/GROUP (inventory, then playbook) < host vars < host_vars (inventory, then playbook)', () => {
    const d = tree(files);
    const inv = loadInventory(path.join(d, 'inv'), { playbookDir: path.join(d, 'pb') });
    const w1 = hostVars(inv, 'w1');
    expect(w1.vars).toMatchObject({ x: 'hv-w1', y: 'pb-web', z: 'pb-all' });
    expect(w1.sources.x.file).toBe(path.join(d, 'inv/host_vars/w1/main.yml'));
    expect(w1.sources.y).toMatchObject({ file: path.join(d, 'pb/group_vars/web.yml'), path: 'y', line: 1 });
    expect(hostVars(inv, 'd1').vars).toMatchObject({ x: 'pb-d1', z: 'pb-all' });
    const noPlaybook = loadInventory(path.join(d, 'inv'));
    expect(hostVars(noPlaybook, 'w1').vars).toMatchObject({ x: 'hv-w1', y: 'gv-web', z: 'gv-all' });
    expect(hostVars(noPlaybook, 'd1').vars).toMatchObject({ x: 'gv-all' });
  });

  it('an inventory file passed directly reads group_vars beside it; a directory with no inventory file is refused', () => {
    const d = tree(files);
    const inv = loadInventory(path.join(d, 'inv/more.yml'));
    expect(hostVars(inv, 'd1').vars).toMatchObject({ x: 'gv-all', z: 'gv-all' });
    const empty = tree({ 'only/README.md': 'x', 'only/group_vars/all.yml': 'a: 1' });
    expect(errorOf(() => loadInventory(path.join(empty, 'only'))).message).toMatch(/inventory directory .*only holds no inventory file/);
  });
});
