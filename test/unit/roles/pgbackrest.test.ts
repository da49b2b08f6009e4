import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Facts, HostCtx, PrepareContext, Vars } from '../../../src/api/types.js';
import { renderTemplate } from '../../../src/api/templating.js';
import { fileBeside } from '../../../src/api/playbook.js';
import { loadInventory, hostVars } from '../../../src/inventory/index.js';
import { defaults, type PgbackrestVars } from '../../../roles/pgbackrest/defaults.js';
import {
  asBool, checkEntry, clientRepoLines, markerLine, mismatchMessage, parseInfo, processMax, repoLines, repoStanzaLines, resolveRepo, stanzaState,
} from '../../../roles/pgbackrest/lib/repo.js';
import { preparePgbackrest } from '../../../roles/pgbackrest/prepare.js';
import { confVars } from '../../../roles/pgbackrest/tasks/common.js';

const INVENTORY = `
all:
  children:
    infra: { hosts: { 10.10.10.10: { infra_seq: 1 } } }
    etcd: { hosts: { 10.10.10.10: { etcd_seq: 1 } } }
    pg-meta:
      hosts: { 10.10.10.10: { pg_seq: 1, pg_role: primary } }
      vars: { pg_cluster: pg-meta }
    pg-test:
      hosts:
        10.10.10.12: { pg_seq: 2, pg_role: replica }
        10.10.10.11: { pg_seq: 1, pg_role: primary }
        10.10.10.13: { pg_seq: 3, pg_role: replica, pg_port: 5433 }
      vars: { pg_cluster: pg-test }
`;

function prepareCtx(extra: Vars = {}, targets?: string[], yaml = INVENTORY): PrepareContext {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgbr-'));
  const file = path.join(dir, 'inv.yml');
  fs.writeFileSync(file, yaml);
  const inv = loadInventory(file);
  const layers = { defaults: defaults as unknown as Vars, extra };
  return {
    inventory: inv,
    targets: targets ?? [...inv.hosts.keys()],
    vars: (h) => hostVars(inv, h, layers).vars,
    source: (h, key) => hostVars(inv, h, layers).sources[key],
  };
}

const facts = { cpu_count: 2 } as Facts;
function host(name: string, v: Partial<PgbackrestVars>, derived: Vars): HostCtx<PgbackrestVars> {
  const vars = { ...defaults, pg_cluster: 'pg-test', pg_instance: 'pg-test-1', pg_seq: 1, pg_role: 'primary', ...v, ...derived } as unknown as PgbackrestVars;
  return { name, vars, facts, reg: {}, check: false, playHosts: [name], inventory: { hosts: () => [], hostvars: () => ({}), groupNames: () => [] } };
}

const confTpl = fileBeside(import.meta.url, '../../../roles/pgbackrest/templates/pgbackrest.conf.hbs');
const repoTpl = fileBeside(import.meta.url, '../../../roles/pgbackrest/templates/repo.conf.hbs');

