/**
 * ansible.cfg and the ANSIBLE_* environment, read as ansible-core 2.14 reads them (pure: the
 * environment, the directories and a file reader are passed in).
 *
 * The file: $ANSIBLE_CONFIG (a file, or a directory holding ansible.cfg), else ./ansible.cfg, else
 * ~/.ansible.cfg; the first found wins, files are never merged. Like Ansible, ./ansible.cfg in a
 * world-writable directory is ignored (with a warning): anyone could have put it there.
 *
 * The INI dialect of Python's configparser as Ansible configures it: `[section]`, `key = value` or
 * `key: value` (keys case-insensitive), whole-line comments with `#` or `;`, inline comments with
 * ` ;`, indented lines continuing the value above, `%%` for a `%`.
 *
 * Precedence of one setting: ansible.cfg < ANSIBLE_* variable (< command-line flag, applied by the
 * caller). Relative paths are resolved against the cfg file's directory (from the file) or the
 * current directory (from the environment); `~` is expanded in both.
 */
import path from 'node:path';
import { UserError } from '../api/errors.js';
import type { UserErrorDetail, Vars } from '../api/types.js';

type Kind = 'string' | 'path' | 'pathlist' | 'bool' | 'int';

interface SettingDef {
  name: keyof Omit<AnsibleSettings, 'file' | 'origin' | 'warnings'>;
  section: string;
  key: string;
  env: string;
  kind: Kind;
}

/** The settings pgplay reads, with their ansible.cfg section/key and environment variable. */
export const SETTINGS: readonly SettingDef[] = [
  { name: 'inventory', section: 'defaults', key: 'inventory', env: 'ANSIBLE_INVENTORY', kind: 'pathlist' },
  { name: 'forks', section: 'defaults', key: 'forks', env: 'ANSIBLE_FORKS', kind: 'int' },
  { name: 'remoteUser', section: 'defaults', key: 'remote_user', env: 'ANSIBLE_REMOTE_USER', kind: 'string' },
  { name: 'privateKeyFile', section: 'defaults', key: 'private_key_file', env: 'ANSIBLE_PRIVATE_KEY_FILE', kind: 'path' },
  { name: 'hostKeyChecking', section: 'defaults', key: 'host_key_checking', env: 'ANSIBLE_HOST_KEY_CHECKING', kind: 'bool' },
  { name: 'vaultPasswordFile', section: 'defaults', key: 'vault_password_file', env: 'ANSIBLE_VAULT_PASSWORD_FILE', kind: 'path' },
  { name: 'timeout', section: 'defaults', key: 'timeout', env: 'ANSIBLE_TIMEOUT', kind: 'int' },
  { name: 'become', section: 'privilege_escalation', key: 'become', env: 'ANSIBLE_BECOME', kind: 'bool' },
  { name: 'becomeUser', section: 'privilege_escalation', key: 'become_user', env: 'ANSIBLE_BECOME_USER', kind: 'string' },
  { name: 'sshArgs', section: 'ssh_connection', key: 'ssh_args', env: 'ANSIBLE_SSH_ARGS', kind: 'string' },
];

export interface AnsibleSettings {
  /** The ansible.cfg read, if any. */
  file?: string;
  inventory?: string[];
  forks?: number;
  remoteUser?: string;
  privateKeyFile?: string;
  hostKeyChecking?: boolean;
  vaultPasswordFile?: string;
  timeout?: number;
  become?: boolean;
  becomeUser?: string;
  sshArgs?: string;
  /** Where each setting came from: `FILE:LINE` or the environment variable's name. */
  origin: Partial<Record<SettingDef['name'], string>>;
  warnings: string[];
}

export interface CfgContext {
  env: Record<string, string | undefined>;
  cwd: string;
  home: string;
  /** Reads a file, or returns undefined when it does not exist / is not a file. */
  readFile: (file: string) => string | undefined;
  /** True when `dir` is writable by everyone (Ansible then ignores ./ansible.cfg). */
  worldWritable?: (dir: string) => boolean;
  /** True when `p` is a directory. */
  isDir?: (p: string) => boolean;
}

export interface IniValue {
  value: string;
  line: number;
}
export type Ini = Record<string, Record<string, IniValue>>;

/** Parses configparser-style INI; a line that is neither a section, a key nor a continuation is refused with FILE:LINE. */
export function parseIni(text: string, file: string): Ini {
  const out: Ini = {};
  let section: Record<string, IniValue> | undefined;
  let last: IniValue | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed[0] === '#' || trimmed[0] === ';') {
      if (!trimmed) last = undefined; // configparser: an empty line ends a multi-line value
      continue;
    }
    if (/^\s/.test(raw) && last) {
      last.value += '\n' + stripInline(trimmed);
      continue;
    }
    const sec = /^\[([^\]]+)\]\s*(?:;.*)?$/.exec(trimmed);
    if (sec) {
      section = out[sec[1].trim()] ??= {};
      last = undefined;
      continue;
    }
    if (trimmed[0] === '[') throw iniError(file, lineNo, `unclosed section header '${trimmed}': write [defaults], [privilege_escalation], [ssh_connection], ...`);
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!kv) throw iniError(file, lineNo, `expected 'key = value', got '${trimmed}'`);
    if (!section) throw iniError(file, lineNo, `'${kv[1]}' comes before any [section] header (settings go under [defaults], [privilege_escalation] or [ssh_connection])`);
    last = { value: stripInline(kv[2]), line: lineNo };
    section[kv[1].toLowerCase()] = last;
  }
  for (const s of Object.values(out)) for (const v of Object.values(s)) v.value = v.value.replace(/%%/g, '%').trim();
  return out;
}

