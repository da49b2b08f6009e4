/**
 * What ansible.cfg, the ANSIBLE_* environment and the command-line flags say about connecting:
 * flags over the environment over ansible.cfg. The connection settings become the lowest layer
 * of every host's variables (`connectionVars`), below role defaults and the inventory, as in
 * Ansible where `ansible_user` in the inventory beats `-u` and `remote_user`; `-e` beats all.
 */
import fs from 'node:fs';
import os from 'node:os';
import { UserError } from '../api/errors.js';
import type { Vars } from '../api/types.js';
import { connectionVars, readAnsibleSettings, type AnsibleSettings } from './ansible-cfg.js';
import type { CliArgs } from './args.js';
import { promptSecret } from './prompt.js';

export interface ConnectionSettings {
  /** The ansible.cfg read, if any. */
  cfgFile?: string;
  /** The inventory named by ansible.cfg / ANSIBLE_INVENTORY (used when -i is not given). */
  inventory?: string;
  forks?: number;
  /** vault_password_file / ANSIBLE_VAULT_PASSWORD_FILE (absolute), for the vault loader. */
  vaultPasswordFile?: string;
  /** Lowest-precedence host variables: ansible_user, ansible_private_key_file, ansible_become, ... */
  vars: Vars;
  warnings: string[];
}

/** Reads ansible.cfg and the environment of this process. */
export function readProcessSettings(): AnsibleSettings {
  return readAnsibleSettings({
    env: process.env,
    cwd: process.cwd(),
    home: os.homedir(),
    readFile: (f) => {
      try {
        return fs.statSync(f).isFile() ? fs.readFileSync(f, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
    isDir: (p) => {
      try {
        return fs.statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
    worldWritable: (d) => {
      try {
        return (fs.statSync(d).mode & 0o002) !== 0;
      } catch {
        return false;
      }
    },
  });
}

/** Flags over settings; no prompt (see `askPasswords`). */
export function connectionSettings(args: CliArgs, s: AnsibleSettings, cwd = process.cwd()): ConnectionSettings {
  if (s.inventory && s.inventory.length > 1 && !args.inventory) {
    throw new UserError(`${s.origin.inventory}: inventory lists ${s.inventory.length} sources (${s.inventory.join(', ')}); pgplay reads one inventory file or directory: give one there, or -i`, [
      { file: s.origin.inventory, path: 'inventory', message: 'one inventory source' },
    ]);
  }
  const merged = {
    ...s,
    ...(args.user !== undefined ? { remoteUser: args.user } : {}),
    ...(args.privateKey !== undefined ? { privateKeyFile: resolvePath(args.privateKey, cwd) } : {}),
    ...(args.become ? { become: true } : {}),
    ...(args.becomeUser !== undefined ? { becomeUser: args.becomeUser } : {}),
  };
  return {
    cfgFile: s.file,
    inventory: s.inventory?.[0],
    forks: args.forks ?? s.forks,
    vaultPasswordFile: s.vaultPasswordFile,
    vars: connectionVars(merged),
    warnings: s.warnings,
  };
}

function resolvePath(p: string, cwd: string): string {
  const home = os.homedir();
  const e = p === '~' ? home : p.startsWith('~/') ? home + p.slice(1) : p;
  return e.startsWith('/') ? e : `${cwd}/${e}`;
}

/** -k and -K: asks on the terminal; the answers join the connection variables (and the secrets). */
export async function askPasswords(args: Pick<CliArgs, 'askPass' | 'askBecomePass'>, vars: Vars, ask = promptSecret): Promise<Vars> {
  const out = { ...vars };
  if (args.askPass) out.ansible_password = await ask('SSH password: ', '-k/--ask-pass');
  if (args.askBecomePass) {
    // Ansible's prompt offers the SSH password as the default
    const pw = await ask(`BECOME password${args.askPass ? '[defaults to SSH password]' : ''}: `, '-K/--ask-become-pass');
    out.ansible_become_password = pw === '' && args.askPass ? out.ansible_password : pw;
  }
  return out;
}
