/** stat of one path: existence, type, owner, group, mode, link target, sha256, content (base64). */
import { q } from '../operations/shell-quote.js';

export interface FileStat {
  exists: boolean;
  type?: 'file' | 'directory' | 'link' | 'other';
  owner?: string;
  uid?: number;
  group?: string;
  gid?: number;
  /** Four octal digits, e.g. 0644. */
  mode?: string;
  size?: number;
  /** Target of a symbolic link. */
  link?: string;
  /** Of a regular file, when asked. */
  sha256?: string;
  /** Of a regular file, when asked. */
  content?: Buffer;
}

export interface StatOptions {
  checksum?: boolean;
  content?: boolean;
  /** Describe what a link points to rather than the link (`link` still gives its target). */
  follow?: boolean;
}

/** Prints key=value lines. */
export function statCommand(path: string, opts: StatOptions = {}): string {
  const lines = [
    `p=${q(path)}`,
    `if [ -e "$p" ] || [ -L "$p" ]; then`,
    `  echo exists=1`,
    `  stat ${opts.follow ? '-L ' : ''}--printf 'type=%F\\nowner=%U\\nuid=%u\\ngroup=%G\\ngid=%g\\nmode=%a\\nsize=%s\\n' -- "$p" || exit 1`,
    `  if [ -L "$p" ]; then printf 'link=%s\\n' "$(readlink -- "$p")"; fi`,
  ];
  // One process per item (no command substitution, no pipe): sha256sum prints "<hash>  -".
  if (opts.checksum) lines.push(`  if [ -f "$p" ] && [ ! -L "$p" ]; then printf 'sha256='; sha256sum < "$p"; fi`);
  if (opts.content) lines.push(`  if [ -f "$p" ] && [ ! -L "$p" ]; then printf 'content='; base64 -w0 < "$p"; echo; fi`);
  lines.push('else', '  echo exists=0', 'fi');
  return lines.join('\n');
}

const TYPES: Record<string, FileStat['type']> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'directory',
  'symbolic link': 'link',
};

export function parseStat(stdout: string): FileStat {
  const kv: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
  }
  if (kv.exists !== '1') return { exists: false };
  return {
    exists: true,
    type: TYPES[kv.type] ?? 'other',
    owner: kv.owner,
    uid: Number(kv.uid),
    group: kv.group,
    gid: Number(kv.gid),
    mode: kv.mode?.padStart(4, '0'),
    size: Number(kv.size),
    link: kv.link,
    sha256: kv.sha256?.slice(0, 64) || undefined,
    content: kv.content === undefined ? undefined : Buffer.from(kv.content, 'base64'),
  };
}
