/**
 * A host's effective SSH settings, from its inventory variables, Ansible's ssh argument variables
 * and OpenSSH's client configuration, composed as `ssh` composes them under Ansible:
 *
 *   explicit inventory variable  >  `-o`/`-p`/`-l`/`-i`/`-J` in ansible_ssh_args,
 *   ansible_ssh_common_args, ansible_ssh_extra_args (in that order)  >  the ssh config file
 *   (`-F FILE`, else ~/.ssh/config then /etc/ssh/ssh_config)  >  defaults.
 *
 * Within each, the first value of an option wins (OpenSSH's rule); IdentityFile accumulates.
 * `ansible_host` (else the inventory name) is the name given to ssh: Host blocks match it, and
 * `HostName` may map it to another address. Relative paths in inventory variables (also in their
 * ssh arguments) resolve against the inventory file's directory. See docs/ssh.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Vars } from '../api/types.js';
import { shlexSplit } from '../inventory/python-literal.js';
import { configFor, type ConfigLine } from './ssh-config.js';

/** What to do with a host whose key no known_hosts file lists. */
export type UnknownHostPolicy = 'refuse' | 'record' | 'accept';

export interface HostKeyPolicy {
  /** User known_hosts files; accept-new records into the first. */
  userKnownHosts: string[];
  globalKnownHosts: string[];
  unknown: UnknownHostPolicy;
  /** The setting that decided `unknown`, for messages (`StrictHostKeyChecking yes (default)`). */
  unknownFrom: string;
  /** HashKnownHosts: recorded names are hashed. */
  hash: boolean;
}

/** One jump host of a ProxyJump chain. */
export interface JumpHost {
  /** As written in ProxyJump. */
  name: string;
  address: string;
  port: number;
  user: string;
  identityFiles: string[];
  hostKeys: HostKeyPolicy;
}

export interface SshSettings {
  host: string;
  address: string;
  port: number;
  user: string;
  /** `ansible_ssh_private_key_file`: must be readable. */
  keyFile?: string;
  /** Further identity files (ssh arguments, ssh config), tried when present. */
  identityFiles: string[];
  password?: string;
  become: boolean;
  /** `ansible_become_user` (`--become-user`, ansible.cfg's become_user): who `become` runs commands as; root when unset. */
  becomeUser?: string;
  connectTimeoutMs?: number;
  hostKeys: HostKeyPolicy;
  /** ProxyJump hosts, first hop first. */
  jumps: JumpHost[];
  /** A settings error (unreadable -F file, bad quoting, unsupported ProxyCommand): connecting fails with it. */
  error?: string;
}

export interface SettingsContext {
  inventoryDir: string;
  env?: Record<string, string | undefined>;
  /** Default os.homedir(). */
  home?: string;
  /** The system-wide ssh_config read after ~/.ssh/config (default /etc/ssh/ssh_config; null: none). */
  systemConfig?: string | null;
}

const truthy = (v: unknown): boolean => v === true || v === 1 || /^(true|yes|on|1)$/i.test(String(v ?? ''));
const falsy = (v: unknown): boolean => v === false || v === 0 || /^(false|no|off|0)$/i.test(String(v ?? ''));

/** One option value and where it came from (a relative path in it resolves against `baseDir`). */
interface Value {
  args: string[];
  from: string;
  baseDir: string;
}

/** First-value-wins options; IdentityFile accumulates. */
class Options {
  private readonly values = new Map<string, Value>();
  readonly identities: Value[] = [];
  set(key: string, args: string[], from: string, baseDir: string): void {
    const k = key.toLowerCase();
    if (k === 'identityfile') this.identities.push({ args, from, baseDir });
    else if (!this.values.has(k)) this.values.set(k, { args, from, baseDir });
  }
  get(key: string): Value | undefined {
    return this.values.get(key);
  }
  one(key: string): string | undefined {
    return this.values.get(key)?.args.join(' ');
  }
}

const ARG_OPTIONS: Record<string, string> = { p: 'Port', l: 'User', i: 'IdentityFile', J: 'ProxyJump' };
/** ssh's other options that take an argument (skipped with it). */
const OTHER_WITH_ARG = 'bcDEeIiLmOoQRSWwBFpJl';

