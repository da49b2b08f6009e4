/**
 * The sandbox's fixed layout: the four hosts, the bridge, and where state lives.
 *
 * State lives outside the git checkout (/var/lib/pgplay/sandbox, /run/pgplay) so that a fresh clone
 * reuses the base image and the apt cache; only the SSH key and the ssh settings live beside the
 * inventory (inventory/sandbox/, gitignored).
 */
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxError } from './errors.js';

export interface SandboxHost {
  name: string;
  ip: string;
  /** Network namespace name (under /run/netns). */
  netns: string;
  /** Controller-side end of the veth pair (at most 15 characters). */
  veth: string;
}

function host(name: string, ip: string): SandboxHost {
  return { name, ip, netns: `pgplay-${name}`, veth: `pgp-${name}` };
}

export const HOSTS: readonly SandboxHost[] = [
  host('meta', '10.10.10.10'),
  host('node-1', '10.10.10.11'),
  host('node-2', '10.10.10.12'),
  host('node-3', '10.10.10.13'),
];

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

/** The repository root (this file is src/sandbox/config.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const PATHS = {
  state: STATE_DIR,
  run: RUN_DIR,
  base: join(STATE_DIR, 'base'),
  baseRoot: join(STATE_DIR, 'base', 'rootfs'),
  baseStamp: join(STATE_DIR, 'base', 'VERSION'),
  baseBuild: join(STATE_DIR, 'base.build'),
  hosts: join(STATE_DIR, 'hosts'),
  logs: join(STATE_DIR, 'log'),
  proxyConf: join(STATE_DIR, 'apt-cacher-ng'),
  proxyCache: '/var/cache/apt-cacher-ng',
  proxyLogDir: join(STATE_DIR, 'log', 'apt-cacher-ng'),
  proxyPid: join(RUN_DIR, 'apt-cacher-ng.json'),
  lock: join(RUN_DIR, 'sandbox.lock'),
  inventory: join(REPO_ROOT, 'inventory', 'sandbox.yml'),
  keyDir: join(REPO_ROOT, 'inventory', 'sandbox'),
  key: join(REPO_ROOT, 'inventory', 'sandbox', 'id_ed25519'),
  sshConfig: join(REPO_ROOT, 'inventory', 'sandbox', 'ssh_config'),
  knownHosts: join(REPO_ROOT, 'inventory', 'sandbox', 'known_hosts'),
} as const;

export function hostPaths(h: SandboxHost) {
  const dir = join(PATHS.hosts, h.name);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    root: join(dir, 'root'),
    pidFile: join(RUN_DIR, `${h.name}.json`),
    consoleLog: join(PATHS.logs, `${h.name}.console.log`),
  };
}

/** meta, node-1, ... or 10.10.10.x; throws a SandboxError naming the accepted names otherwise. */
export function resolveHost(nameOrIp: string): SandboxHost {
  const h = HOSTS.find((x) => x.name === nameOrIp || x.ip === nameOrIp);
  if (!h) {
    throw new SandboxError(
      `unknown sandbox host '${nameOrIp}': use one of ${HOSTS.map((x) => `${x.name} (${x.ip})`).join(', ')}.`,
    );
  }
  return h;
}
