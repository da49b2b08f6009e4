/**
 * OpenSSH client configuration files (ssh_config(5)): the options that apply to one host name,
 * in file order, for the caller to apply first-value-wins.
 *
 * Supported: `Keyword value` and `Keyword=value` lines (keywords case-insensitive, double or single
 * quotes, `#` comments), `Host` blocks (whitespace lists of patterns with `*`, `?`, `!`),
 * `Match all`, `Match host|originalhost PATTERNS` (any other Match criterion never matches, so
 * its block is skipped), and `Include` (globs in the last path component; relative paths are
 * relative to ~/.ssh for the user's file, /etc/ssh for the system's).
 */
import fs from 'node:fs';
import path from 'node:path';
import { shlexSplit } from '../inventory/python-literal.js';
import { patternListMatch, wildcardMatch } from './known-hosts.js';

export interface ConfigLine {
  /** Lower-case keyword. */
  key: string;
  args: string[];
  file: string;
  line: number;
}

type Block = { kind: 'host'; patterns: string[] } | { kind: 'match'; criteria: string[] } | { kind: 'all' };

interface ParsedLine extends ConfigLine {
  block: Block;
}

/** A configuration file that cannot be read or parsed. */
export class SshConfigError extends Error {}

const cache = new Map<string, { stamp: string; lines: ParsedLine[] }>();

/** One file's lines, each with the Host/Match block it is in (parsed once per file version). */
function parseFile(file: string): ParsedLine[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new SshConfigError(`cannot read ssh config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  const hit = cache.get(file);
  if (hit?.stamp === stamp) return hit.lines;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SshConfigError(`cannot read ssh config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lines = parseConfigText(text, file);
  cache.set(file, { stamp, lines });
  return lines;
}

/** Parses ssh_config text into keyword lines tagged with their block. */
export function parseConfigText(text: string, file: string): ParsedLine[] {
  const out: ParsedLine[] = [];
  let block: Block = { kind: 'all' };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/.exec(line);
    if (!m) throw new SshConfigError(`${file}:${i + 1}: cannot parse '${line}'`);
    const key = m[1].toLowerCase();
    let args: string[];
    try {
      args = shlexSplit(m[2], true);
    } catch (e) {
      throw new SshConfigError(`${file}:${i + 1}: ${(e as Error).message}`);
    }
    if (key === 'host') block = { kind: 'host', patterns: args };
    else if (key === 'match') block = { kind: 'match', criteria: args.map((a, j) => (j % 2 === 0 ? a.toLowerCase() : a)) };
    else out.push({ key, args, file, line: i + 1, block });
  });
  return out;
}

function blockMatches(block: Block, name: string): boolean {
  if (block.kind === 'all') return true;
  if (block.kind === 'host') return patternListMatch(name, block.patterns);
  const c = block.criteria;
  if (c.length === 1 && c[0] === 'all') return true;
  if (c.length === 0 || c.length % 2 !== 0) return false;
  for (let i = 0; i < c.length; i += 2) {
    const [what, arg] = [c[i], c[i + 1]];
    const negate = what.startsWith('!');
    const kind = negate ? what.slice(1) : what;
    if (kind !== 'host' && kind !== 'originalhost') return false; // exec, user, localuser, ...: not evaluated
    if (patternListMatch(name, arg.split(',')) === negate) return false;
  }
  return true;
}

function expandInclude(pattern: string, baseDir: string, home: string): string[] {
  let p = pattern.startsWith('~/') ? path.join(home, pattern.slice(2)) : pattern;
  p = path.resolve(baseDir, p);
  const dir = path.dirname(p);
  const base = path.basename(p);
  if (!/[*?]/.test(base)) return fs.existsSync(p) ? [p] : [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => wildcardMatch(n, base)).sort().map((n) => path.join(dir, n));
}

/**
 * The lines of `files` (and their Includes) that apply to host `name`, in order. `includeBase` is
 * the directory relative Include paths start from, per file.
 */
export function configFor(name: string, files: readonly { file: string; includeBase: string }[], home: string): ConfigLine[] {
  const out: ConfigLine[] = [];
  const walk = (file: string, includeBase: string, depth: number) => {
    if (depth > 16) throw new SshConfigError(`${file}: Include nested too deeply`);
    for (const l of parseFile(file)) {
      if (!blockMatches(l.block, name)) continue;
      if (l.key === 'include') {
        for (const pat of l.args) for (const f of expandInclude(pat, includeBase, home)) walk(f, includeBase, depth + 1);
      } else out.push({ key: l.key, args: l.args, file: l.file, line: l.line });
    }
  };
  for (const f of files) walk(f.file, f.includeBase, 0);
  return out;
}