/** The words of ssh arguments: `-o` options (`Key=Value` or `Key Value`), `-F`, and the short options above. */
export function parseSshArgs(words: readonly string[]): { options: [string, string[]][]; configFile?: string } {
  const options: [string, string[]][] = [];
  let configFile: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!/^-[A-Za-z0-9]/.test(w)) continue;
    // a cluster of flags ends at the first flag that takes an argument: -Cp2222, -vo Port=2
    for (let j = 1; j < w.length; j++) {
      const f = w[j];
      if (!OTHER_WITH_ARG.includes(f)) continue;
      const val = j + 1 < w.length ? w.slice(j + 1) : words[++i];
      if (val === undefined) break;
      if (f === 'o') {
        const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*)$/s.exec(val);
        if (m) options.push([m[1], splitValue(m[2])]);
      } else if (f === 'F') configFile ??= val;
      else if (ARG_OPTIONS[f]) options.push([ARG_OPTIONS[f], [val]]);
      break;
    }
  }
  return { options, configFile };
}

function splitValue(v: string): string[] {
  try {
    return shlexSplit(v);
  } catch {
    return [v];
  }
}

function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/** OpenSSH's tokens in paths: %h host, %p port, %r user, %n original name, %d home, %u local user, %% percent. */
function tokens(s: string, t: Record<string, string>): string {
  return s.replace(/%(.)/g, (all, c: string) => (c === '%' ? '%' : t[c] ?? all));
}

function localUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'root';
  }
}

/** ProxyJump's `[user@]host[:port]` (an IPv6 host as `[addr]:port`). */
export function parseJump(spec: string): { user?: string; host: string; port?: number } {
  let rest = spec.replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest);
  if (!m || !m[1]) throw new Error(`bad ProxyJump host '${spec}'`);
  return { user, host: m[1], port: m[2] ? Number(m[2]) : undefined };
}

function port(v: string | undefined, from: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${from}: '${v}' is not a port`);
  return n;
}

function timeoutMs(v: Value | undefined): number | undefined {
  if (!v) return undefined;
  const n = Number(v.args[0]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${v.from}: ConnectTimeout '${v.args[0]}' is not a number of seconds`);
  return n * 1000;
}

interface Resolved {
  address: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  userKnownHosts?: string[];
  globalKnownHosts?: string[];
  strict?: { value: string; from: string };
  hash?: boolean;
  connectTimeoutMs?: number;
  proxyJump?: string;
}

function fromConfig(l: ConfigLine): string {
  return `${l.file}:${l.line}`;
}

/** Applies the options gathered for `name` (the name given to ssh). */
function resolveOptions(name: string, o: Options, home: string): Resolved {
  const address = tokens(o.one('hostname') ?? name, { h: name, '%': '%' });
  const p = port(o.one('port'), `Port (${o.get('port')?.from})`);
  const user = o.one('user');
  const t = { h: address, p: String(p ?? 22), r: user ?? 'root', n: name, d: home, u: localUser() };
  const file = (s: string, v: Value) => path.resolve(v.baseDir, expandTilde(tokens(s, t), home));
  const files = (v: Value | undefined) => (v ? (v.args.length === 1 && v.args[0].toLowerCase() === 'none' ? [] : v.args.map((a) => file(a, v))) : undefined);
  const strict = o.get('stricthostkeychecking');
  const proxyCommand = o.get('proxycommand');
  if (proxyCommand && proxyCommand.args.join(' ').toLowerCase() !== 'none') {
    throw new Error(`ProxyCommand (${proxyCommand.from}) is not supported: use ProxyJump`);
  }
  return {
    address,
    port: p,
    user,
    identityFiles: o.identities.flatMap((v) => v.args.map((a) => file(a, v))),
    userKnownHosts: files(o.get('userknownhostsfile')),
    globalKnownHosts: files(o.get('globalknownhostsfile')),
    strict: strict ? { value: strict.args.join(' ').toLowerCase(), from: strict.from } : undefined,
    hash: o.get('hashknownhosts') ? truthy(o.one('hashknownhosts')) : undefined,
    connectTimeoutMs: timeoutMs(o.get('connecttimeout')),
    proxyJump: o.one('proxyjump'),
  };
}

