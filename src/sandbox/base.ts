/**
 * The base image: `debootstrap --variant=minbase bookworm`, configured once, read-only lower layer of
 * every host's overlay. Built through apt-cacher-ng from the mirror this machine's own apt sources
 * name (read at run time; no mirror host is written in the repository). Stamped with the recipe
 * version so a changed recipe triggers a rebuild (only when no host is mounted).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_PACKAGES, NETWORK, SHARED_PATHS as PATHS, PROXY_URL, SUITE, baseRecipeStamp, sandboxInstance, type SandboxInstance } from './config.js';
import { SandboxError } from './errors.js';
import { run, say } from './exec.js';

export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  signedBy?: string;
}

function parseDeb822(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const f: Record<string, string> = {};
    let last = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || !line.trim()) continue;
      if (/^\s/.test(line) && last) {
        f[last] += ` ${line.trim()}`;
        continue;
      }
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) {
        last = m[1].toLowerCase();
        f[last] = m[2];
      }
    }
    if (!f.uris || !f.suites) continue;
    if (f.enabled && f.enabled.trim().toLowerCase() === 'no') continue;
    const words = (s = '') => s.split(/\s+/).filter(Boolean);
    out.push({
      types: words(f.types),
      uris: words(f.uris),
      suites: words(f.suites),
      components: words(f.components),
      signedBy: f['signed-by']?.trim() || undefined,
    });
  }
  return out;
}

function parseOneLine(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const signed = /signed-by=(\S+)/.exec(m[2] ?? '');
    out.push({ types: [m[1]], uris: [m[3]], suites: [m[4]], components: m[5].split(/\s+/).filter(Boolean), signedBy: signed?.[1] });
  }
  return out;
}

/** This machine's Debian bookworm sources (deb lines only), with https turned into http for the proxy. */
export function machineSources(): AptSource[] {
  const found: AptSource[] = [];
  const files = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    found.push(...(file.endsWith('.sources') ? parseDeb822(text) : parseOneLine(text)));
  }
  return found
    .filter((s) => s.types.includes('deb') && s.suites.every((x) => x === SUITE || x.startsWith(`${SUITE}-`)))
    .map((s) => ({ ...s, types: ['deb'], uris: s.uris.map((u) => u.replace(/^https:/, 'http:')) }));
}

/** The mirror debootstrap uses: the first source that carries the plain bookworm suite. */
export function machineMirror(): string {
  const src = machineSources().find((s) => s.suites.includes(SUITE));
  if (!src) {
    throw new SandboxError(
      `no Debian ${SUITE} mirror found in this machine's apt sources (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list); the sandbox builds its hosts from the mirror this machine uses.`,
    );
  }
  return src.uris[0];
}

function hostsSourcesText(): string {
  return (
    machineSources()
      .map((s) =>
        [
          'Types: deb',
          `URIs: ${s.uris.join(' ')}`,
          `Suites: ${s.suites.join(' ')}`,
          `Components: ${(s.components.length ? s.components : ['main']).join(' ')}`,
          `Signed-By: ${s.signedBy ?? '/usr/share/keyrings/debian-archive-keyring.gpg'}`,
        ].join('\n'),
      )
      .join('\n\n') + '\n'
  );
}

/**
 * /etc/hosts: the base has instance 0's (the four names at 10.10.10.10-13); a host of another
 * instance gets its own copy with its instance's addresses (host.ts, ensureEtcHosts).
 */
export function etcHostsText(inst: SandboxInstance = sandboxInstance(0)): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    '',
    '# pgplay sandbox',
    `${NETWORK.controllerIp}\tpgplay-controller`,
    ...inst.hosts.map((h) => `${h.ip}\t${h.name}`),
    '',
  ].join('\n');
}

export function baseStamp(): string | undefined {
  try {
    return readFileSync(PATHS.baseStamp, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function baseIsCurrent(): boolean {
  return existsSync(join(PATHS.baseRoot, 'usr/bin/systemctl')) && baseStamp() === baseRecipeStamp();
}

async function aptConfigValue(key: string): Promise<string | undefined> {
  const r = await run('apt-config', ['dump', key]);
  const m = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} "([^"]*)";`, 'm').exec(r.stdout);
  return m?.[1];
}