/** Sections of an ini text: { section: [lines] } (comments and blanks dropped). */
function ini(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let cur = '';
  for (const l of text.split('\n').map((x) => x.trim())) {
    if (!l || l.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(l);
    if (m) out[(cur = m[1])] = [];
    else (out[cur] ??= []).push(l);
  }
  return out;
}

describe('pgbackrest repositories', () => {
  it('resolves local, central (first infra host) and custom entries', () => {
    const local = resolveRepo('local', defaults.pgbackrest_repo, ['10.10.10.10'], ['10.10.10.10']);
    expect(local).toEqual({ name: 'local', entry: defaults.pgbackrest_repo.local });
    const central = resolveRepo('central', defaults.pgbackrest_repo, ['10.10.10.10'], ['10.10.10.10', '10.10.10.11']);
    expect(typeof central).toBe('object');
    expect((central as any).remote).toEqual({ host: '10.10.10.10', user: 'pgbackrest', config: '/etc/pgbackrest-repo/central.conf', logPath: '/var/log/pgbackrest-repo', lockPath: '/tmp/pgbackrest-repo' });
  });

  it('explains what cannot be resolved', () => {
    expect(resolveRepo('nope', defaults.pgbackrest_repo, [], [])).toMatch(/not an entry of pgbackrest_repo \(entries: local, central\)/);
    expect(resolveRepo('central', defaults.pgbackrest_repo, [], ['10.10.10.11'])).toMatch(/no infra group/);
    expect(resolveRepo('r', { r: { host: '10.9.9.9', path: '/x' } }, [], ['10.10.10.11'])).toMatch(/not a host of the inventory/);
    expect(resolveRepo('r', { r: { host: '10.10.10.11', host_type: 'tls', path: '/x' } }, [], ['10.10.10.11'])).toMatch(/only ssh/);
    expect(checkEntry('r', { path: '/x', cipher_type: 'aes-256-cbc' })).toEqual(['pgbackrest_repo.r: cipher_type aes-256-cbc needs cipher_pass']);
    expect(checkEntry('r', { 'retention-full': 2 })[0]).toMatch(/without the repo1- prefix, with _ for -/);
    expect(checkEntry('r', { host: '', path: 'relative' })[0]).toMatch(/absolute path on the repository host/);
    expect(checkEntry('r', { path: '/x', s3_key: ['a'] as unknown as string })[0]).toMatch(/string, number or boolean/);
  });

  it('writes repo1- options: _ becomes -, booleans y/n, ${pg_cluster} substituted', () => {
    expect(repoLines({ path: '/backup/${pg_cluster}', retention_full: 2, bundle: true, block: false }, 'pg-test')).toEqual([
      'repo1-path=/backup/pg-test',
      'repo1-retention-full=2',
      'repo1-bundle=y',
      'repo1-block=n',
    ]);
    const central = resolveRepo('central', defaults.pgbackrest_repo, ['10.10.10.10'], ['10.10.10.10']) as any;
    // instances only learn how to reach the repository host; the repository options live there
    expect(clientRepoLines(central, 'pg-test')).toEqual(['repo1-host=10.10.10.10', 'repo1-host-user=pgbackrest', 'repo1-host-config=/etc/pgbackrest-repo/central.conf']);
    expect(repoLines(central.entry, 'pg-test')).toEqual(['repo1-path=/data/pgbackrest', 'repo1-retention-full-type=count', 'repo1-retention-full=2', 'repo1-bundle=y']);
  });

  it('sizes parallelism like Pigsty', () => {
    expect(processMax(1)).toEqual({ backup: 2, restore: 1, archive: 2 });
    expect(processMax(2)).toEqual({ backup: 2, restore: 2, archive: 2 });
    expect(processMax(16)).toEqual({ backup: 4, restore: 8, archive: 4 });
    expect(processMax(64)).toEqual({ backup: 4, restore: 8, archive: 4 });
  });

  it('reads k=v booleans', () => {
    expect([true, 'true', 'yes', 'y', 'on', '1', 1].map(asBool)).toEqual([true, true, true, true, true, true, true]);
    expect([false, 'false', 'no', 'n', 'off', '0', undefined, ''].map(asBool).some(Boolean)).toBe(false);
  });
});

describe('pgbackrest.conf', () => {
  it('renders the stanza, archive-async with the spool, and the local repository', () => {
    const h = host('10.10.10.11', {}, { pgbackrest_repo_resolved: resolveRepo('local', defaults.pgbackrest_repo, [], []) });
    const conf = ini(renderTemplate(confTpl, confVars(h)));
    expect(Object.keys(conf)).toEqual(['pg-test', 'global', 'global:backup', 'global:restore', 'global:archive-get', 'global:archive-push']);
    expect(conf['pg-test']).toEqual(['pg1-path=/pg/data', 'pg1-port=5432', 'pg1-socket-path=/var/run/postgresql']);
    expect(conf.global).toEqual(expect.arrayContaining([
      'archive-async=y', 'spool-path=/pg/spool', 'archive-push-queue-max=4GiB', 'annotation=pg_cluster=pg-test', 'expire-auto=y', 'start-fast=y',
      'compress-type=zst', 'log-path=/pg/log/pgbackrest', 'repo1-path=/pg/backup', 'repo1-retention-full-type=count', 'repo1-retention-full=2', 'delta=y',
    ]));
    expect(conf.global.filter((l) => l.startsWith('repo1-'))).toHaveLength(3);
    expect(conf['global:restore']).toEqual(['process-max=2']);
  });

  it('renders an encrypted s3 repository with every option', () => {
    const s3 = {
      type: 's3', s3_endpoint: 'minio.example', s3_bucket: 'pgsql', s3_key: 'k', s3_key_secret: 'S3.Secret', s3_uri_style: 'path', s3_region: 'us-east-1',
      storage_port: 9000, storage_ca_file: '/etc/pki/ca.crt', path: '/pgbackrest', block: 'y', bundle: 'y', bundle_limit: '20MiB', bundle_size: '128MiB',
      cipher_type: 'aes-256-cbc', cipher_pass: 'Cipher.Pass', retention_full_type: 'time', retention_full: 14,
    };
    const h = host('10.10.10.11', {}, { pgbackrest_repo_resolved: resolveRepo('s3', { s3 }, [], []) });
    const global = ini(renderTemplate(confTpl, confVars(h))).global;
    expect(global).toEqual(expect.arrayContaining([
      'repo1-type=s3', 'repo1-s3-endpoint=minio.example', 'repo1-s3-bucket=pgsql', 'repo1-s3-key=k', 'repo1-s3-key-secret=S3.Secret', 'repo1-s3-uri-style=path',
      'repo1-s3-region=us-east-1', 'repo1-storage-port=9000', 'repo1-storage-ca-file=/etc/pki/ca.crt', 'repo1-path=/pgbackrest', 'repo1-block=y', 'repo1-bundle=y',
      'repo1-bundle-limit=20MiB', 'repo1-bundle-size=128MiB', 'repo1-cipher-type=aes-256-cbc', 'repo1-cipher-pass=Cipher.Pass', 'repo1-retention-full-type=time', 'repo1-retention-full=14',
    ]));
  });

  it('points an instance at the repository host, and renders the repository host config with every cluster', () => {
    const ctx = prepareCtx({ pgbackrest_method: 'central' });
    const r = preparePgbackrest(ctx);
    expect(r.errors).toEqual([]);
    const d = r.derived!['10.10.10.12'];
    const h = host('10.10.10.12', { pg_role: 'replica' }, d);
    const conf = ini(renderTemplate(confTpl, confVars(h)));
    expect(conf.global.filter((l) => l.startsWith('repo1-'))).toEqual(['repo1-host=10.10.10.10', 'repo1-host-user=pgbackrest', 'repo1-host-config=/etc/pgbackrest-repo/central.conf']);
    const stanzas = d.pgbackrest_repo_stanzas as { name: string; hosts: any[] }[];
    expect(stanzas.map((s) => s.name)).toEqual(['pg-meta', 'pg-test']);
    const repo = ini(renderTemplate(repoTpl, { method: 'central', remote: (d.pgbackrest_repo_resolved as any).remote, repo_lines: ['repo1-path=/data/pgbackrest'], stanzas: stanzas.map((s) => ({ name: s.name, lines: repoStanzaLines(s.hosts) })), pm: processMax(2) }));
    expect(repo.global).toEqual(expect.arrayContaining(['repo1-path=/data/pgbackrest', 'log-path=/var/log/pgbackrest-repo', 'lock-path=/tmp/pgbackrest-repo']));
    // pg1 is the primary, then the replicas in address order; each with its own port
    expect(repo['pg-test']).toEqual([
      'pg1-host=10.10.10.11', 'pg1-host-user=postgres', 'pg1-path=/pg/data', 'pg1-port=5432', 'pg1-socket-path=/var/run/postgresql',
      'pg2-host=10.10.10.12', 'pg2-host-user=postgres', 'pg2-path=/pg/data', 'pg2-port=5432', 'pg2-socket-path=/var/run/postgresql',
      'pg3-host=10.10.10.13', 'pg3-host-user=postgres', 'pg3-path=/pg/data', 'pg3-port=5433', 'pg3-socket-path=/var/run/postgresql',
    ]);
    expect(repo['pg-meta'][0]).toBe('pg1-host=10.10.10.10');
  });
});

describe('pgbackrest prepare', () => {
  it('rejects an unknown method and a bad entry before any host is touched, naming the source', () => {
    const r = preparePgbackrest(prepareCtx({ pgbackrest_method: 'nas' }, ['10.10.10.11']));
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: 'pgbackrest_method', message: expect.stringMatching(/'nas' is not an entry of pgbackrest_repo/) });
    const bad = preparePgbackrest(prepareCtx({ pgbackrest_repo: { local: { path: '/x', cipher_type: 'aes-256-cbc' } } }, ['10.10.10.11']));
    expect(bad.errors![0].message).toMatch(/needs cipher_pass/);
  });

  it('skips clusters with pgbackrest_enabled false', () => {
    expect(preparePgbackrest(prepareCtx({ pgbackrest_enabled: 'false', pgbackrest_method: 'nas' })).errors).toEqual([]);
  });

  it('refuses two clusters describing one repository differently', () => {
    const yaml = INVENTORY.replace('vars: { pg_cluster: pg-test }', 'vars: { pg_cluster: pg-test, pgbackrest_method: central, pgbackrest_repo: { central: { host: "", path: /data/pgbackrest, retention_full: 9 } } }')
      .replace('vars: { pg_cluster: pg-meta }', 'vars: { pg_cluster: pg-meta, pgbackrest_method: central }');
    const r = preparePgbackrest(prepareCtx({}, undefined, yaml));
    expect(r.errors!.map((e) => e.message).join('\n')).toMatch(/differs from the one 10\.10\.10\.10 uses, but both are the repository \/etc\/pgbackrest-repo\/central\.conf on 10\.10\.10\.10/);
  });
});

