/**
 * The sandbox's fixed layout: the four hosts, the bridge, and where state lives.
 *
 * State lives outside the git checkout (/var/lib/pgplay/sandbox, /run/pgplay) so that a fresh clone
 * reuses the base image and the apt cache; only the SSH key and the ssh settings live beside the
 * inventory (inventory/sandbox/, gitignored).
 *
 * Instances: 0 is the default sandbox (10.10.10.10-13). PGPLAY_SANDBOX=N (1..4) selects an extra,
 * independent one on the same bridge, proxy, base and key: hosts with the same names at
 * 10.10.10.(10+20N)..(13+20N), with state under /var/lib/pgplay/sandbox/iN and /run/pgplay/iN, ssh
 * settings in inventory/sandbox/iN/ and a generated inventory inventory/sandbox-N.yml.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../api/project-root.js';
import { SandboxError } from './errors.js';

export interface SandboxHost {
  name: string;
  ip: string;
  /** The sandbox instance the host belongs to (0 = the default sandbox, 1..MAX_INSTANCE extra ones). */
  instance: number;
  /** systemd-nspawn's machine name (-M): unique on this machine (nspawn keeps per-machine dirs in /run). */
  machine: string;
  /** Network namespace name (under /run/netns). */
  netns: string;
  /** Controller-side end of the veth pair (at most 15 characters). */
  veth: string;
  /** The host's cgroup, relative to each hierarchy's root. */
  cgroup: string;
}

/** Extra instances are 1..MAX_INSTANCE; their four addresses are 10.10.10.(10+20N)..(13+20N). */
export const MAX_INSTANCE = 4;
export const INSTANCE_STRIDE = 20;
/** The names of the four hosts, in every instance (each instance's hosts have their own filesystems). */
export const HOST_NAMES = ['meta', 'node-1', 'node-2', 'node-3'] as const;

/** '' for the default instance, 'i1' .. 'i4' for the others: part of every per-instance name. */
export function instanceTag(n: number): string {
  return n === 0 ? '' : `i${n}`;
}

function makeHost(n: number, name: string, index: number): SandboxHost {
  const ip = `10.10.10.${10 + index + INSTANCE_STRIDE * n}`;
  if (n === 0) return { name, ip, instance: 0, machine: name, netns: `pgplay-${name}`, veth: `pgp-${name}`, cgroup: `pgplay/${name}` };
  const tag = instanceTag(n);
  // veth: 'pgp-i1-node-1' is 13 characters (the kernel allows 15)
  return { name, ip, instance: n, machine: `pgplay-${tag}-${name}`, netns: `pgplay-${tag}-${name}`, veth: `pgp-${tag}-${name}`, cgroup: `pgplay/${tag}/${name}` };
}

export const NETWORK = {
  bridge: 'pgplay0',
  /** The controller's address on the bridge; apt-cacher-ng listens here. */
  controllerIp: '10.10.10.1',
  prefix: 24,
  subnet: '10.10.10.0/24',
} as const;

export const PROXY_PORT = 3142;
export const PROXY_URL = `http://${NETWORK.controllerIp}:${PROXY_PORT}`;

export const SUITE = 'bookworm';

/** Packages debootstrap puts in the base (minbase variant). */
export const BASE_PACKAGES = [
  'systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'iproute2', 'sudo', 'locales',
  'ca-certificates', 'python3', 'procps',
  // cheap and useful on every host
  'curl', 'gnupg', 'less', 'iputils-ping', 'cron', 'netcat-openbsd', 'rsync', 'openssh-client',
] as const;

/** Debian packages the controller needs, with a command that proves each is there. */
export const CONTROLLER_PACKAGES: readonly { pkg: string; file: string }[] = [
  { pkg: 'debootstrap', file: '/usr/sbin/debootstrap' },
  { pkg: 'systemd-container', file: '/usr/bin/systemd-nspawn' },
  { pkg: 'apt-cacher-ng', file: '/usr/sbin/apt-cacher-ng' },
  { pkg: 'iproute2', file: '/usr/sbin/ip' },
  { pkg: 'openssh-client', file: '/usr/bin/ssh' },
  { pkg: 'util-linux', file: '/usr/bin/mount' },
];

