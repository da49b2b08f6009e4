/**
 * The decision on the key a server presented during the handshake: accept it, accept and record it
 * (accept-new), or refuse it with a message that says what was presented, what was expected where,
 * and how to proceed. A changed or revoked key is refused whatever the settings.
 */
import { q } from '../operations/shell-quote.js';
import { appendKnownHost, blobType, fingerprint, hostName, verifyHostKey, type KnownHostEntry } from './known-hosts.js';
import type { HostKeyPolicy } from './ssh-settings.js';

export type HostKeyDecision = { accept: true; recorded?: string } | { accept: false; message: string };

const at = (e: KnownHostEntry) => `${e.file}:${e.line}`;

/**
 * Checks `blob`, the key `address`:`port` presented, against `entries` (read from the policy's
 * files); records it in the first user file when the policy says so.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], address: string, port: number, blob: Buffer, policy: HostKeyPolicy): HostKeyDecision {
  const verdict = verifyHostKey(entries, address, port, blob);
  const type = blobType(blob) || 'unknown-type';
  const presented = `presented the ${type} key ${fingerprint(blob)}`;
  const name = hostName(address, port);
  switch (verdict.status) {
    case 'ok':
      return { accept: true };
    case 'revoked':
      return {
        accept: false,
        message: `REVOKED host key: the host ${presented}, which ${at(verdict.entry)} marks @revoked; refused, nothing was sent to it. ` +
          `Replace the host's key (and its known_hosts entries) before connecting again.`,
      };
    case 'changed': {
      const exp = verdict.expected;
      const expected = exp.map((e) => `${e.keyType} ${fingerprint(e.key)} at ${at(e)}`).join(', ');
      const files = [...new Set(exp.map((e) => e.file))];
      return {
        accept: false,
        message: `HOST KEY CHANGED: the host ${presented}, but ${name} is known with ${expected}. ` +
          `Someone may be intercepting the connection (man in the middle), or the host was reinstalled; refused, nothing was sent to it. ` +
          `If the change is expected, remove the old key with ${files.map((f) => `ssh-keygen -R ${q(name)} -f ${q(f)}`).join(' and ')}, then connect again.`,
      };
    }
    case 'unknown': {
      if (policy.unknown === 'accept') return { accept: true };
      if (policy.unknown === 'record') {
        const file = policy.userKnownHosts[0];
        if (!file || file === '/dev/null') return { accept: true };
        try {
          appendKnownHost(file, address, port, blob, policy.hash);
          return { accept: true, recorded: file };
        } catch {
          return { accept: true }; // as ssh: a key that cannot be recorded does not stop the connection
        }
      }
      const looked = [...policy.userKnownHosts, ...policy.globalKnownHosts].join(', ') || 'none';
      const keyscan = `ssh-keyscan -t ${type.replace(/^ssh-/, '').replace(/^ecdsa-sha2-nistp\d+$/, 'ecdsa')}${port === 22 ? '' : ` -p ${port}`} ${q(address)}`;
      return {
        accept: false,
        message: `unknown host key: the host ${presented}, and no known_hosts file lists ${name} (looked in ${looked}); ` +
          `refused by ${policy.unknownFrom}, nothing was sent to it. ` +
          `Check the fingerprint, then add the key to ${policy.userKnownHosts[0] ?? 'a known_hosts file'} (${keyscan} >> FILE), ` +
          `or let the first connection record it: -o StrictHostKeyChecking=accept-new in ansible_ssh_common_args.`,
      };
    }
  }
}