function put(root: string, rel: string, text: string, mode = 0o644): void {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  rmSync(file, { force: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

/** Builds the base into base.build/ and moves it into place. Takes about 80 s with a cold cache. */
export async function buildBase(): Promise<void> {
  const mirror = machineMirror();
  mkdirSync(PATHS.sharedLogs, { recursive: true });
  const log = join(PATHS.sharedLogs, 'base-build.log');
  const buildRoot = join(PATHS.baseBuild, 'rootfs');
  rmSync(PATHS.baseBuild, { recursive: true, force: true });
  mkdirSync(buildRoot, { recursive: true });
  say(`building the base image (debootstrap ${SUITE} minbase from ${mirror} via the apt proxy; about 80 s, log ${log}) ...`);
  const t0 = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, http_proxy: PROXY_URL, DEBIAN_FRONTEND: 'noninteractive', LANG: 'C.UTF-8' };
  delete env.https_proxy;
  const fd = openSync(log, 'w');
  closeSync(fd);
  const append = (s: string) => writeFileSync(log, s, { flag: 'a' });
  const ds = await run(
    'debootstrap',
    ['--variant=minbase', `--include=${BASE_PACKAGES.join(',')}`, '--components=main', SUITE, buildRoot, mirror],
    { env },
  );
  append(ds.stdout + ds.stderr);
  if (ds.code !== 0) {
    const tail = (ds.stdout + ds.stderr).trim().split('\n').slice(-4).join('\n');
    throw new SandboxError(
      `debootstrap could not build the base from ${mirror} (taken from this machine's apt sources) through the apt proxy ${PROXY_URL}: exit ${ds.code}. Check that \`apt-get update\` works on this machine; the full log is ${log}.\n${tail}`,
    );
  }

  // --- configure the base -------------------------------------------------------------------
  const R = buildRoot;
  const aptConf = [`Acquire::http::Proxy "${PROXY_URL}";`];
  // a snapshot mirror's Release files may have expired: follow this machine's own apt settings
  if ((await aptConfigValue('Acquire::Check-Valid-Until')) === 'false') aptConf.push('Acquire::Check-Valid-Until "false";');
  put(R, 'etc/apt/apt.conf.d/01pgplay-sandbox', aptConf.join('\n') + '\n');
  rmSync(join(R, 'etc/apt/sources.list'), { force: true });
  put(R, 'etc/apt/sources.list.d/debian.sources', hostsSourcesText());
  rmSync(join(R, 'usr/sbin/policy-rc.d'), { force: true });
  put(R, 'etc/hosts', etcHostsText());
  put(R, 'etc/hostname', 'localhost\n');
  put(R, 'etc/resolv.conf', '# pgplay sandbox hosts have no DNS and no route out: names are in /etc/hosts\noptions timeout:1 attempts:1\n');
  put(R, 'etc/machine-id', ''); // each host gets its own, written into its overlay
  rmSync(join(R, 'var/lib/dbus/machine-id'), { force: true });
  put(R, 'etc/locale.gen', 'en_US.UTF-8 UTF-8\nC.UTF-8 UTF-8\n');
  put(R, 'etc/default/locale', 'LANG=C.UTF-8\n');
  put(
    R,
    'etc/ssh/sshd_config.d/pgplay-sandbox.conf',
    [
      // each host gets its own keys at first boot (src/sandbox/host.ts): ed25519 and ecdsa, no slow RSA
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'HostKey /etc/ssh/ssh_host_ecdsa_key',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UseDNS no',
      '',
    ].join('\n'),
  );
  put(R, 'etc/systemd/journald.conf.d/pgplay-sandbox.conf', '[Journal]\nSystemMaxUse=64M\n');
  mkdirSync(join(R, 'root/.ssh'), { recursive: true, mode: 0o700 });
  chmodSync(join(R, 'root/.ssh'), 0o700);

  const chroot = async (what: string, script: string) => {
    const r = await run('chroot', [R, '/bin/sh', '-ec', script], { env: { ...env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    append(`\n# ${what}\n${r.stdout}${r.stderr}`);
    if (r.code !== 0) {
      throw new SandboxError(`configuring the base failed at "${what}" (exit ${r.code}); see ${log}.\n${r.stderr.trim().split('\n').slice(-4).join('\n')}`);
    }
  };
  await chroot('locale-gen', 'locale-gen');
  await chroot(
    'ssh host keys, getty',
    [
      'rm -f /etc/ssh/ssh_host_*',
      // the console is read-only (nspawn --console=read-only): no login prompts there
      'systemctl mask console-getty.service getty@tty1.service >/dev/null 2>&1 || true',
      // no background apt runs holding the dpkg lock while a playbook installs packages
      'systemctl mask apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true',
    ].join('\n'),
  );
  // keep apt's binary caches in the base, so a host's first apt-get does not write 80 MB of its own
  await chroot('apt-get update', 'apt-get -q update && apt-get clean && apt-cache gencaches >/dev/null');

  writeFileSync(join(PATHS.baseBuild, 'VERSION'), baseRecipeStamp() + '\n');
  rmSync(PATHS.base, { recursive: true, force: true });
  renameSync(PATHS.baseBuild, PATHS.base);
  say(`base image ready in ${((Date.now() - t0) / 1000).toFixed(0)} s (${PATHS.baseRoot})`);
}

export function removeBase(): void {
  rmSync(PATHS.baseBuild, { recursive: true, force: true });
  rmSync(PATHS.base, { recursive: true, force: true });
}
