/**
 * known_hosts parsing, lookup and verification; hashed entries are made by the real `ssh-keygen -H`,
 * fingerprints compared with `ssh-keygen -l`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import {
  appendKnownHost, blobType, entryMatches, fingerprint, hostKeyAlgorithms, keyTypeOfAlgorithm, knownHostsLine, loadKnownHosts,
  lookupHost, parseKnownHosts, verifyHostKey,
} from '../../../src/connectors/known-hosts.js';

const sshKeygen = fs.existsSync('/usr/bin/ssh-keygen');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pgplay-kh-'));

/** A fresh public key: "type base64" and its blob. */
function key(type: 'ed25519' | 'ecdsa' = 'ed25519'): { line: string; blob: Buffer } {
  const pair = type === 'ecdsa' ? ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }) : ssh2.utils.generateKeyPairSync('ed25519');
  const pub = pair.public.trim().split(/\s+/);
  return { line: `${pub[0]} ${pub[1]}`, blob: Buffer.from(pub[1], 'base64') };
}

describe('parse', () => {
  it('plain lines, comma lists, [host]:port, markers, comments; malformed lines skipped', () => {
    const a = key();
    const b = key('ecdsa');
    const text = [
      '# a comment',
      '',
      `meta,10.10.10.10 ${a.line} root@somewhere`,
      `[10.0.0.5]:2222 ${b.line}`,
      `@revoked * ${b.line}`,
      `@cert-authority *.example.com ${a.line}`,
      `broken ${a.line.split(' ')[0]}`,
      `liar ssh-rsa ${a.line.split(' ')[1]}`, // the blob says ssh-ed25519
      `@unknown x ${a.line}`,
    ].join('\n');
    const e = parseKnownHosts(text, '/kh');
    expect(e.map((x) => [x.line, x.hosts, x.keyType, x.revoked])).toEqual([
      [3, 'meta,10.10.10.10', 'ssh-ed25519', false],
      [4, '[10.0.0.5]:2222', 'ecdsa-sha2-nistp256', false],
      [5, '*', 'ecdsa-sha2-nistp256', true],
    ]);
    expect(e[0].key.equals(a.blob)).toBe(true);
    expect(blobType(a.blob)).toBe('ssh-ed25519');
  });

  it('missing files have no entries', () => {
    expect(loadKnownHosts(['/nonexistent/known_hosts'])).toEqual([]);
  });
});

