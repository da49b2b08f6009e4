/** Host facts, gathered once per host in ONE round trip. Missing tools leave defaults. */
import type { Connection, DiskFact, Facts } from '../api/types.js';
import { sectionScript, sections } from './script.js';

export const hostFactsCommand = sectionScript({
  hostname: 'hostname 2>/dev/null || cat /proc/sys/kernel/hostname',
  fqdn: 'hostname -f',
  os: 'cat /etc/os-release',
  kernel: 'uname -r',
  arch: 'uname -m',
  nproc: 'nproc || getconf _NPROCESSORS_ONLN',
  meminfo: 'cat /proc/meminfo',
  df: 'df -P -k -T',
  pid1: 'cat /proc/1/comm',
  virt: 'systemd-detect-virt || cat /run/systemd/container || { [ -f /.dockerenv ] && echo docker; }',
  pg: 'ls -d /usr/lib/postgresql/*/bin/postgres',
  user: 'id -un; id -u',
  route: 'ip -4 route get 1.1.1.1',
  addrs: 'ip -4 -o addr show || hostname -I',
});

/** Filesystems that hold no data (df lists them too). */
const PSEUDO_FS = /^(tmpfs|devtmpfs|proc|sysfs|devpts|cgroup2?|mqueue|debugfs|tracefs|securityfs|pstore|bpf|autofs|hugetlbfs|configfs|fusectl|efivarfs|ramfs|squashfs|nsfs|binfmt_misc|rpc_pipefs|shm|none)$/;

function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

function parseMeminfo(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

export function parseDf(text: string): DiskFact[] {
  const disks: DiskFact[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    const [device, fstype, size, , avail] = f;
    const mount = f.slice(6).join(' ');
    if (PSEUDO_FS.test(fstype) || /^\/(proc|sys|dev|run)(\/|$)/.test(mount)) continue;
    if (fstype === 'overlay' && mount !== '/') continue; // container layers on a docker host
    if (disks.some((d) => d.mount === mount)) continue;
    disks.push({ mount, device, fstype, size_mb: Math.floor(Number(size) / 1024), avail_mb: Math.floor(Number(avail) / 1024) });
  }
  return disks;
}

/** IPv4 addresses from `ip -4 -o addr show` (or `hostname -I`), loopback excluded. */
export function parseAddrs(text: string): string[] {
  const found = text.includes(' inet ')
    ? [...text.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1])
    : text.split(/\s+/).filter((s) => /^\d+\.\d+\.\d+\.\d+$/.test(s));
  return [...new Set(found.filter((a) => !a.startsWith('127.')))];
}

export function parseHostFacts(stdout: string): Facts {
  const s = sections(stdout);
  const line = (k: string) => (s[k] ?? '').split('\n')[0].trim();
  const os = parseOsRelease(s.os ?? '');
  const [user = '', uid = ''] = (s.user ?? '').split('\n').map((l) => l.trim());
  const virt = (s.virt ?? '').split('\n').map((l) => l.trim()).find((l) => l && l !== 'none') ?? '';
  const addrs = parseAddrs(s.addrs ?? '');
  const hostname = line('hostname');
  return {
    hostname,
    fqdn: line('fqdn') || hostname,
    os_id: os.ID ?? '',
    os_version: os.VERSION_ID ?? '',
    os_codename: os.VERSION_CODENAME ?? '',
    os_pretty: os.PRETTY_NAME ?? '',
    kernel: line('kernel'),
    arch: line('arch'),
    cpu_count: Number(line('nproc')) || 1,
    mem_mb: parseMeminfo(s.meminfo ?? '', 'MemTotal'),
    swap_mb: parseMeminfo(s.meminfo ?? '', 'SwapTotal'),
    disks: parseDf(s.df ?? ''),
    systemd: line('pid1') === 'systemd',
    virtualization: virt,
    pg_versions: [...(s.pg ?? '').matchAll(/\/usr\/lib\/postgresql\/(\d+)\/bin\/postgres/g)].map((m) => Number(m[1])).sort((a, b) => a - b),
    user,
    uid: uid === '' ? -1 : Number(uid),
    default_ipv4: /\bsrc (\d+\.\d+\.\d+\.\d+)/.exec(s.route ?? '')?.[1] ?? addrs[0] ?? '',
    ipv4_addresses: addrs,
  };
}

/** Gathers the facts of the connection's host in one round trip. */
export async function gatherFacts(conn: Connection): Promise<Facts> {
  const r = await conn.exec(hostFactsCommand);
  return parseHostFacts(r.stdout);
}
