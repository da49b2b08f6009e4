/**
 * The bridge on the controller (shared by all instances) and one network namespace per host, joined
 * by a veth pair.
 * No NAT and no default route: hosts reach each other and 10.10.10.1 (the controller), nothing else.
 */
import { existsSync } from 'node:fs';
import { NETWORK, allInstances, type SandboxHost } from './config.js';
import { SandboxError } from './errors.js';
import { must, run } from './exec.js';

async function linkExists(name: string, netns?: string): Promise<boolean> {
  const args = netns ? ['-n', netns, 'link', 'show', name] : ['link', 'show', name];
  return (await run('ip', args)).code === 0;
}

/** Interfaces other than the bridge that already carry an address of the sandbox subnet. */
async function subnetClash(): Promise<string | undefined> {
  const out = (await run('ip', ['-4', '-o', 'addr', 'show'])).stdout;
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(10\.10\.10\.\d+)\//.exec(line);
    if (m && m[1] !== NETWORK.bridge) return `${m[1]} has ${m[2]}`;
  }
  return undefined;
}

/**
 * Fixed, locally administered MAC addresses (02:70:67 = "pg"), derived from the IPv4 address: a host
 * recreated with a new veth keeps its MAC, so neighbour caches on the controller and on the other
 * hosts stay right (otherwise a recreated host is unreachable for ~30 s until ARP entries expire,
 * and the bridge's own MAC would follow its lowest-numbered port).
 */
export function macFor(ip: string, side: 0 | 1 = 0): string {
  const [, , c, d] = ip.split('.').map((x) => Number(x).toString(16).padStart(2, '0'));
  return `02:70:67:${side === 0 ? '0a' : '1a'}:${c}:${d}`;
}

export async function bridgeUp(): Promise<boolean> {
  const r = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', NETWORK.bridge, 'up']);
  return r.code === 0 && r.stdout.includes(`inet ${NETWORK.controllerIp}/${NETWORK.prefix}`);
}

/** Creates (or repairs) the bridge with the controller's address, and re-attaches existing host veths. */
export async function ensureBridge(): Promise<void> {
  const b = NETWORK.bridge;
  if (!(await linkExists(b))) {
    const clash = await subnetClash();
    if (clash) {
      throw new SandboxError(
        `the sandbox subnet ${NETWORK.subnet} is already used on this machine (${clash}); the sandbox needs it for its bridge ${b}. Remove that address first.`,
      );
    }
    await must('creating the sandbox bridge', 'ip', ['link', 'add', 'name', b, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  }
  const addrs = (await run('ip', ['-4', '-o', 'addr', 'show', 'dev', b])).stdout;
  if (!addrs.includes(`inet ${NETWORK.controllerIp}/${NETWORK.prefix}`)) {
    await must('addressing the sandbox bridge', 'ip', ['addr', 'add', `${NETWORK.controllerIp}/${NETWORK.prefix}`, 'dev', b]);
  }
  await must('bringing the sandbox bridge up', 'ip', ['link', 'set', b, 'address', macFor(NETWORK.controllerIp), 'up']);
  // veths of every instance's hosts (a bridge recreated under running hosts gets them all back)
  const links = new Set(
    (await run('ip', ['-o', 'link', 'show'])).stdout
      .split('\n')
      .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
      .filter((x): x is string => !!x),
  );
  for (const h of allInstances().flatMap((i) => i.hosts)) {
    if (links.has(h.veth)) await run('ip', ['link', 'set', h.veth, 'master', b, 'up']);
  }
}

export async function removeBridge(): Promise<void> {
  if (await linkExists(NETWORK.bridge)) await must('removing the sandbox bridge', 'ip', ['link', 'del', NETWORK.bridge]);
}

export function netnsPath(h: SandboxHost): string {
  return `/run/netns/${h.netns}`;
}

/** Removes the host's namespace and veth, whatever state a killed run left them in. */
export async function removeHostNetwork(h: SandboxHost): Promise<void> {
  if (await linkExists(h.veth)) await run('ip', ['link', 'del', h.veth]);
  if (existsSync(netnsPath(h))) {
    const r = await run('ip', ['netns', 'del', h.netns]);
    if (r.code !== 0 && existsSync(netnsPath(h))) {
      throw new SandboxError(`could not remove the network namespace ${h.netns} of ${h.name}: ${r.stderr.trim()}`);
    }
  }
}

/** A fresh namespace with eth0 = host address (set before boot), lo up, and the veth on the bridge. */
export async function createHostNetwork(h: SandboxHost): Promise<void> {
  await removeHostNetwork(h);
  const what = `setting up the network of ${h.name}`;
  await must(what, 'ip', ['netns', 'add', h.netns]);
  await must(what, 'ip', [
    'link', 'add', h.veth, 'address', macFor(h.ip, 1),
    'type', 'veth', 'peer', 'name', 'eth0', 'address', macFor(h.ip), 'netns', h.netns,
  ]);
  await must(what, 'ip', ['link', 'set', h.veth, 'master', NETWORK.bridge, 'up']);
  await must(what, 'ip', ['-n', h.netns, 'addr', 'add', `${h.ip}/${NETWORK.prefix}`, 'dev', 'eth0']);
  await must(what, 'ip', ['-n', h.netns, 'link', 'set', 'eth0', 'up']);
  await must(what, 'ip', ['-n', h.netns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['neigh', 'flush', 'to', h.ip, 'dev', NETWORK.bridge]);
}

export async function hostNetworkPresent(h: SandboxHost): Promise<boolean> {
  return existsSync(netnsPath(h)) && (await linkExists(h.veth));
}
