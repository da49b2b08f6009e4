/**
 * Every shell file of the repository passes shellcheck: the roles' scripts (files/ with a sh or bash
 * shebang, *.sh), shell templates rendered with the role's defaults, the bench and CI scripts.
 * Skipped, with the reason, where shellcheck is not installed (.ci/run installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/api/templating.js';
import { defaults as pgsqlDefaults } from '../../../roles/pgsql/defaults.js';
import { scriptCommand } from '../../../roles/lib/script.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SHELLCHECK = ['/usr/bin/shellcheck', '/usr/local/bin/shellcheck'].find((p) => fs.existsSync(p));
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name) || e.name.startsWith('.typecheck-')) continue; // params.test.ts's temporary files
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const isShell = (file: string) => {
  if (file.endsWith('.sh')) return true;
  const head = fs.readFileSync(file, 'utf8').slice(0, 64);
  return /^#!\s*(\/usr)?\/bin\/(env\s+)?(ba|da)?sh\b/.test(head);
};

/** The shell files of the repository (relative paths). */
export function shellFiles(): string[] {
  const files = walk(ROOT).filter((f) => !f.endsWith('.hbs') && !f.endsWith('.ts') && !f.endsWith('.md') && isShell(f));
  return files.map((f) => path.relative(ROOT, f)).sort();
}

function shellcheck(file: string, shell?: string): string {
  const args = ['-f', 'gcc', '-x', ...(shell ? ['-s', shell] : []), file];
  const r = spawnSync(SHELLCHECK!, args, { cwd: ROOT, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

describe.skipIf(!SHELLCHECK)(`shellcheck${SHELLCHECK ? '' : ' (skipped: shellcheck is not installed; apt-get install shellcheck)'}`, () => {
  it('finds the shell files, the roles\' scripts among them', () => {
    const files = shellFiles();
    for (const f of ['roles/pg_pitr/files/pitr-recovery.sh', 'roles/lib/files/dcs-cleanup.sh', 'roles/lib/files/stanza-probe.sh', 'roles/pgbackrest/files/pg-pitr', 'bench/ansible/make-playbook.sh', '.ci/run', 'run']) {
      expect(files).toContain(f);
    }
  });

  it.each(shellFiles())('%s', (file) => {
    expect(shellcheck(file)).toBe('');
  });

  it.each([
    ['roles/pgsql/templates/pg-alias.sh.hbs', { v: { ...pgsqlDefaults, pg_cluster: 'pg-test' } }],
    ['roles/etcd/templates/etcdctl.sh.hbs', { endpoints: 'http://10.10.10.10:2379' }],
  ] as const)('%s, rendered', (tpl, vars) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-shellcheck-'));
    try {
      const file = path.join(dir, path.basename(tpl, '.hbs'));
      fs.writeFileSync(file, renderTemplate(path.join(ROOT, tpl), vars));
      expect(shellcheck(file, 'bash')).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('role scripts', () => {
  const dcs = path.join(ROOT, 'roles/lib/files/dcs-cleanup.sh');

  it('run with their values as arguments, never pasted into the script', () => {
    const hostile = "/pg/it's $(touch /tmp/pgplay-pwned)/";
    const cmd = scriptCommand(dcs, [hostile, '{}']);
    // the script text is one quoted word, the values follow as words of their own
    const out = execFileSync('/bin/sh', ['-c', cmd.replace(/^sh -c /, 'printf "%s\\0" ')], { encoding: 'utf8' }).split('\0');
    expect(out[0]).toBe(fs.readFileSync(dcs, 'utf8'));
    expect(out.slice(1, 4)).toEqual(['dcs-cleanup', hostile, '{}']);
  });

  it('dcs-cleanup: fails with a message when no endpoint answers (curl on a closed port)', () => {
    const r = spawnSync('/bin/sh', ['-c', scriptCommand(dcs, ['/pg/pg-test/', '{}', '127.0.0.1:1'])], { encoding: 'utf8' });
    if (!fs.existsSync('/usr/bin/curl')) return;
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no etcd endpoint answered/);
  });

  it('pitr-recovery: wait reads the end state from the recovery log when PostgreSQL is down', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-pitr-'));
    try {
      // a pg_ctl that says "not running"
      fs.writeFileSync(path.join(dir, 'pg_ctl'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
      const log = path.join(dir, 'recovery.log');
      const file = path.join(ROOT, 'roles/pg_pitr/files/pitr-recovery.sh');
      const cases: Array<[string, string]> = [
        ['LOG:  recovery stopping before commit of transaction 9\nFATAL:  recovery ended before configured recovery target was reached\n', 'not_reached'],
        ['LOG:  shutdown at recovery target\n', 'shutdown'],
        ['LOG:  requested recovery stop point is before consistent recovery point\n', 'before_backup'],
        ['LOG:  database system is shut down\n', 'down'],
        ['LOG:  nothing yet\n', 'timeout'],
      ];
      for (const [text, state] of cases) {
        fs.writeFileSync(log, text);
        const out = execFileSync('/bin/sh', ['-c', scriptCommand(file, ['wait', dir, `${dir}/data`, 5433, '/tmp', log, 0])], { encoding: 'utf8' });
        expect(out).toMatch(new RegExp(`^state=${state}$`, 'm'));
      }
      fs.writeFileSync(log, 'LOG:  recovery stopping before commit of transaction 9\nFATAL:  recovery ended before configured recovery target was reached\n');
      const out = execFileSync('/bin/sh', ['-c', scriptCommand(file, ['wait', dir, `${dir}/data`, 5433, '/tmp', log, 0])], { encoding: 'utf8' });
      expect(out).toMatch(/^stops=recovery stopping before commit of transaction 9;$/m);
      expect(out).toMatch(/^tail=FATAL:  recovery ended before configured recovery target was reached;$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pitr-recovery: refuses an unknown mode', () => {
    const r = spawnSync('/bin/sh', ['-c', scriptCommand(path.join(ROOT, 'roles/pg_pitr/files/pitr-recovery.sh'), ['nope', '/x', '/x', 1, '/x', '/x', 0])], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage/);
  });
});
