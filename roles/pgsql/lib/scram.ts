/**
 * Password verifiers computed on the controller: the plain password never reaches the server (nor
 * its logs), and an existing verifier can be checked against the wanted password to decide whether
 * anything needs to change (RFC 5802 / RFC 7677, as PostgreSQL's scram-sha-256).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

function keys(password: string, salt: Buffer, iterations: number): { stored: Buffer; server: Buffer } {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  return { stored: sha256(hmac(salted, 'Client Key')), server: hmac(salted, 'Server Key') };
}

/** A new SCRAM-SHA-256 verifier (random salt), in PostgreSQL's pg_authid format. */
export function scramVerifier(password: string, iterations = 4096, salt: Buffer = randomBytes(16)): string {
  const k = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${k.stored.toString('base64')}:${k.server.toString('base64')}`;
}

/** md5 verifier (legacy pg_pwd_enc: md5). */
export function md5Verifier(password: string, user: string): string {
  return 'md5' + createHash('md5').update(password + user).digest('hex');
}

export function isVerifier(s: string): boolean {
  return /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(s) || /^md5[0-9a-f]{32}$/.test(s);
}

/** Does the stored verifier (rolpassword) accept this password (plain or a verifier itself)? */
export function passwordMatches(stored: string | null | undefined, wanted: string, user: string): boolean {
  if (!stored) return false;
  if (isVerifier(wanted)) return stored === wanted;
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (m) {
    const k = keys(wanted, Buffer.from(m[2], 'base64'), Number(m[1]));
    const s = Buffer.from(m[3], 'base64');
    const v = Buffer.from(m[4], 'base64');
    return s.length === k.stored.length && timingSafeEqual(s, k.stored) && v.length === k.server.length && timingSafeEqual(v, k.server);
  }
  if (stored.startsWith('md5')) return stored === md5Verifier(wanted, user);
  return false;
}