/** Bump when the base recipe (src/sandbox/base.ts) changes in a way the package list does not show. */
export const BASE_RECIPE_REVISION = 4;

/** Identifies the base recipe: a changed recipe triggers a rebuild (when no host is mounted). */
export function baseRecipeStamp(): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ rev: BASE_RECIPE_REVISION, suite: SUITE, pkgs: BASE_PACKAGES, proxy: PROXY_URL }));
  return `${SUITE}-r${BASE_RECIPE_REVISION}-${h.digest('hex').slice(0, 12)}`;
}

const STATE_DIR = process.env.PGPLAY_SANDBOX_STATE_DIR ?? '/var/lib/pgplay/sandbox';
const RUN_DIR = process.env.PGPLAY_SANDBOX_RUN_DIR ?? '/run/pgplay';

/** The repository root (src/api/project-root.ts finds it, from the sources or from dist/). */
export const REPO_ROOT = PROJECT_ROOT;

/** What all instances share: the base, the proxy, the key, the lock for shared resources. */
export const SHARED_PATHS = {
  state: STATE_DIR,
  run: RUN_DIR,
  base: join(STATE_DIR, 'base'),
  baseRoot: join(STATE_DIR, 'base', 'rootfs'),
  baseStamp: join(STATE_DIR, 'base', 'VERSION'),
  baseBuild: join(STATE_DIR, 'base.build'),
  /** Logs that are not one instance's (base build, proxy). */
  sharedLogs: join(STATE_DIR, 'log'),
  proxyConf: join(STATE_DIR, 'apt-cacher-ng'),
  proxyCache: '/var/cache/apt-cacher-ng',
  proxyLogDir: join(STATE_DIR, 'log', 'apt-cacher-ng'),
  proxyPid: join(RUN_DIR, 'apt-cacher-ng.json'),
  /** Held while the bridge, the proxy or the base change, and while overlays are mounted on the base. */
  lock: join(RUN_DIR, 'sandbox.lock'),
  /** The inventory the generated ones are derived from. */
  baseInventory: join(REPO_ROOT, 'inventory', 'sandbox.yml'),
  keyDir: join(REPO_ROOT, 'inventory', 'sandbox'),
  key: join(REPO_ROOT, 'inventory', 'sandbox', 'id_ed25519'),
} as const;

export interface InstancePaths {
  /** The instance's own state dir (the shared state dir for instance 0). */
  state: string;
  /** The instance's pid records (and its lock). */
  run: string;
  hosts: string;
  logs: string;
  /** Held by up/down/reset of this instance for their whole run. */
  instanceLock: string;
  inventory: string;
  sshDir: string;
  sshConfig: string;
  knownHosts: string;
}

export function instancePaths(n: number): InstancePaths {
  const tag = instanceTag(n);
  const state = n === 0 ? STATE_DIR : join(STATE_DIR, tag);
  const run = n === 0 ? RUN_DIR : join(RUN_DIR, tag);
  const sshDir = n === 0 ? SHARED_PATHS.keyDir : join(SHARED_PATHS.keyDir, tag);
  return {
    state,
    run,
    hosts: join(state, 'hosts'),
    logs: join(state, 'log'),
    instanceLock: join(run, 'instance.lock'),
    inventory: n === 0 ? SHARED_PATHS.baseInventory : join(REPO_ROOT, 'inventory', `sandbox-${n}.yml`),
    sshDir,
    sshConfig: join(sshDir, 'ssh_config'),
    knownHosts: join(sshDir, 'known_hosts'),
  };
}

export interface SandboxInstance {
  n: number;
  /** '' for instance 0, else 'i1' ... */
  tag: string;
  hosts: readonly SandboxHost[];
  paths: InstancePaths;
}

const instances = new Map<number, SandboxInstance>();

export function isInstanceNumber(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_INSTANCE;
}