/** Drops an inline ` ;comment` (configparser's inline_comment_prefixes=(';',) needs whitespace before it). */
function stripInline(v: string): string {
  const m = /\s;/.exec(v);
  return (m ? v.slice(0, m.index) : v).trim();
}

function iniError(file: string, line: number, message: string): UserError {
  const detail: UserErrorDetail = { file, line, message };
  return new UserError(`Invalid ansible.cfg ${file}:line ${line}: ${message}`, [detail]);
}

/** Which ansible.cfg Ansible would read, or undefined; `warnings` gets a line when ./ansible.cfg is ignored. */
export function findAnsibleCfg(ctx: CfgContext, warnings: string[] = []): string | undefined {
  const fromEnv = ctx.env.ANSIBLE_CONFIG;
  if (fromEnv) {
    let f = path.resolve(ctx.cwd, expandHome(fromEnv, ctx.home));
    if (ctx.isDir?.(f)) f = path.join(f, 'ansible.cfg');
    if (ctx.readFile(f) !== undefined) return f;
  }
  const local = path.join(ctx.cwd, 'ansible.cfg');
  if (ctx.readFile(local) !== undefined) {
    if (ctx.worldWritable?.(ctx.cwd)) warnings.push(`Ansible is being run in a world writable directory (${ctx.cwd}), ignoring it as an ansible.cfg source.`);
    else return local;
  }
  const user = path.join(ctx.home, '.ansible.cfg');
  if (ctx.readFile(user) !== undefined) return user;
  return undefined;
}

export function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

const TRUE = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE = ['n', 'no', 'off', '0', 'false', 'f'];

/** ansible.cfg, then the environment, into settings (flags are applied by the caller). */
export function readAnsibleSettings(ctx: CfgContext): AnsibleSettings {
  const warnings: string[] = [];
  const file = findAnsibleCfg(ctx, warnings);
  const ini = file ? parseIni(ctx.readFile(file) ?? '', file) : {};
  const out: AnsibleSettings = { file, origin: {}, warnings };
  const set = out as unknown as Record<string, unknown>;
  for (const def of SETTINGS) {
    const envValue = ctx.env[def.env];
    const fromFile = ini[def.section]?.[def.key];
    if (envValue !== undefined && envValue !== '') {
      set[def.name] = convert(def, envValue, ctx.cwd, ctx.home, { env: def.env });
      out.origin[def.name] = def.env;
    } else if (fromFile && file) {
      set[def.name] = convert(def, fromFile.value, path.dirname(file), ctx.home, { file, line: fromFile.line });
      out.origin[def.name] = `${file}:${fromFile.line}`;
    }
  }
  return out;
}

function convert(def: SettingDef, value: string, base: string, home: string, where: { env?: string; file?: string; line?: number }): unknown {
  const bad = (allowed: string): never => {
    const message = `${def.key} = ${JSON.stringify(value)}: ${allowed}`;
    if (where.env) throw new UserError(`environment variable ${where.env}=${JSON.stringify(value)}: ${allowed}`, [{ path: where.env, message: allowed }]);
    throw iniError(where.file!, where.line!, `[${def.section}] ${message}`);
  };
  const resolve = (p: string) => path.resolve(base, expandHome(p.trim(), home));
  switch (def.kind) {
    case 'string':
      return value;
    case 'path':
      return resolve(value);
    case 'pathlist':
      return value.split(',').map((p) => p.trim()).filter(Boolean).map(resolve);
    case 'bool': {
      const v = value.trim().toLowerCase();
      if (TRUE.includes(v)) return true;
      if (FALSE.includes(v)) return false;
      return bad('must be a boolean (yes/no, true/false, on/off, 1/0)');
    }
    case 'int': {
      const n = Number(value.trim());
      if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 1) return bad('must be a positive integer');
      return n;
    }
  }
}

/**
 * The connection settings as host variables, for the lowest layer of a host's variables (below
 * the inventory, as Ansible's config and -u/--private-key/-b/--become-user sit below `ansible_user`
 * and friends in the inventory).
 */
export function connectionVars(s: Pick<AnsibleSettings, 'remoteUser' | 'privateKeyFile' | 'hostKeyChecking' | 'timeout' | 'become' | 'becomeUser' | 'sshArgs'>): Vars {
  const v: Vars = {};
  if (s.remoteUser !== undefined) v.ansible_user = s.remoteUser;
  if (s.privateKeyFile !== undefined) v.ansible_private_key_file = s.privateKeyFile;
  if (s.hostKeyChecking !== undefined) v.ansible_host_key_checking = s.hostKeyChecking;
  if (s.timeout !== undefined) v.ansible_timeout = s.timeout;
  if (s.become !== undefined) v.ansible_become = s.become;
  if (s.becomeUser !== undefined) v.ansible_become_user = s.becomeUser;
  if (s.sshArgs !== undefined) v.ansible_ssh_args = s.sshArgs;
  return v;
}
