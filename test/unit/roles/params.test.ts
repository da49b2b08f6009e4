/**
 * Parameters are declared once (the role's interface); the schema is checked against it by the
 * compiler (paramSchema), the defaults by their type, and here: a misspelled parameter does not
 * compile, every role's defaults pass its own schema, path parameters must be absolute paths, and
 * every play's roles agree on their defaults.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/api/types.js';
import { playDefaults } from '../../../src/runner/plan.js';
import { etcd } from '../../../roles/etcd/index.js';
import { infra } from '../../../roles/infra/index.js';
import { node } from '../../../roles/node/index.js';
import { nodeId } from '../../../roles/node_id/index.js';
import { nodeMonitor } from '../../../roles/node_monitor/index.js';
import { pgId } from '../../../roles/pg_id/index.js';
import { pgMonitor } from '../../../roles/pg_monitor/index.js';
import { pgPitr } from '../../../roles/pg_pitr/index.js';
import { pgRemove } from '../../../roles/pg_remove/index.js';
import { pgService } from '../../../roles/pg_service/index.js';
import { pgVip } from '../../../roles/pg_vip/index.js';
import { pgbackrest } from '../../../roles/pgbackrest/index.js';
import { pgbouncer } from '../../../roles/pgbouncer/index.js';
import { pgpool } from '../../../roles/pgpool/index.js';
import { pgsql } from '../../../roles/pgsql/index.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ROLES: Role[] = [etcd, infra, node, nodeId, nodeMonitor, pgId, pgMonitor, pgPitr, pgRemove, pgService, pgVip, pgbackrest, pgbouncer, pgpool, pgsql];

/** Type-checks one file inside the project (so its imports resolve) with the project's options. */
function typecheck(name: string, text: string): { ok: boolean; out: string } {
  // beside the project's folders (its imports resolve), outside tsconfig's include (a `tsc -p .` meanwhile does not see it)
  const dir = fs.mkdtempSync(path.join(ROOT, '.typecheck-'));
  const file = path.join(dir, `${name}.ts`);
  const cfg = path.join(dir, 'tsconfig.json');
  try {
    fs.writeFileSync(file, text);
    fs.writeFileSync(cfg, JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), include: [file], compilerOptions: { noEmit: true } }));
    execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', cfg], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, out: '' };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const snippet = (param: string) => `
import { task } from '../src/api/playbook.js';
import { file } from '../src/operations/index.js';
import type { PgsqlVars } from '../roles/pgsql/defaults.js';
export const t = task<PgsqlVars>('data dir', { do: (h) => file({ path: h.vars.${param}, state: 'directory' }) });
`;

describe('exact parameter types', () => {
  it('a misspelled parameter in a role is a compile error; the right spelling compiles', { timeout: 120_000 }, () => {
    const bad = typecheck('misspelled', snippet('pg_daat'));
    expect(bad.ok).toBe(false);
    expect(bad.out).toMatch(/misspelled\.ts.*error TS2551: Property 'pg_daat' does not exist on type 'PgsqlVars'.*Did you mean 'pg_data'/s);
    const good = typecheck('spelled', snippet('pg_data'));
    expect(good.out).toBe('');
    expect(good.ok).toBe(true);
  });

  it('a schema that does not fit its declaration is a compile error', { timeout: 120_000 }, () => {
    const r = typecheck(
      'schema',
      [
        "import { paramSchema } from '../src/api/params.js';",
        "interface P { a_port: number; a_mode: 'x' | 'y' }",
        "export const ok = paramSchema<P>({ a_port: { type: 'integer' }, a_mode: { enum: ['x', 'y'] } });",
        "export const wrongType = paramSchema<P>({ a_port: { type: 'string' }, a_mode: { enum: ['x'] } });",
        "export const wrongEnum = paramSchema<P>({ a_port: { type: 'integer' }, a_mode: { enum: ['x', 'z'] } });",
        "export const missing = paramSchema<P>({ a_port: { type: 'integer' } });",
        "export const unknown = paramSchema<P>({ a_port: { type: 'integer' }, a_mode: { enum: ['x'] }, a_mdoe: { type: 'string' } });",
      ].join('\n'),
    );
    expect(r.ok).toBe(false);
    const lines = new Set([...r.out.matchAll(/schema\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])));
    expect([...lines].sort()).toEqual([4, 5, 6, 7]);
    expect(r.out).toMatch(/a_mode.*is missing/);
    expect(r.out).toMatch(/a_mdoe/);
  });
});

describe('schemas and defaults', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });

  it.each(ROLES.map((r) => [r.name, r] as const))('%s: its defaults pass its schema', (_name, role) => {
    expect(role.schema).toBeDefined();
    const validate = ajv.compile(role.schema as object);
    expect(validate(role.defaults), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(ROLES.map((r) => [r.name, r] as const))('%s: every path parameter must be an absolute path', (_name, role) => {
    const props = (role.schema as { properties: Record<string, object> }).properties;
    const paths = Object.keys(props).filter((k) => !k.startsWith('pg_rm_') && /(_dir|_data|_home|_path|^pg_fs_\w+|^pg_localhost|^pg_namespace)$/.test(k));
    for (const k of paths) {
      const v = ajv.compile({ type: 'object', properties: { [k]: props[k] } });
      for (const bad of ['relative/dir', '/pg/../etc', '/a b', "/it's", '/x"y', '/$(id)', '/a\nb', '/back\\slash', '/`id`']) {
        expect(v({ [k]: bad }), `${role.name}.${k} accepted ${JSON.stringify(bad)}`).toBe(false);
      }
      expect(v({ [k]: '/data/x-1/pg_15.d' }), `${role.name}.${k}`).toBe(true);
    }
  });

  it('the roles of every play agree on the defaults they share (each taken from the owner)', async () => {
    for (const f of fs.readdirSync(path.join(ROOT, 'playbooks')).filter((x) => x.endsWith('.ts'))) {
      const pb = (await import(path.join(ROOT, 'playbooks', f))).default as { plays: Parameters<typeof playDefaults>[0][] };
      for (const play of pb.plays) expect(() => playDefaults(play)).not.toThrow();
    }
  });
});
