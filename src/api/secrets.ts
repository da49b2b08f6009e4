/**
 * Secret values (passwords, cipher passes, keys) never reach logs, events or diffs. The inventory
 * loader and extra-vars parser register every value whose key looks secret; the output layer
 * passes all text through `redact`.
 */
const secrets = new Set<string>();
let pattern: RegExp | null = null;

/** Variable names whose values are secret. */
export const SECRET_KEY = /(pass(word|wd)?|secret|cipher_pass|private_key|token|_key_secret)$/i;

export function registerSecret(value: unknown): void {
  if (typeof value !== 'string' || value.length < 4) return;
  if (!secrets.has(value)) {
    secrets.add(value);
    pattern = null;
  }
}

/** Walks a value and registers every string under a secret-looking key. */
export function collectSecrets(value: unknown, key = ''): void {
  if (Array.isArray(value)) value.forEach((v) => collectSecrets(v, key));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) collectSecrets(v, k);
  } else if (SECRET_KEY.test(key)) registerSecret(value);
}

export function redact(text: string): string {
  if (secrets.size === 0 || !text) return text;
  if (!pattern) {
    const parts = [...secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    // Whole tokens only: a password 'test' is hidden in 'password: test' but not in 'pg-test'.
    pattern = new RegExp(`(?<![\\w.-])(?:${parts.join('|')})(?![\\w.-])`, 'g');
  }
  return text.replace(pattern, '********');
}

export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? '********' : redactDeep(v);
    return out as T;
  }
  return value;
}
