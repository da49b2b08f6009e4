/**
 * Bad input through the real ./run: exit code, one short message naming file and path, no stack
 * trace, and no host contacted (each inventory points its hosts at a TCP listener that counts).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RUN = path.resolve('run');
let server: net.Server;
let port = 0;
let connections = 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-cli-'));

beforeAll(async () => {
  server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function inventory(name: string, body: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, body.replaceAll('PORT', String(port)));
  return f;
}

const cluster = (hosts: string, vars = 'pg_cluster: pg-test') => `all:
  vars: { ansible_host: 127.0.0.1, ansible_port: PORT }
  children:
    pg-test:
      hosts:
${hosts}
      vars: { ${vars} }
`;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(RUN, args, { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0, stdout, stderr });
    });
  });
}

function expectCleanError(r: { code: number; stderr: string }, code: number, ...needles: (string | RegExp)[]) {
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(/^ERROR! /);
  expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/); // no stack trace
  for (const n of needles) expect(r.stderr).toMatch(n);
  expect(connections).toBe(0);
}

describe('./run with bad input', () => {
  it('rejects an unknown pg_role naming file, line, path and the allowed values', async () => {
    const f = inventory('role.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: master }'));
    const r = await run(['pgsql', '-i', f, '-l', 'pg-test']);
    expectCleanError(r, 4, 'role.yml:', 'all.children.pg-test.hosts.10.10.10.11.pg_role', /primary, replica, offline, standby, delayed/);
  });

  it('rejects a wrong type', async () => {
    const f = inventory('type.yml', cluster('        10.10.10.11: { pg_seq: one, pg_role: primary }'));
    const r = await run(['pgsql', '-i', f, '-l', 'pg-test']);
    expectCleanError(r, 4, 'all.children.pg-test.hosts.10.10.10.11.pg_seq', /integer/);
  });

  it('rejects two primaries', async () => {
    const f = inventory('two.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }\n        10.10.10.12: { pg_seq: 2, pg_role: primary }'));
    expectCleanError(await run(['pgsql', '-i', f, '-l', 'pg-test']), 4, /2 primaries/);
  });

  it('rejects a duplicate pg_seq', async () => {
    const f = inventory('dup.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }\n        10.10.10.12: { pg_seq: 1, pg_role: replica }'));
    expectCleanError(await run(['pgsql', '-i', f, '-l', 'pg-test']), 4, 'all.children.pg-test.hosts.10.10.10.12.pg_seq', /unique/);
  });

  it('rejects a cluster without a primary', async () => {
    const f = inventory('none.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: replica }'));
    const r = await run(['pgsql', '-i', f, '-l', 'pg-test']);
    expectCleanError(r, 4, /primary/i);
  });

  it('rejects a bad cluster name', async () => {
    const f = inventory('name.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }', 'pg_cluster: "pg test"'));
    const r = await run(['pgsql', '-i', f, '-l', 'pg-test']);
    expectCleanError(r, 4, 'all.children.pg-test.vars.pg_cluster');
  });

  it('rejects broken YAML with its line', async () => {
    const f = inventory('broken.yml', 'all:\n  children:\n    pg-test: [\n');
    const r = await run(['ping', '-i', f]);
    expectCleanError(r, 4, 'broken.yml', /YAML/);
  });

  it('rejects bad extra vars and bad options', async () => {
    const f = inventory('ok.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }'));
    expectCleanError(await run(['ping', '-i', f, '-e', '{pg_pitr: [']), 4, /-e|extra/i);
    expectCleanError(await run(['ping', '-i', f, '--bogus']), 5, /--bogus/);
    expectCleanError(await run(['nosuchplaybook', '-i', f]), 5, /no playbook 'nosuchplaybook'/);
    expectCleanError(await run(['ping', '-i', f, '-l', 'nomatch']), 4, /matches no host/);
  });

  it('lists hosts without contacting them', async () => {
    const f = inventory('list.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }\n        10.10.10.12: { pg_seq: 2, pg_role: replica }'));
    const r = await run(['ping', '-i', f, '-l', 'pg-test[1]', '--list-hosts']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('10.10.10.12');
    expect(connections).toBe(0);
  });
});
