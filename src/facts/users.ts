/** Accounts from getent: a user (passwd, supplementary groups, shadow hash) and groups. */
import { q } from '../operations/shell-quote.js';
import { sectionScript, sections } from './script.js';

export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
  /** Name of the primary group. */
  group: string;
  home: string;
  shell: string;
  /** Supplementary group names (primary group excluded). */
  groups: string[];
  /** The shadow password hash ('' when unreadable or unset). Secret: never logged. */
  password_hash: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function userCommand(name: string): string {
  const n = q(name);
  return sectionScript({
    passwd: `getent passwd ${n}`,
    primary: `id -gn ${n}`,
    groups: `id -Gn ${n}`,
    shadow: `getent shadow ${n}`,
  });
}

export function parseGroupLine(line: string): GroupEntry | undefined {
  const f = line.trim().split(':');
  if (f.length < 4) return undefined;
  return { name: f[0], gid: Number(f[2]), members: f[3] ? f[3].split(',') : [] };
}

export function parseUser(stdout: string): UserEntry | undefined {
  const s = sections(stdout);
  const f = (s.passwd ?? '').trim().split(':');
  if (f.length < 7) return undefined;
  const primary = (s.primary ?? '').trim() || f[3];
  return {
    name: f[0],
    uid: Number(f[2]),
    gid: Number(f[3]),
    group: primary,
    home: f[5],
    shell: f[6],
    groups: (s.groups ?? '').trim().split(/\s+/).filter((g) => g && g !== primary),
    password_hash: (s.shadow ?? '').split(':')[1]?.trim() ?? '',
  };
}

export function groupCommand(name: string): string {
  return `getent group ${q(name)}; true`;
}

export function parseGroup(stdout: string): GroupEntry | undefined {
  return parseGroupLine(stdout.split('\n')[0] ?? '');
}