/** Instance N (0 = the default sandbox). */
export function sandboxInstance(n: number): SandboxInstance {
  if (!isInstanceNumber(n)) throw new SandboxError(`there is no sandbox instance ${n}: use 0 (the default) to ${MAX_INSTANCE}.`, 5);
  let inst = instances.get(n);
  if (!inst) {
    inst = { n, tag: instanceTag(n), hosts: HOST_NAMES.map((name, i) => makeHost(n, name, i)), paths: instancePaths(n) };
    instances.set(n, inst);
  }
  return inst;
}

export function allInstances(): SandboxInstance[] {
  return Array.from({ length: MAX_INSTANCE + 1 }, (_, n) => sandboxInstance(n));
}

/** Parses an instance number as given in PGPLAY_SANDBOX or --instance ('' means 0). */
export function parseInstance(value: string | undefined, from = 'PGPLAY_SANDBOX'): number {
  const v = (value ?? '').trim();
  if (v === '') return 0;
  if (!/^\d+$/.test(v) || !isInstanceNumber(Number(v))) {
    throw new SandboxError(`${from}=${value} is not a sandbox instance: use 0 (the default) to ${MAX_INSTANCE}.`, 5);
  }
  return Number(v);
}

/** The instance PGPLAY_SANDBOX selects (0 when it is unset); throws a SandboxError when it is not 0..4. */
export function currentInstance(): SandboxInstance {
  return sandboxInstance(parseInstance(process.env.PGPLAY_SANDBOX));
}

/**
 * The instance PGPLAY_SANDBOX selects, for the plain exports below (HOSTS, PATHS): an invalid value
 * falls back to 0 here, but every command (lifecycle.ts, cli.ts) calls currentInstance() and refuses it.
 */
function envInstanceNumber(): number {
  try {
    return parseInstance(process.env.PGPLAY_SANDBOX);
  } catch {
    return 0;
  }
}

const ENV_INSTANCE = sandboxInstance(envInstanceNumber());

/** The hosts of the instance PGPLAY_SANDBOX selects (the default sandbox when it is unset). */
export const HOSTS: readonly SandboxHost[] = ENV_INSTANCE.hosts;

/** Shared paths plus those of the instance PGPLAY_SANDBOX selects (as before instances existed, for 0). */
export const PATHS = {
  ...SHARED_PATHS,
  hosts: ENV_INSTANCE.paths.hosts,
  logs: ENV_INSTANCE.paths.logs,
  lock: SHARED_PATHS.lock,
  inventory: ENV_INSTANCE.paths.inventory,
  sshConfig: ENV_INSTANCE.paths.sshConfig,
  knownHosts: ENV_INSTANCE.paths.knownHosts,
} as const;

export function hostPaths(h: SandboxHost) {
  const ip = sandboxInstance(h.instance).paths;
  const dir = join(ip.hosts, h.name);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    root: join(dir, 'root'),
    pidFile: join(ip.run, `${h.name}.json`),
    consoleLog: join(ip.logs, `${h.name}.console.log`),
  };
}

/**
 * meta, node-1, ... or the instance's 10.10.10.x; throws a SandboxError naming the accepted names
 * otherwise (and which instance an address of another instance belongs to).
 */
export function resolveHost(nameOrIp: string, inst: SandboxInstance = ENV_INSTANCE): SandboxHost {
  const h = inst.hosts.find((x) => x.name === nameOrIp || x.ip === nameOrIp);
  if (h) return h;
  const other = allInstances().find((i) => i.hosts.some((x) => x.ip === nameOrIp));
  const hint = other
    ? ` ${nameOrIp} is ${other.hosts.find((x) => x.ip === nameOrIp)!.name} of instance ${other.n}: run with PGPLAY_SANDBOX=${other.n}.`
    : '';
  throw new SandboxError(
    `unknown sandbox host '${nameOrIp}'${inst.n ? ` in instance ${inst.n}` : ''}: use one of ${inst.hosts.map((x) => `${x.name} (${x.ip})`).join(', ')}.${hint}`,
  );
}
