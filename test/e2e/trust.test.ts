/**
 * SSH trust on the sandbox (the instance PGPLAY_SANDBOX selects), with harmless ping-like plays and
 * temporary inventories, known_hosts and ssh_config files under os.tmpdir():
 *  - a wrong key for node-2 in a known_hosts file: node-2 is refused (the presented key's SHA256
 *    fingerprint, the file and line in the message; no authentication reaches its sshd), exit 2,
 *    node-1 and node-3 go on;
 *  - an unknown host is refused; with accept-new it is accepted and its key recorded (ssh-keygen -F
 *    finds it), then strict checking accepts it;
 *  - node-2 reached through meta with ProxyJump from an ssh_config file: $SSH_CONNECTION on node-2
 *    shows meta's address as the source; an unknown jump host is refused.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/connectors/known-hosts.js';
import { HOSTS, PATHS } from '../../src/sandbox/config.js';
import { failures, ROOT, runPlay, type RunResult } from './lib/run.js';
import { sshTo } from './lib/ssh.js';

const { ok } = sshTo(PATHS.sshConfig);
const ip = (name: string) => HOSTS.find((h) => h.name === name)!.ip;
const [META, N1, N2, N3] = ['meta', 'node-1', 'node-2', 'node-3'].map(ip);

let tmp: string;
/** The sandbox's real known_hosts lines ("names type base64"). */
let realLines: string[];

/** node's real key of `type` as a blob, from the sandbox's known_hosts. */
function realKey(name: string, type = 'ssh-ed25519'): Buffer {
  const line = realLines.find((l) => l.split(' ')[0].split(',').includes(ip(name)) && l.split(' ')[1] === type);
  expect(line, `${name} ${type} in ${PATHS.knownHosts}`).toBeDefined();
  return Buffer.from(line!.split(' ')[2], 'base64');
}

/** A temporary YAML inventory of `hosts` with the sandbox key and `vars`. */
function inventory(name: string, hosts: string[], vars: Record<string, unknown>): string {
  const file = path.join(tmp, `${name}.yml`);
  const all = { hosts: Object.fromEntries(hosts.map((h) => [h, {}])), vars: { ansible_user: 'root', ansible_ssh_private_key_file: PATHS.key, ...vars } };
  fs.writeFileSync(file, JSON.stringify({ all })); // JSON is YAML
  return file;
}

const ping = (inv: string, log: string) => runPlay(['ping'], { inventory: inv, timeoutMs: 5 * 60_000, log });
const hostResult = (r: RunResult, host: string, status: string) => r.events.find((e) => e.event === 'host_result' && e.host === host && e.status === status);
const recap = (r: RunResult, host: string) => r.recap?.hosts?.[host] as { ok: number; unreachable: number; failed: number } | undefined;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-e2e-trust-'));
  realLines = fs.readFileSync(PATHS.knownHosts, 'utf8').split('\n').filter(Boolean);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('host keys', () => {
  it('a wrong key is refused before any authentication, with the fingerprint; exit 2, the other hosts go on', async () => {
    const fake = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(tmp, 'fake')]);
    expect(fake.status).toBe(0);
    const fakeKey = fs.readFileSync(path.join(tmp, 'fake.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const kh = path.join(tmp, 'wrong_known_hosts');
    // node-2 known only by a key that is not its own; the others by their real keys
    const lines = realLines.filter((l) => !l.split(' ')[0].split(',').includes(N2));
    fs.writeFileSync(kh, [...lines, `node-2,${N2} ${fakeKey}`].join('\n') + '\n');
    // the time on node-2 and the source port of this login (its own 'Accepted' line is not the engine's)
    const [since, before] = (await ok('node-2', 'echo "$(date +%s) $(echo "$SSH_CONNECTION" | cut -d" " -f2)"')).trim().split(' ');
    const r = await ping(inventory('wrong', [N1, N2, N3], { ansible_ssh_common_args: `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes` }), 'trust-wrong');
    expect(r.code, failures(r)).toBe(2);
    const refused = hostResult(r, N2, 'unreachable');
    expect(refused, failures(r)).toBeDefined();
    expect(refused!.msg).toContain('HOST KEY CHANGED');
    expect(refused!.msg).toContain(`ssh-ed25519 key ${fingerprint(realKey('node-2'))}`);
    expect(refused!.msg).toContain(`${kh}:${lines.length + 1}`);
    expect(refused!.msg).toContain(`ssh-keygen -R ${N2} -f ${kh}`);
    for (const h of [N1, N3]) expect(recap(r, h), failures(r)).toMatchObject({ unreachable: 0, failed: 0, ok: 3 });
    expect(recap(r, N2)).toMatchObject({ unreachable: 1, ok: 0 });
    // node-2's sshd saw no authentication from the engine (only this check's own login)
    const auth = await ok('node-2', `P=$(echo "$SSH_CONNECTION" | cut -d" " -f2); journalctl -u ssh --since @${since} --no-pager -o cat | grep -E "Accepted|Failed|authenticating|Invalid user" | grep -v -e "port $P " -e "port ${before} " || true`);
    expect(auth).toBe('');
  });

  it('an unknown host is refused; accept-new accepts it and records its key; then strict checking accepts it', async () => {
    const kh = path.join(tmp, 'new', 'known_hosts');
    const strict = inventory('unknown-strict', [N3], { ansible_ssh_common_args: `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes` });
    const refusedRun = await ping(strict, 'trust-unknown');
    expect(refusedRun.code, failures(refusedRun)).toBe(2);
    const refused = hostResult(refusedRun, N3, 'unreachable');
    expect(refused, failures(refusedRun)).toBeDefined();
    expect(refused!.msg).toContain(`unknown host key: the host presented the ssh-ed25519 key ${fingerprint(realKey('node-3'))}`);
    expect(refused!.msg).toContain('StrictHostKeyChecking=accept-new');
    expect(fs.existsSync(kh)).toBe(false);

    const accepted = await ping(inventory('unknown-accept-new', [N3], { ansible_ssh_common_args: `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=accept-new` }), 'trust-accept-new');
    expect(accepted.code, failures(accepted)).toBe(0);
    expect(fs.statSync(kh).mode & 0o777).toBe(0o600);
    const found = spawnSync('ssh-keygen', ['-F', N3, '-f', kh], { encoding: 'utf8' });
    expect(found.status, found.stderr).toBe(0);
    const recorded = found.stdout.split('\n').find((l) => l && !l.startsWith('#'))!.split(' ');
    expect(fingerprint(Buffer.from(recorded[2], 'base64'))).toBe(fingerprint(realKey('node-3')));

    const again = await ping(strict, 'trust-known-now');
    expect(again.code, failures(again)).toBe(0);
  });
});

