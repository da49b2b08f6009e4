/**
 * OpenSSH's known_hosts files: parsing, looking a host up, verifying the key it presents, the
 * SHA256 fingerprint, the line accept-new records, and the host key algorithms to offer.
 *
 * A line is `[@revoked] PATTERNS KEYTYPE BASE64 [comment]`. PATTERNS is a comma list of host
 * patterns (`*` and `?` wildcards, `!` negates: a host that matches a negated pattern never matches
 * the line), or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`. The name looked up
 * is the address connected to, as `host` on port 22 and `[host]:port` on any other port.
 * `@cert-authority` lines are ignored (host certificates are not supported).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  revoked: boolean;
  /** The host field as written (patterns, or a hashed name). */
  hosts: string;
  keyType: string;
  key: Buffer;
}

export type Verdict =
  | { status: 'ok'; entry: KnownHostEntry }
  | { status: 'unknown' }
  /** `expected`: the host's known keys (of the presented type when there are any, else of every type). */
  | { status: 'changed'; expected: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Parses one known_hosts file's text; malformed lines are skipped, as ssh does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const words = raw.trim().split(/\s+/);
    if (!words[0] || words[0].startsWith('#')) return;
    let revoked = false;
    if (words[0].startsWith('@')) {
      const marker = words.shift()!.toLowerCase();
      if (marker !== '@revoked') return; // @cert-authority, or an unknown marker
      revoked = true;
    }
    const [hosts, keyType, b64] = words;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return;
    const key = Buffer.from(b64, 'base64');
    // the blob starts with its own type: a line whose type and blob disagree is not a key of that type
    if (blobType(key) !== keyType) return;
    entries.push({ file, line: i + 1, revoked, hosts, keyType, key });
  });
  return entries;
}

/** Reads and parses the files that exist (a missing or unreadable file has no entries, as for ssh). */
export function loadKnownHosts(files: readonly string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    out.push(...parseKnownHosts(text, f));
  }
  return out;
}

/** The name a host is known by: `host` on port 22, `[host]:port` otherwise. */
export function hostName(host: string, port: number): string {
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
}

/** OpenSSH's wildcard match: `*` any run of characters, `?` one character, case-insensitive. */
export function wildcardMatch(name: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(name.toLowerCase());
}

/**
 * A comma (or, for ssh_config's Host, whitespace) list of patterns: true when some pattern matches
 * and no negated one (`!pattern`) does.
 */
export function patternListMatch(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    if (!p) continue;
    if (p.startsWith('!')) {
      if (wildcardMatch(name, p.slice(1))) return false;
    } else if (wildcardMatch(name, p)) matched = true;
  }
  return matched;
}

function hashedMatch(field: string, name: string): boolean {
  const [, magic, salt, hash] = field.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** Whether an entry's host field names `host` at `port`. */
export function entryMatches(entry: Pick<KnownHostEntry, 'hosts'>, host: string, port: number): boolean {
  const name = hostName(host, port);
  if (entry.hosts.startsWith('|')) return hashedMatch(entry.hosts, name);
  return patternListMatch(name, entry.hosts.split(','));
}

/** The entries for `host` at `port`: the keys it is known by, and those revoked for it. */
export function lookupHost(entries: readonly KnownHostEntry[], host: string, port: number): { known: KnownHostEntry[]; revoked: KnownHostEntry[] } {
  const mine = entries.filter((e) => entryMatches(e, host, port));
  return { known: mine.filter((e) => !e.revoked), revoked: mine.filter((e) => e.revoked) };
}

/**
 * The verdict on the key `blob` that `host` presented: revoked wins over everything; a known equal
 * key is ok; a host known only by other keys has changed (also when they are of other types: the
 * algorithms offered put the known types first, so an honest host presents one of them); else unknown.
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, blob: Buffer): Verdict {
  const { known, revoked } = lookupHost(entries, host, port);
  const bad = revoked.find((e) => e.key.equals(blob));
  if (bad) return { status: 'revoked', entry: bad };
  const good = known.find((e) => e.key.equals(blob));
  if (good) return { status: 'ok', entry: good };
  if (!known.length) return { status: 'unknown' };
  const type = blobType(blob);
  const sameType = known.filter((e) => e.keyType === type);
  return { status: 'changed', expected: sameType.length ? sameType : known };
}

/** The key type a public key blob declares (its first SSH string), '' when it is not a blob. */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  if (n > 64 || blob.length < 4 + n) return '';
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** OpenSSH's fingerprint: `SHA256:` and the base64 of the blob's SHA-256, without padding. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The known_hosts line for a key (hashed when `hash`, as HashKnownHosts does). */
export function knownHostsLine(host: string, port: number, blob: Buffer, hash = false, salt: Buffer = randomBytes(20)): string {
  const name = hostName(host, port);
  const field = hash ? `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}` : name;
  return `${field} ${blobType(blob)} ${blob.toString('base64')}`;
}

/**
 * Appends the key to `file` (accept-new): the file is created 0600 and its directory 0700 when
 * they do not exist; a file that does not end with a newline gets one first.
 */
export function appendKnownHost(file: string, host: string, port: number, blob: Buffer, hash = false): void {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let sep = '';
  try {
    const size = fs.statSync(file).size;
    if (size > 0) {
      const fd = fs.openSync(file, 'r');
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      fs.closeSync(fd);
      if (last[0] !== 0x0a) sep = '\n';
    }
  } catch {
    /* new file */
  }
  fs.appendFileSync(file, `${sep}${knownHostsLine(host, port, blob, hash)}\n`, { mode: 0o600 });
}

/** The key type of a host key algorithm (rsa-sha2-256/512 sign with ssh-rsa keys). */
export function keyTypeOfAlgorithm(alg: string): string {
  return alg === 'rsa-sha2-256' || alg === 'rsa-sha2-512' ? 'ssh-rsa' : alg;
}

/** The host key algorithms ssh2 offers, in its order (ssh-dss left out, as OpenSSH does). */
export const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
] as const;

/**
 * The algorithms to offer for a host known by keys of `knownTypes`: theirs first, then the rest,
 * as OpenSSH orders them (otherwise the server may pick ed25519 while only its ecdsa key is known).
 */
export function hostKeyAlgorithms(knownTypes: Iterable<string>): string[] {
  const types = new Set(knownTypes);
  const first = HOST_KEY_ALGORITHMS.filter((a) => types.has(keyTypeOfAlgorithm(a)));
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}
