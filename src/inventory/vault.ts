/**
 * ansible-vault envelopes (format 1.1 and 1.2, cipher AES256), opened with Node's crypto as
 * ansible/parsing/vault/__init__.py does:
 *
 *   $ANSIBLE_VAULT;1.1;AES256            (1.2: $ANSIBLE_VAULT;1.2;AES256;<vault-id>)
 *   hex( hex(salt) \n hex(hmac) \n hex(ciphertext) ), wrapped at 80 columns
 *
 * Keys: PBKDF2-HMAC-SHA256(password, salt, 10000 iterations) gives 80 bytes: the AES-256-CTR key,
 * the HMAC-SHA256 key and the counter's initial value. The HMAC of the ciphertext is checked
 * before anything is decrypted; the plaintext's PKCS#7 padding is removed. Every password is tried
 * (the one whose vault id the envelope names first), as Ansible does. Decrypted text is the
 * caller's to register as secret.
 */
import crypto from 'node:crypto';
import { registerSecret } from '../api/secrets.js';
import { fail } from './errors.js';

export interface VaultSecret {
  /** Vault id (`--vault-id meta@file` → 'meta'); 'default' when none was given. */
  id: string;
  password: Buffer;
}

/** Where an encrypted text was found, for messages: the file, and for an inline value its path and line. */
export interface VaultPlace {
  file: string;
  path?: string;
  line?: number;
  /** What the file is, for "Invalid <what> FILE": 'inventory' (default), 'vars file', 'extra vars file'. */
  what?: string;
}

const HEADER = '$ANSIBLE_VAULT';

/** The flags that give vault passwords, for the message when none was given. */
export const VAULT_FLAGS = '--vault-password-file FILE, --vault-id [LABEL@]FILE|prompt or --ask-vault-pass';

export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith(HEADER + ';');
}

interface Envelope {
  version: string;
  vaultId?: string;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

function parseEnvelope(text: string, at: VaultPlace): Envelope {
  const lines = text.trim().split(/\r?\n/).map((l) => l.trim());
  const header = lines[0].split(';');
  const version = header[1];
  const cipher = header[2];
  const bad = (why: string): never => fail(at.file, `not a valid ansible-vault text: ${why}`, at, at.what);
  if (version !== '1.1' && version !== '1.2') bad(`format version '${version ?? ''}' (1.1 and 1.2 are read)`);
  if (cipher !== 'AES256') bad(`cipher '${cipher ?? ''}' (only AES256 is read)`);
  const hex = lines.slice(1).join('');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) bad('the body is not hexadecimal');
  const parts = Buffer.from(hex, 'hex').toString('latin1').split('\n');
  if (parts.length !== 3 || !parts.every((p) => /^(?:[0-9a-fA-F]{2})+$/.test(p))) bad('the body is not salt, HMAC and ciphertext');
  return {
    version,
    vaultId: version === '1.2' ? header[3] : undefined,
    salt: Buffer.from(parts[0], 'hex'),
    hmac: Buffer.from(parts[1], 'hex'),
    ciphertext: Buffer.from(parts[2], 'hex'),
  };
}

/** The plaintext for one password, or undefined when the HMAC says it is not the password. */
function tryPassword(env: Envelope, password: Buffer): Buffer | undefined {
  const material = crypto.pbkdf2Sync(password, env.salt, 10000, 80, 'sha256');
  const [aesKey, hmacKey, iv] = [material.subarray(0, 32), material.subarray(32, 64), material.subarray(64, 80)];
  const mac = crypto.createHmac('sha256', hmacKey).update(env.ciphertext).digest();
  if (mac.length !== env.hmac.length || !crypto.timingSafeEqual(mac, env.hmac)) return undefined;
  const decipher = crypto.createDecipheriv('aes-256-ctr', aesKey, iv);
  const padded = Buffer.concat([decipher.update(env.ciphertext), decipher.final()]);
  const pad = padded[padded.length - 1];
  if (!padded.length || pad < 1 || pad > 16 || pad > padded.length) return undefined;
  return padded.subarray(0, padded.length - pad);
}

/**
 * Decrypts an ansible-vault text. No password given: a UserError naming the place and the flags;
 * no password opens it: a UserError "decryption failed" naming the place and the ids tried.
 */
export function decryptVault(text: string, secrets: readonly VaultSecret[], at: VaultPlace): string {
  const env = parseEnvelope(text, at);
  const what = at.path ? 'this value is encrypted with ansible-vault' : 'this file is encrypted with ansible-vault';
  const idNote = env.vaultId ? ` (vault id '${env.vaultId}')` : '';
  if (!secrets.length) fail(at.file, `${what}${idNote} and no vault password was given: use ${VAULT_FLAGS}`, at, at.what);
  const ordered = [...secrets.filter((s) => s.id === env.vaultId), ...secrets.filter((s) => s.id !== env.vaultId)];
  for (const s of ordered) {
    const plain = tryPassword(env, s.password);
    if (plain) return plain.toString('utf8');
  }
  const ids = [...new Set(secrets.map((s) => s.id))].map((id) => `'${id}'`).join(', ');
  return fail(at.file, `decryption failed: ${what}${idNote} and no vault password given (vault ids ${ids}) opens it`, at, at.what);
}

/** An inline `!vault |` value as read from YAML, before it is decrypted. */
export class VaultedValue {
  constructor(readonly ciphertext: string) {}
}

/**
 * Replaces every inline `!vault` value inside `value` by its plaintext, registered as a secret.
 * `path` is the dotted path of `value` in `at.file`, extended for nested values.
 */
export function openVaulted(value: unknown, secrets: readonly VaultSecret[], at: VaultPlace): unknown {
  if (value instanceof VaultedValue) {
    const plain = decryptVault(value.ciphertext, secrets, at);
    registerSecret(plain);
    return plain;
  }
  if (Array.isArray(value)) return value.map((v, i) => openVaulted(v, secrets, { ...at, path: `${at.path ?? ''}[${i}]` }));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = openVaulted(v, secrets, { ...at, path: at.path ? `${at.path}.${k}` : k });
    return out;
  }
  return value;
}

/** True when `value` holds an inline `!vault` value somewhere. */
export function hasVaulted(value: unknown): boolean {
  if (value instanceof VaultedValue) return true;
  if (Array.isArray(value)) return value.some(hasVaulted);
  if (value && typeof value === 'object') return Object.values(value).some(hasVaulted);
  return false;
}

/** Every string leaf of a value, registered as secret (the contents of an encrypted vars file). */
export function registerAllStrings(value: unknown): void {
  if (typeof value === 'string') registerSecret(value);
  else if (Array.isArray(value)) value.forEach(registerAllStrings);
  else if (value && typeof value === 'object') Object.values(value).forEach(registerAllStrings);
}