describe('host matching', () => {
  const m = (hosts: string, host: string, port = 22) => entryMatches({ hosts }, host, port);

  it('names, case, and [host]:port for ports other than 22', () => {
    expect(m('meta,10.10.10.10', '10.10.10.10')).toBe(true);
    expect(m('meta,10.10.10.10', 'META')).toBe(true);
    expect(m('meta,10.10.10.10', '10.10.10.1')).toBe(false);
    expect(m('10.0.0.5', '10.0.0.5', 2222)).toBe(false);
    expect(m('[10.0.0.5]:2222', '10.0.0.5', 2222)).toBe(true);
    expect(m('[10.0.0.5]:2222', '10.0.0.5')).toBe(false);
    expect(m('[10.0.0.5]:22', '10.0.0.5')).toBe(false); // ssh writes port 22 without brackets
  });

  it('wildcards and negation', () => {
    expect(m('*.example.com', 'db1.example.com')).toBe(true);
    expect(m('*.example.com', 'example.com')).toBe(false);
    expect(m('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(m('!bad.example.com,*.example.com', 'bad.example.com')).toBe(false);
    expect(m('!bad.example.com', 'good.example.com')).toBe(false); // negation alone never matches
    expect(m('10.0.0.?', '10.0.0.7')).toBe(true);
    expect(m('10.0.0.?', '10.0.0.17')).toBe(false);
    expect(m('[10.0.0.*]:2222', '10.0.0.9', 2222)).toBe(true);
    expect(m('a.b', 'aXb')).toBe(false); // '.' is literal
  });

  it.runIf(sshKeygen)('hashed entries written by ssh-keygen -H', () => {
    const dir = tmp();
    const file = path.join(dir, 'known_hosts');
    const a = key();
    const b = key('ecdsa');
    fs.writeFileSync(file, `db1.example.com ${a.line}\n[10.0.0.5]:2222 ${b.line}\n`);
    expect(spawnSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' }).status).toBe(0);
    const entries = loadKnownHosts([file]);
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    expect(lookupHost(entries, 'db1.example.com', 22).known.map((e) => e.keyType)).toEqual(['ssh-ed25519']);
    expect(lookupHost(entries, 'DB1.example.com', 22).known).toHaveLength(1);
    expect(lookupHost(entries, '10.0.0.5', 2222).known.map((e) => e.keyType)).toEqual(['ecdsa-sha2-nistp256']);
    expect(lookupHost(entries, '10.0.0.5', 22).known).toEqual([]);
    expect(lookupHost(entries, 'db2.example.com', 22).known).toEqual([]);
  });
});

describe('verify', () => {
  const a = key();
  const a2 = key();
  const b = key('ecdsa');
  const entries = parseKnownHosts([
    `web ${a.line}`,
    `db ${b.line}`,
    `@revoked web,db ${a2.line}`,
    `[web]:2222 ${a2.line}`,
  ].join('\n'), '/kh');

  it('ok, unknown, changed (same type, and known only by another type), revoked', () => {
    expect(verifyHostKey(entries, 'web', 22, a.blob)).toMatchObject({ status: 'ok', entry: { line: 1 } });
    expect(verifyHostKey(entries, 'other', 22, a.blob)).toEqual({ status: 'unknown' });
    const changed = verifyHostKey(entries, 'web', 22, key().blob);
    expect(changed.status).toBe('changed');
    expect(changed.status === 'changed' && changed.expected.map((e) => e.line)).toEqual([1]);
    const otherType = verifyHostKey(entries, 'db', 22, key().blob);
    expect(otherType.status === 'changed' && otherType.expected.map((e) => e.keyType)).toEqual(['ecdsa-sha2-nistp256']);
    expect(verifyHostKey(entries, 'web', 22, a2.blob)).toMatchObject({ status: 'revoked', entry: { line: 3 } });
    // [web]:2222 lists a2 as its key, but @revoked web does not name [web]:2222
    expect(verifyHostKey(entries, 'web', 2222, a2.blob).status).toBe('ok');
  });

  it.runIf(sshKeygen)('fingerprints as ssh-keygen -l prints them', () => {
    const dir = tmp();
    for (const k of [a, b]) {
      fs.writeFileSync(path.join(dir, 'k.pub'), `${k.line} c\n`);
      const out = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'k.pub')], { encoding: 'utf8' }).stdout;
      expect(out.split(' ')[1]).toBe(fingerprint(k.blob));
      expect(fingerprint(k.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  });
});

describe('record (accept-new)', () => {
  it.runIf(sshKeygen)('plain and hashed lines that ssh-keygen -F finds', () => {
    const dir = tmp();
    const file = path.join(dir, 'kh');
    const a = key();
    const b = key('ecdsa');
    fs.writeFileSync(file, `${knownHostsLine('web', 22, a.blob)}\n${knownHostsLine('10.0.0.5', 2222, b.blob, true)}\n`);
    expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe(`web ${a.line}`);
    expect(spawnSync('ssh-keygen', ['-F', 'web', '-f', file]).status).toBe(0);
    expect(spawnSync('ssh-keygen', ['-F', '[10.0.0.5]:2222', '-f', file]).status).toBe(0);
    expect(spawnSync('ssh-keygen', ['-F', '10.0.0.5', '-f', file]).status).not.toBe(0);
  });

  it('creates the file 0600 in a new 0700 directory, and keeps lines apart', () => {
    const dir = tmp();
    const file = path.join(dir, 'sub', 'dir', 'known_hosts');
    const a = key();
    appendKnownHost(file, '10.0.0.5', 22, a.blob);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    fs.appendFileSync(file, '# no newline at the end');
    const b = key('ecdsa');
    appendKnownHost(file, '10.0.0.6', 2222, b.blob);
    const entries = loadKnownHosts([file]);
    expect(verifyHostKey(entries, '10.0.0.5', 22, a.blob).status).toBe('ok');
    expect(verifyHostKey(entries, '10.0.0.6', 2222, b.blob).status).toBe('ok');
  });
});

describe('host key algorithms', () => {
  it('maps signature algorithms to key types', () => {
    expect(keyTypeOfAlgorithm('rsa-sha2-512')).toBe('ssh-rsa');
    expect(keyTypeOfAlgorithm('rsa-sha2-256')).toBe('ssh-rsa');
    expect(keyTypeOfAlgorithm('ssh-ed25519')).toBe('ssh-ed25519');
  });

  it('offers the known types first, then the rest', () => {
    expect(hostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256']).slice(0, 2)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms(['ssh-rsa', 'ssh-ed25519'])).toHaveLength(7);
  });
});