function unknownPolicy(strict: Resolved['strict']): { unknown: UnknownHostPolicy; unknownFrom: string } {
  if (!strict) return { unknown: 'refuse', unknownFrom: 'StrictHostKeyChecking ask (the default; no prompt here)' };
  const from = `StrictHostKeyChecking ${strict.value} (${strict.from})`;
  switch (strict.value) {
    case 'yes': case 'true': case 'ask': return { unknown: 'refuse', unknownFrom: from };
    case 'accept-new': return { unknown: 'record', unknownFrom: from };
    case 'no': case 'off': case 'false': return { unknown: 'record', unknownFrom: from };
    default: throw new Error(`${strict.from}: StrictHostKeyChecking '${strict.value}' is not yes, accept-new, no, off or ask`);
  }
}

/** The ssh config files read: `-F FILE`, else ~/.ssh/config and the system's (those that exist). */
function configFiles(configFile: string | undefined, home: string, systemConfig: string | null): { file: string; includeBase: string }[] {
  if (configFile) return [{ file: configFile, includeBase: path.join(home, '.ssh') }];
  const out: { file: string; includeBase: string }[] = [];
  const user = path.join(home, '.ssh', 'config');
  if (existsFile(user)) out.push({ file: user, includeBase: path.join(home, '.ssh') });
  if (systemConfig && existsFile(systemConfig)) out.push({ file: systemConfig, includeBase: path.dirname(systemConfig) });
  return out;
}

