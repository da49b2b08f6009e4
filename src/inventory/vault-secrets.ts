/**
 * Vault passwords from the command line, as ansible-playbook takes them:
 *   --vault-password-file FILE   a file holding the password, or an executable printing it
 *   --vault-id [LABEL@]SOURCE    SOURCE is such a file or 'prompt'; repeatable
 *   --ask-vault-pass             asks on the terminal, without echo
 * Passwords are registered as secrets; a missing or empty source is a UserError (exit 4).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../api/errors.js';
import { registerSecret } from '../api/secrets.js';
import type { VaultSecret } from './vault.js';

export interface VaultOptions {
  passwordFiles?: string[];
  vaultIds?: string[];
  askVaultPass?: boolean;
}

/** Asks for a password without echoing it (the CLI's reads the terminal: src/cli/prompt.ts). */
export type PasswordPrompt = (question: string, flag: string) => Promise<string>;

export async function readVaultSecrets(o: VaultOptions, prompt: PasswordPrompt, cwd = process.cwd()): Promise<VaultSecret[]> {
  const out: VaultSecret[] = [];
  const add = (id: string, password: string, from: string): void => {
    if (!password) throw new UserError(`the vault password from ${from} is empty`, [{ file: from, message: 'empty vault password' }]);
    registerSecret(password);
    out.push({ id, password: Buffer.from(password, 'utf8') });
  };
  for (const f of o.passwordFiles ?? []) add('default', readPasswordSource(path.resolve(cwd, f), '--vault-password-file'), f);
  for (const spec of o.vaultIds ?? []) {
    const at = spec.indexOf('@');
    const id = at > 0 ? spec.slice(0, at) : 'default';
    const source = at >= 0 ? spec.slice(at + 1) : spec;
    if (!source) throw new UserError(`--vault-id '${spec}' names no password source: use --vault-id [LABEL@]FILE or --vault-id [LABEL@]prompt`);
    if (source === 'prompt') add(id, await prompt(id === 'default' ? 'Vault password: ' : `Vault password (${id}): `, `--vault-id ${spec}`), `the prompt for vault id '${id}'`);
    else add(id, readPasswordSource(path.resolve(cwd, source), `--vault-id ${spec}`), source);
  }
  if (o.askVaultPass) add('default', await prompt('Vault password: ', '--ask-vault-pass'), 'the --ask-vault-pass prompt');
  return out;
}

/** A password file's content (whitespace around it stripped), or the stdout of an executable one. */
function readPasswordSource(file: string, flag: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UserError(`${flag}: the vault password file ${file} does not exist`, [{ file, message: 'no such file' }]);
  }
  if (st.isDirectory()) throw new UserError(`${flag}: ${file} is a directory, not a vault password file`, [{ file, message: 'is a directory' }]);
  if (st.mode & 0o111) {
    try {
      const stdout = execFileSync(file, [], { encoding: 'utf8', stdio: ['inherit', 'pipe', 'pipe'], timeout: 60_000 });
      return stdout.replace(/^[\r\n]+|[\r\n]+$/g, '');
    } catch (e) {
      const status = (e as { status?: number }).status;
      throw new UserError(`${flag}: the vault password script ${file} failed${status !== undefined && status !== null ? ` (exit ${status})` : ''}`, [{ file, message: 'vault password script failed' }]);
    }
  }
  return fs.readFileSync(file, 'utf8').trim();
}
