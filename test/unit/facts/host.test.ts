import { describe, expect, it } from 'vitest';
import { gatherFacts, parseAddrs, parseDf, parseHostFacts } from '../../../src/facts/host.js';
import { sectionScript, sections } from '../../../src/facts/script.js';
import { LocalConnection } from '../../../src/connectors/local.js';

const section = (name: string, body: string) => `\n\x1ePGPLAY-SECTION:${name}\n${body}`;

const FIXTURE = [
  section('hostname', 'pg-test-1\n'),
  section('fqdn', 'pg-test-1.example.com\n'),
  section('os', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n'),
  section('kernel', '6.1.0-18-amd64\n'),
  section('arch', 'x86_64\n'),
  section('nproc', '4\n'),
  section('meminfo', 'MemTotal:        8131532 kB\nMemFree:  1 kB\nSwapTotal:       1048572 kB\n'),
  section('df', [
    'Filesystem     Type     1024-blocks    Used Available Capacity Mounted on',
    'udev           devtmpfs     4040000       0   4040000       0% /dev',
    'tmpfs          tmpfs         813156     900    812256       1% /run',
    '/dev/vda1      ext4        51290592 9000000  40000000      19% /',
    '/dev/vdb       xfs        104857600 1000000 103857600       1% /data',
    '/dev/vdc       ext4         1048576       0   1048576       0% /mnt/with space',
    'overlay        overlay     51290592 9000000  40000000      19% /var/lib/docker/overlay2/x/merged',
  ].join('\n') + '\n'),
  section('pid1', 'systemd\n'),
  section('virt', 'none\nsystemd-nspawn\n'),
  section('pg', '/usr/lib/postgresql/17/bin/postgres\n/usr/lib/postgresql/16/bin/postgres\n'),
  section('user', 'admin\n1000\n'),
  section('route', '1.1.1.1 via 10.10.10.1 dev eth0 src 10.10.10.11 uid 1000\n    cache\n'),
  section('addrs', '1: lo    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 10.10.10.11/24 brd 10.10.10.255 scope global eth0\n3: eth1    inet 192.168.0.5/24 scope global eth1\n'),
].join('');

describe('host facts', () => {
  it('parses every field', () => {
    expect(parseHostFacts(FIXTURE)).toEqual({
      hostname: 'pg-test-1', fqdn: 'pg-test-1.example.com',
      os_id: 'debian', os_version: '12', os_codename: 'bookworm', os_pretty: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-18-amd64', arch: 'x86_64', cpu_count: 4, mem_mb: 7941, swap_mb: 1024,
      disks: [
        { mount: '/', device: '/dev/vda1', fstype: 'ext4', size_mb: 50088, avail_mb: 39062 },
        { mount: '/data', device: '/dev/vdb', fstype: 'xfs', size_mb: 102400, avail_mb: 101423 },
        { mount: '/mnt/with space', device: '/dev/vdc', fstype: 'ext4', size_mb: 1024, avail_mb: 1024 },
      ],
      systemd: true, virtualization: 'systemd-nspawn', pg_versions: [16, 17],
      user: 'admin', uid: 1000, default_ipv4: '10.10.10.11', ipv4_addresses: ['10.10.10.11', '192.168.0.5'],
    });
  });

  it('defaults when tools are missing', () => {
    const f = parseHostFacts(section('hostname', 'h\n'));
    expect(f).toMatchObject({ hostname: 'h', fqdn: 'h', os_id: '', cpu_count: 1, mem_mb: 0, disks: [], systemd: false, virtualization: '', pg_versions: [], uid: -1, default_ipv4: '', ipv4_addresses: [] });
  });

  it('parses hostname -I and df helpers', () => {
    expect(parseAddrs('10.0.0.2 172.17.0.1 fe80::1 \n')).toEqual(['10.0.0.2', '172.17.0.1']);
    expect(parseDf('header\n')).toEqual([]);
  });

  it('gathers this host in one round trip', async () => {
    const conn = new LocalConnection();
    const f = await gatherFacts(conn);
    expect(conn.roundTrips).toBe(1);
    expect(f.hostname).not.toBe('');
    expect(f.cpu_count).toBeGreaterThan(0);
    expect(f.mem_mb).toBeGreaterThan(0);
    expect(f.kernel).toMatch(/^\d/);
    expect(f.disks.some((d) => d.mount === '/')).toBe(true);
    expect(f.uid).toBe(process.getuid?.());
  });
});

describe('section scripts', () => {
  it('keep each part\'s exact output', async () => {
    const r = await new LocalConnection().exec(sectionScript({ a: 'printf x', b: 'printf "y\\n\\n"', c: 'false', d: 'echo nope >&2' }));
    expect(sections(r.stdout)).toEqual({ a: 'x', b: 'y\n\n', c: '', d: '' });
  });
});
