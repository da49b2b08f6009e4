/**
 * Parity with real Ansible: test/fixtures/ansible-list-hosts.json was produced by
 * test/fixtures/make-ansible-golden.sh with ansible-core (Debian bookworm). For every Pigsty
 * inventory in ../shared/pigsty-conf and a few synthetic ones, it holds what
 *   ansible all -i FILE -l PATTERN --list-hosts   (limit mode) and
 *   ansible PATTERN -i FILE --list-hosts          (pattern mode)
 * printed (hosts in order, "Could not match" warnings, errors), and hashes of the host variables
 * `ansible-inventory --list` reports. pgplay must select the same hosts in the same order.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/api/errors.js';
import { hostVars, loadInventory, selectHosts, type Inventory } from '../../../src/inventory/index.js';

interface Case {
  h: string[];
  u: string[];
  e?: string;
}
interface HostvarsGolden {
  common: Record<string, string>;
  per_host: Record<string, Record<string, string>>;
}
interface Golden {
  ansible: string;
  synthetic: Record<string, string>;
  limit_files: Record<string, string>;
  cases: Record<string, Record<'limit' | 'pattern', Record<string, Case>>>;
  hostvars: Record<string, HostvarsGolden>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CONF = path.resolve(ROOT, '../shared/pigsty-conf');
const golden: Golden = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/ansible-list-hosts.json'), 'utf8'));
const hasConf = fs.existsSync(CONF);

// Synthetic inventories and @limit files, written where the patterns expect them.
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-parity-'));
for (const [name, text] of Object.entries({ ...golden.synthetic, ...golden.limit_files })) fs.writeFileSync(path.join(WORK, name), text);

function fileOf(key: string): string {
  return key.startsWith('synthetic/') ? path.join(WORK, key.slice('synthetic/'.length)) : path.join(CONF, key);
}

const NO_HOSTS = 'Specified inventory, host pattern and/or --limit leaves us with no hosts to target.';

/** Differences between pgplay and Ansible for one inventory, one line each. */
function compareSelections(inv: Inventory, key: string): string[] {
  const diffs: string[] = [];
  for (const [mode, cases] of Object.entries(golden.cases[key])) {
    for (const [pattern, want] of Object.entries(cases)) {
      const label = `${mode} '${pattern}'`;
      let got: { hosts: string[]; unmatched: string[] } | undefined;
      let err: string | undefined;
      try {
        got = mode === 'limit' ? selectHosts(inv, 'all', { limit: pattern, cwd: WORK }) : selectHosts(inv, pattern, { cwd: WORK });
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        err = e.message;
      }
      if (want.e && want.e !== NO_HOSTS) {
        if (err !== want.e) diffs.push(`${label}: Ansible fails with "${want.e}", pgplay ${err ? `fails with "${err}"` : `selects ${JSON.stringify(got!.hosts)}`}`);
        continue;
      }
      if (err) {
        // `ansible PATTERN --list-hosts` (no -l) turns errors into "No hosts matched, nothing to do";
        // the limit-mode run of the same pattern shows the error Ansible raised.
        const swallowed = mode === 'pattern' && !want.h.length && golden.cases[key].limit[pattern]?.e === err;
        if (!swallowed) diffs.push(`${label}: pgplay fails with "${err}", Ansible selects ${JSON.stringify(want.h)}`);
        continue;
      }
      if (JSON.stringify(got!.hosts) !== JSON.stringify(want.h)) diffs.push(`${label}: hosts ${JSON.stringify(got!.hosts)}, Ansible ${JSON.stringify(want.h)}`);
      if (JSON.stringify(got!.unmatched) !== JSON.stringify(want.u)) diffs.push(`${label}: unmatched ${JSON.stringify(got!.unmatched)}, Ansible warns about ${JSON.stringify(want.u)}`);
      if (want.e === NO_HOSTS && got!.hosts.length) diffs.push(`${label}: Ansible finds no hosts`);
    }
  }
  return diffs;
}

/** Canonical JSON as the generator writes it (sorted keys, no spaces), hashed. */
function digest(v: unknown): string {
  const canon = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.map(canon).join(',')}]`;
    if (x && typeof x === 'object') {
      const keys = Object.keys(x).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canon((x as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    return JSON.stringify(x);
  };
  return crypto.createHash('sha1').update(canon(v)).digest('hex').slice(0, 10);
}

function compareHostvars(inv: Inventory, key: string): string[] {
  const want = golden.hostvars[key];
  const diffs: string[] = [];
  for (const host of inv.hosts.keys()) {
    const expected = want.per_host[host] ? { ...want.common, ...want.per_host[host] } : {};
    const vars = hostVars(inv, host).vars;
    const got = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, digest(v)]));
    for (const k of new Set([...Object.keys(expected), ...Object.keys(got)])) {
      if (expected[k] !== got[k]) {
        diffs.push(`${host}.${k}: ${k in got ? `pgplay ${JSON.stringify(vars[k]).slice(0, 60)}` : 'missing in pgplay'}${k in expected ? '' : ' (Ansible has no such var)'}`);
      }
    }
  }
  const ansibleHosts = Object.keys(want.per_host).filter((h) => !inv.hosts.has(h));
  if (ansibleHosts.length) diffs.push(`hosts only Ansible has: ${ansibleHosts.join(', ')}`);
  return diffs;
}

function parity(key: string): void {
  const inv = loadInventory(fileOf(key));
  expect(compareSelections(inv, key)).toEqual([]);
  expect(compareHostvars(inv, key)).toEqual([]);
}

const pigstyKeys = Object.keys(golden.cases).filter((k) => !k.startsWith('synthetic/'));
const syntheticKeys = Object.keys(golden.cases).filter((k) => k.startsWith('synthetic/'));

describe(`parity with ${golden.ansible}: synthetic inventories`, () => {
  for (const key of syntheticKeys) it(key, () => parity(key));
});

describe.skipIf(!hasConf)(`parity with ${golden.ansible}: Pigsty inventories${hasConf ? '' : ' (SKIPPED: ../shared/pigsty-conf not found next to the repository)'}`, () => {
  it('every Pigsty inventory is in the fixture and loads without error', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name.endsWith('.yml')) files.push(path.relative(CONF, path.join(dir, e.name)));
      }
    };
    walk(CONF);
    expect(files.sort()).toEqual([...pigstyKeys].sort());
    for (const f of files) expect(() => loadInventory(path.join(CONF, f)), f).not.toThrow();
  });

  for (const key of pigstyKeys) it(key, () => parity(key));
});