// `pgbackrest --output=json info` as 2.45 prints it (trimmed)
const INFO = (code: number, msg: string, sysid = '7301234567890123457', extra = '') => `[{"archive":[],"backup":[
  {"database":{"id":1,"repo-key":1},"label":"20250101-010000F","type":"full"},
  {"database":{"id":2,"repo-key":1},"label":"20250102-010000F","type":"full"},
  {"database":{"id":2,"repo-key":1},"label":"20250102-010000F_20250102-020000I","type":"incr"}${extra}],
  "cipher":"none","db":[{"id":1,"repo-key":1,"system-id":7209876543210987654,"version":"15"},{"id":2,"repo-key":1,"system-id":${sysid},"version":"15"}],
  "name":"pg-test","repo":[{"cipher":"none","key":1,"status":{"code":0,"message":"ok"}}],"status":{"code":${code},"lock":{"backup":{"held":false}},"message":"${msg}"}}]`;

describe('stanza state', () => {
  it('keeps 64-bit system identifiers exact', () => {
    expect(parseInfo(INFO(0, 'ok'))[0].db![1]['system-id']).toBe('7301234567890123457');
    expect(JSON.parse(INFO(0, 'ok'))[0].db[1]['system-id']).not.toBe(7301234567890123457n.toString()); // what plain JSON.parse would lose
  });
  it('ok: counts the backups of the current database system only', () => {
    expect(stanzaState(INFO(0, 'ok'), 'pg-test', '7301234567890123457', '15')).toEqual({ state: 'ok', systemId: '7301234567890123457', version: '15', backups: 2 });
    expect(stanzaState(INFO(2, 'no valid backups'), 'pg-test', '7301234567890123457', '15').state).toBe('ok');
  });
  it('missing: no stanza path or no stanza data', () => {
    const missing = '[{"archive":[],"backup":[],"cipher":"none","db":[],"name":"pg-test","repo":[{"cipher":"none","key":1,"status":{"code":1,"message":"missing stanza path"}}],"status":{"code":1,"lock":{"backup":{"held":false}},"message":"missing stanza path"}}]';
    expect(stanzaState(missing, 'pg-test', '1', '15')).toEqual({ state: 'missing', message: 'missing stanza path' });
    expect(stanzaState(INFO(3, 'missing stanza data'), 'pg-test', '1', '15').state).toBe('missing');
    expect(stanzaState('[]', 'pg-test', '1', '15').state).toBe('missing');
  });
  it('mismatch: another system (restored from another cluster, re-created) or another major version', () => {
    const st = stanzaState(INFO(0, 'ok'), 'pg-test', '7301234567890123458', '15');
    expect(st).toEqual({ state: 'mismatch', repoSystemId: '7301234567890123457', repoVersion: '15', systemId: '7301234567890123458', version: '15' });
    expect(stanzaState(INFO(0, 'ok'), 'pg-test', '7301234567890123457', '16').state).toBe('mismatch');
    const msg = mismatchMessage({ stanza: 'pg-test', method: 'local', where: '/pg/backup on 10.10.10.11', host: '10.10.10.11', dbsu: 'postgres', cluster: 'pg-test', st: st as any });
    expect(msg).toMatch(/repository system-id 7301234567890123457 \(PostgreSQL 15\), this instance 7301234567890123458/);
    expect(msg).toMatch(/on 10\.10\.10\.11 as postgres: pb stanza-upgrade/);
    expect(msg).toMatch(/\.\/run pgsql-rm -l pg-test -t pg_backup .*then \.\/run pgsql -l pg-test -t pg_backup/);
  });
  it('error: anything else, or unreadable output', () => {
    expect(stanzaState(INFO(99, 'other'), 'pg-test', '1', '15')).toEqual({ state: 'error', message: 'stanza pg-test: other (code 99)' });
    expect(stanzaState('ERROR: [039]: HostConnectError', 'pg-test', '1', '15').state).toBe('error');
  });
  it('marks the initial backup per stanza, repository and system', () => {
    expect(markerLine('pg-test', 'central', '730')).toBe('stanza=pg-test repo=central system-id=730');
  });
});