describe('ProxyJump', () => {
  const playbook = () => {
    const file = path.join(tmp, 'source-play.ts');
    fs.writeFileSync(file, `import { debug, play, playbook, task } from ${JSON.stringify(path.join(ROOT, 'src/api/playbook.js'))};
import { command } from ${JSON.stringify(path.join(ROOT, 'src/operations/index.js'))};
export default playbook('trust-e2e', [
  play({
    name: 'where from',
    hosts: 'all',
    gather_facts: false,
    tasks: [
      task('ssh connection', { do: () => command({ cmd: 'echo "$SSH_CONNECTION"' }), changed_when: () => false, register: 'conn' }),
      debug('source', (h) => 'source=' + String((h.reg.conn as { stdout?: string } | undefined)?.stdout ?? '').split(' ')[0]),
    ],
  }),
]);
`);
    return file;
  };

  it('node-2 through meta (an ssh_config Host block with ProxyJump): node-2 sees meta as the source', async () => {
    const cfg = path.join(tmp, 'ssh_config');
    fs.writeFileSync(cfg, [
      'Host node-2-via-meta',
      `  HostName ${N2}`,
      '  ProxyJump jump',
      'Host jump',
      `  HostName ${META}`,
      'Host *',
      '  User root',
      `  UserKnownHostsFile ${PATHS.knownHosts}`,
      '  StrictHostKeyChecking yes',
      '',
    ].join('\n'));
    const inv = inventory('jump', ['node-2-via-meta'], { ansible_ssh_common_args: `-F ${cfg}` });
    const r = await runPlay([playbook()], { inventory: inv, timeoutMs: 5 * 60_000, log: 'trust-jump' });
    expect(r.code, failures(r)).toBe(0);
    const msg = r.events.filter((e) => e.event === 'message' || (e.event === 'host_result' && e.task === 'source')).map((e) => String(e.msg ?? '')).join('\n');
    expect(msg).toContain(`source=${META}`);
  });

  it('a jump host whose key is unknown is refused, naming the jump host and its fingerprint', async () => {
    const kh = path.join(tmp, 'only_node2');
    fs.writeFileSync(kh, realLines.filter((l) => l.split(' ')[0].split(',').includes(N2)).join('\n') + '\n');
    const inv = inventory('jump-unknown', [N2], { ansible_ssh_common_args: `-J root@${META} -o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes` });
    const r = await ping(inv, 'trust-jump-unknown');
    expect(r.code, failures(r)).toBe(2);
    const refused = hostResult(r, N2, 'unreachable');
    expect(refused, failures(r)).toBeDefined();
    expect(refused!.msg).toContain(`via jump host root@${META} (ssh root@${META}:22): unknown host key`);
    expect(refused!.msg).toContain(fingerprint(realKey('meta')));
  });
});