function existsFile(f: string): boolean {
  try {
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}

/** A host's effective SSH settings (see the file's comment). Never throws: a bad setting is `error`. */
export function resolveSshSettings(host: string, vars: Vars, ctx: SettingsContext): SshSettings {
  const env = ctx.env ?? process.env;
  const home = ctx.home ?? os.homedir();
  const str = (k: string): string | undefined => (vars[k] === undefined || vars[k] === null ? undefined : String(vars[k]));
  const name = str('ansible_host') ?? host;
  let keyFile = str('ansible_ssh_private_key_file') ?? str('ansible_private_key_file');
  if (keyFile) keyFile = path.resolve(ctx.inventoryDir, expandTilde(keyFile, home));
  const base: SshSettings = {
    host,
    address: name,
    port: 22,
    user: str('ansible_user') ?? 'root',
    keyFile,
    identityFiles: [],
    password: str('ansible_password') ?? str('ansible_ssh_pass'),
    become: truthy(vars.ansible_become),
    becomeUser: vars.ansible_become_user === undefined || vars.ansible_become_user === null || vars.ansible_become_user === '' ? undefined : String(vars.ansible_become_user),
    hostKeys: defaultHostKeyPolicy(home),
    jumps: [],
  };
  try {
    // 1. explicit inventory variables
    const o = new Options();
    const inv = `inventory variable`;
    if (str('ansible_port') !== undefined) o.set('Port', [str('ansible_port')!], `${inv} ansible_port`, ctx.inventoryDir);
    if (str('ansible_user') !== undefined) o.set('User', [str('ansible_user')!], `${inv} ansible_user`, ctx.inventoryDir);
    const timeout = str('ansible_ssh_timeout') ?? str('ansible_timeout');
    if (timeout !== undefined) o.set('ConnectTimeout', [timeout], `${inv} ansible_timeout`, ctx.inventoryDir);
    // 2. the ssh argument variables
    let configFile: string | undefined;
    for (const v of ['ansible_ssh_args', 'ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
      const text = str(v);
      if (!text) continue;
      let words: string[];
      try {
        words = shlexSplit(text);
      } catch (e) {
        throw new Error(`${v}: ${(e as Error).message}`);
      }
      const parsed = parseSshArgs(words);
      for (const [k, a] of parsed.options) o.set(k, a, `${v} -o ${k}`, ctx.inventoryDir);
      if (parsed.configFile && !configFile) configFile = path.resolve(ctx.inventoryDir, expandTilde(parsed.configFile, home));
    }
    // 3. the ssh config file(s)
    const files = configFiles(configFile, home, ctx.systemConfig === undefined ? '/etc/ssh/ssh_config' : ctx.systemConfig);
    for (const l of configFor(name, files, home)) o.set(l.key, l.args, fromConfig(l), process.cwd());
    const r = resolveOptions(name, o, home);
    const hostKeys = hostKeyPolicy(r, home, vars, env);
    const settings: SshSettings = {
      ...base,
      address: r.address,
      port: r.port ?? 22,
      user: r.user ?? 'root',
      identityFiles: r.identityFiles,
      connectTimeoutMs: r.connectTimeoutMs,
      hostKeys,
    };
    if (r.proxyJump && r.proxyJump.toLowerCase() !== 'none') {
      settings.jumps = r.proxyJump.split(',').map((spec) => jumpHost(spec.trim(), files, home, settings));
    }
    return settings;
  } catch (e) {
    return { ...base, error: (e as Error).message };
  }
}

/** OpenSSH's defaults: ~/.ssh/known_hosts{,2}, /etc/ssh/ssh_known_hosts{,2}, unknown hosts refused. */
export function defaultHostKeyPolicy(home = os.homedir()): HostKeyPolicy {
  return {
    userKnownHosts: [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')],
    globalKnownHosts: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
    ...unknownPolicy(undefined),
    hash: false,
  };
}

function hostKeyPolicy(r: Resolved, home: string, vars: Vars, env: Record<string, string | undefined>): HostKeyPolicy {
  const d = defaultHostKeyPolicy(home);
  let policy = unknownPolicy(r.strict);
  // Ansible: host_key_checking false accepts unknown hosts (the variable wins over the environment);
  // a changed key stays refused whatever the setting.
  const hkc = vars.ansible_host_key_checking;
  if (hkc !== undefined && hkc !== null ? falsy(hkc) : falsy(env.ANSIBLE_HOST_KEY_CHECKING ?? '')) {
    policy = { unknown: 'accept', unknownFrom: hkc !== undefined && hkc !== null ? 'ansible_host_key_checking false' : 'ANSIBLE_HOST_KEY_CHECKING=False' };
  }
  return {
    userKnownHosts: r.userKnownHosts ?? d.userKnownHosts,
    globalKnownHosts: r.globalKnownHosts ?? d.globalKnownHosts,
    ...policy,
    hash: r.hash ?? false,
  };
}

/**
 * A ProxyJump hop: user and port from its spec, else its own Host blocks in the ssh config files,
 * else the target's user; host key files, checking and identity files from its Host blocks, else
 * the target's. (A hop's own ProxyJump is not followed; list every hop in the target's.)
 */
function jumpHost(spec: string, files: { file: string; includeBase: string }[], home: string, target: SshSettings): JumpHost {
  const j = parseJump(spec);
  const o = new Options();
  if (j.port !== undefined) o.set('Port', [String(j.port)], `ProxyJump ${spec}`, process.cwd());
  if (j.user !== undefined) o.set('User', [j.user], `ProxyJump ${spec}`, process.cwd());
  for (const l of configFor(j.host, files, home)) o.set(l.key, l.args, fromConfig(l), process.cwd());
  const r = resolveOptions(j.host, o, home);
  const t = target.hostKeys;
  const strict = r.strict ? unknownPolicy(r.strict) : { unknown: t.unknown, unknownFrom: t.unknownFrom };
  return {
    name: spec,
    address: r.address,
    port: r.port ?? 22,
    user: r.user ?? target.user,
    identityFiles: r.identityFiles.length ? r.identityFiles : [...(target.keyFile ? [target.keyFile] : []), ...target.identityFiles],
    hostKeys: {
      userKnownHosts: r.userKnownHosts ?? t.userKnownHosts,
      globalKnownHosts: r.globalKnownHosts ?? t.globalKnownHosts,
      ...strict,
      hash: r.hash ?? t.hash,
    },
  };
}
