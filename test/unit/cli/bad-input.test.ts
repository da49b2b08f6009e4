/**
 * The corpus of bad input, through the command line (src/cli/main.ts from the sources, as ./run
 * runs its compiled twin): exit code, one short message naming file and path, no stack trace, and
 * no host contacted (each inventory points its hosts at a TCP listener that counts connections).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TSX = path.resolve('node_modules/.bin/tsx');
const MAIN = path.resolve('src/cli/main.ts');
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

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // HOME and ANSIBLE_CONFIG pinned: no ~/.ansible.cfg of the machine running the tests
    const e = { PATH: process.env.PATH ?? '', HOME: dir, ANSIBLE_CONFIG: '', ...env };
    execFile(TSX, [MAIN, ...args], { cwd: dir, timeout: 60_000, env: e }, (err, stdout, stderr) => {
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

// each case starts the CLI under tsx (about 1 s, several under a loaded machine), some cases several times
describe.concurrent('./run with bad input', { timeout: 120_000 }, () => {
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
    expectCleanError(await run(['nosuchplaybook', '-i', f]), 4, /no playbook 'nosuchplaybook'/);
    expectCleanError(await run(['ping', '-i', f, '-f', '0']), 5, /--forks must be a positive integer/);
    expectCleanError(await run(['ping', '-i', f, '-l', 'nomatch']), 4, /matches no host/);
  });

  it('lists hosts without contacting them', async () => {
    const f = inventory('list.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }\n        10.10.10.12: { pg_seq: 2, pg_role: replica }'));
    const r = await run(['ping', '-i', f, '-l', 'pg-test[1]', '--list-hosts']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('10.10.10.12');
    expect(connections).toBe(0);
  });

  it('refuses an unknown --tags or --skip-tags value, listing the known tags', async () => {
    const f = inventory('tags.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }'));
    expectCleanError(await run(['pgsql', '-i', f, '-t', 'pg_hbaa']), 4, /--tags 'pg_hbaa': no such tag in playbook pgsql/, /Known tags: .*pg_hba,/);
    expectCleanError(await run(['pgsql', '-i', f, '--skip-tags', 'pg_hba,pg_nope']), 4, /--skip-tags 'pg_nope'/);
    expectCleanError(await run(['pgsql', '-i', f, '-t', 'pg_nope', '--list-tasks']), 4, /--tags 'pg_nope'/);
    const ok = await run(['pgsql', '-i', f, '-t', 'all,tagged,untagged', '--skip-tags', 'never,always', '--list-hosts']);
    expect(ok.code).toBe(0);
  });

  it('refuses a duplicate YAML key with its line', async () => {
    const f = inventory('dupkey.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary, pg_role: replica }'));
    expectCleanError(await run(['pgsql', '-i', f]), 4, /dupkey\.yml:line 6: duplicate key 'pg_role'/);
  });

  it('refuses an IPv4 address out of range', async () => {
    const f = inventory('vip.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }', 'pg_cluster: pg-test, pg_vip_enabled: true, pg_vip_address: 10.10.10.433/24, pg_vip_interface: eth0'));
    expectCleanError(await run(['pgsql', '-i', f]), 4, 'vip.yml', 'all.children.pg-test.vars.pg_vip_address', /octets 0 to 255/);
  });

  it('refuses a pg_pitr time in the future before stopping anything', async () => {
    const f = inventory('pitr.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }'));
    const r = await run(['pgsql-pitr', '-i', f, '-l', 'pg-test', '-e', '{"pg_pitr": {"time": "2999-01-01 00:00:00+00"}}']);
    expectCleanError(r, 4, /pg_pitr\.time: '2999-01-01 00:00:00\+00' is in the future/, /extra vars|-e/);
  });

  it('refuses pgsql-rm on a cluster with pg_safeguard at planning', async () => {
    const f = inventory('guard.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }', 'pg_cluster: pg-test, pg_safeguard: true'));
    expectCleanError(await run(['pgsql-rm', '-i', f, '-l', 'pg-test']), 4, 'guard.yml', 'all.children.pg-test.vars.pg_safeguard', /pg_safeguard is set for cluster pg-test/);
  });

  it('refuses a missing inventory with exit 4', async () => {
    expectCleanError(await run(['ping', '-i', path.join(dir, 'nowhere.yml')]), 4, /inventory .*nowhere\.yml does not exist/);
  });

  it('names an unclosed INI section header', async () => {
    const f = inventory('bad.ini', '[pg-test\n10.10.10.11 ansible_port=PORT\n');
    expectCleanError(await run(['ping', '-i', f]), 4, /bad\.ini:line 1: unclosed section header '\[pg-test'/);
  });

  it('refuses a bad ansible.cfg value with file and line, and a bad ANSIBLE_* value', async () => {
    const f = inventory('cfg.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }'));
    const cfg = path.join(dir, 'cfgdir');
    fs.mkdirSync(cfg, { recursive: true });
    fs.writeFileSync(path.join(cfg, 'ansible.cfg'), '[defaults]\nforks = 4\n[privilege_escalation]\nbecome = perhaps\n');
    expectCleanError(await run(['ping', '-i', f], { ANSIBLE_CONFIG: cfg }), 4, /cfgdir\/ansible\.cfg:line 4: \[privilege_escalation\] become = "perhaps": must be a boolean/);
    expectCleanError(await run(['ping', '-i', f], { ANSIBLE_TIMEOUT: 'soon' }), 4, /ANSIBLE_TIMEOUT="soon": must be a positive integer/);
  });

  it('refuses -k and -K without a terminal', async () => {
    const f = inventory('ask.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }'));
    expectCleanError(await run(['ping', '-i', f, '-k']), 4, /-k\/--ask-pass needs a terminal/);
    expectCleanError(await run(['ping', '-i', f, '-K']), 4, /-K\/--ask-become-pass needs a terminal/);
  });

  it('--syntax-check checks everything and contacts no host', async () => {
    const good = inventory('syn.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: primary }'));
    const r = await run(['pgsql', '-i', good, '--syntax-check']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('playbook: pgsql');
    const bad = inventory('synbad.yml', cluster('        10.10.10.11: { pg_seq: 1, pg_role: master }'));
    expectCleanError(await run(['pgsql', '-i', bad, '--syntax-check']), 4, 'all.children.pg-test.hosts.10.10.10.11.pg_role');
    expect(connections).toBe(0);
  });
});
