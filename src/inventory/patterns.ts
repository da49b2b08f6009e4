/**
 * Ansible host patterns (`-l/--limit`, a play's `hosts:`), ported from ansible-core 2.14
 * `InventoryManager` (inventory/manager.py) so that a pattern selects the same hosts, in the same
 * order, as `ansible all -i FILE -l PATTERN --list-hosts`:
 *
 * - `a,b` or `a:b` union, `a:&b` intersection, `a:!b` exclusion; evaluated union → intersection →
 *   exclusion whatever the written order, starting from `all` when there is no plain term
 *   (`!pg-test:etcd` = etcd minus pg-test, `!pg-test` = all minus pg-test).
 * - With a comma anywhere, only commas separate (`a,b:&c` is the two terms `a` and `b:&c`).
 * - A term is a glob (fnmatch: `*`, `?`, `[seq]`, `[!seq]`) or `~regex` (Python `re.match`, i.e.
 *   anchored at the start only) matched against group names (a match takes all the group's hosts,
 *   children included) and, when no group matched or the term is a glob/regex, host names.
 * - Subscripts on non-regex terms: `g[0]`, `g[-1]`, `g[1:2]` (inclusive end), `g[1:]`. `g[:2]` is
 *   not a subscript in Ansible (it is a glob character class) and is not one here either.
 * - `@file` reads one pattern per line.
 * - Unlike Ansible, a name that is neither a host nor a group never selects an implicit `localhost`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../api/errors.js';
import type { Inventory } from './types.js';
import { groupHosts } from './vars.js';

export interface SelectOptions {
  /** Directory `@file` patterns are relative to (default: process.cwd()). */
  cwd?: string;
  /** An additional `--limit` pattern: the result keeps only hosts it selects (Ansible's subset). */
  limit?: string;
  /** A play's `order:` (Ansible get_hosts): default 'inventory'. */
  order?: HostOrder;
}

export type HostOrder = 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';

export interface Selection {
  /** Matching hosts, deduplicated, in Ansible's order. */
  hosts: string[];
  /** Terms that matched no group and no host (Ansible: "Could not match supplied host pattern, ignoring: X"). */
  unmatched: string[];
}

// ---------------------------------------------------------------------------------------------
// Addresses (ansible/parsing/utils/addresses.py): used to tell `host:port` and IPv6 addresses
// from `a:b` pattern lists, and by host-range.ts to read inventory host keys.
// ---------------------------------------------------------------------------------------------

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alnumRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const ipv6c = `(?:[0-9a-f]{1,4}|${hexRange})`;
const ipv4c = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
const word = String.raw`[\p{L}\p{N}_]`;
const label = `(?:${word}|${alnumRange})(?:${word}|[_-]|${alnumRange})*(?<![_-])`;

const ADDRESS = {
  bracketedHostport: /^\[(.+)\]:([0-9]+)$/,
  hostport: /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/,
  ipv4: new RegExp(`^(?:${ipv4c}\\.){3}${ipv4c}$`, 'i'),
  ipv6: new RegExp(
    '^(?:' +
      [
        `(?:${ipv6c}:){7}${ipv6c}`,
        `(?:${ipv6c}:){1,6}:`,
        `(?:${ipv6c}:)(?::${ipv6c}){1,6}`,
        `(?:${ipv6c}:){2}(?::${ipv6c}){1,5}`,
        `(?:${ipv6c}:){3}(?::${ipv6c}){1,4}`,
        `(?:${ipv6c}:){4}(?::${ipv6c}){1,3}`,
        `(?:${ipv6c}:){5}(?::${ipv6c}){1,2}`,
        `(?:${ipv6c}:){6}(?::${ipv6c})`,
        `:(?::${ipv6c}){1,6}`,
        `${ipv6c}?::`,
        `(?:0:){6}(?:${ipv6c}\\.){3}${ipv6c}`,
        `::(?:ffff:)?(?:${ipv6c}\\.){3}${ipv6c}`,
        `(?:0:){5}ffff:(?:${ipv6c}\\.){3}${ipv6c}`,
      ].join('|') +
      ')$',
    'i',
  ),
  hostname: new RegExp(`^${label}(?:\\.${label})*$`, 'iu'),
};

/**
 * Ansible's `parse_address(address, allow_ranges)`: splits an optional port off a hostname, IPv4
 * or IPv6 address (IPv6 ports need brackets). Returns null when it is not an address.
 */
export function parseAddress(address: string, allowRanges = false): { host: string; port?: number } | null {
  let port: number | undefined;
  let a = address;
  for (const re of [ADDRESS.bracketedHostport, ADDRESS.hostport]) {
    const m = re.exec(a);
    if (m) {
      a = m[1];
      port = Number(m[2]);
    }
  }
  const ok = ADDRESS.ipv4.test(a) || ADDRESS.ipv6.test(a) || ADDRESS.hostname.test(a);
  if (!ok) return null;
  if (!allowRanges && a.includes('[')) return null;
  return { host: a, port };
}

// ---------------------------------------------------------------------------------------------
// Splitting and ordering (split_host_pattern, order_patterns).
// ---------------------------------------------------------------------------------------------

/** `'a,b[1], c[2:3] , d'` → `['a', 'b[1]', 'c[2:3]', 'd']`; `'a:&b:!c'` → `['a', '&b', '!c']`. */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern, true)) parts = [pattern];
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Plain terms first, then `&` terms, then `!` terms; `all` when there is no plain term. */
export function orderPatterns(patterns: string[]): string[] {
  const regular: string[] = [];
  const inter: string[] = [];
  const excl: string[] = [];
  for (const p of patterns) {
    if (!p) continue;
    if (p[0] === '!') excl.push(p);
    else if (p[0] === '&') inter.push(p);
    else regular.push(p);
  }
  return [...(regular.length ? regular : ['all']), ...inter, ...excl];
}

// ---------------------------------------------------------------------------------------------
// Matching names: fnmatch globs and Python regexes.
// ---------------------------------------------------------------------------------------------

const RE_SPECIAL = /[.*+?^${}()|[\]\\/-]/g;

/** Python's `fnmatch.translate`, as a JavaScript regex source matching the whole name. */
export function fnmatchToRegex(pat: string): string {
  let res = '';
  let i = 0;
  let star = false;
  const n = pat.length;
  while (i < n) {
    const c = pat[i++];
    const wasStar = star;
    star = c === '*';
    if (c === '*') {
      if (!wasStar) res += '.*';
    } else if (c === '?') {
      res += '.';
    } else if (c === '[') {
      let j = i;
      if (j < n && pat[j] === '!') j++;
      if (j < n && pat[j] === ']') j++;
      while (j < n && pat[j] !== ']') j++;
      if (j >= n) {
        res += '\\[';
        continue;
      }
      let stuff: string;
      if (!pat.slice(i, j).includes('-')) {
        stuff = pat.slice(i, j).replace(/\\/g, '\\\\');
      } else {
        const chunks: string[] = [];
        let k = pat[i] === '!' ? i + 2 : i + 1;
        let start = i;
        for (;;) {
          k = pat.indexOf('-', k);
          if (k < 0 || k >= j) break;
          chunks.push(pat.slice(start, k));
          start = k + 1;
          k = k + 3;
        }
        const chunk = pat.slice(start, j);
        if (chunk) chunks.push(chunk);
        else chunks[chunks.length - 1] += '-';
        for (let m = chunks.length - 1; m > 0; m--) {
          if (chunks[m - 1][chunks[m - 1].length - 1] > chunks[m][0]) {
            chunks[m - 1] = chunks[m - 1].slice(0, -1) + chunks[m].slice(1);
            chunks.splice(m, 1);
          }
        }
        stuff = chunks.map((s) => s.replace(/\\/g, '\\\\').replace(/-/g, '\\-')).join('-');
      }
      stuff = stuff.replace(/([&~|])/g, '\\$1');
      i = j + 1;
      if (!stuff) res += '(?!)';
      else if (stuff === '!') res += '[\\s\\S]';
      else {
        if (stuff[0] === '!') stuff = '^' + stuff.slice(1);
        else if (stuff[0] === '^' || stuff[0] === '[') stuff = '\\' + stuff;
        res += `[${stuff}]`;
      }
    } else {
      res += c.replace(RE_SPECIAL, '\\$&');
    }
  }
  return `(?:${res})$`;
}

/** A Python regex (as used by `~regex`) in JavaScript syntax, with the flags it sets inline. */
export function pythonRegexToJs(src: string): { source: string; flags: string } {
  let flags = '';
  const lead = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      const d = src[i + 1];
      i++;
      if (d === 'Z') out += '(?![\\s\\S])';
      else if (d === 'A') out += '^';
      else out += c + d;
    } else if (src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (src.startsWith('(?P=', i)) {
      const end = src.indexOf(')', i);
      out += `\\k<${src.slice(i + 4, end)}>`;
      i = end;
    } else out += c;
  }
  return { source: out, flags };
}

/** Compiles a term like Ansible's `_match_list`: `re.match` (anchored at the start only). */
function compileTerm(term: string): RegExp {
  try {
    if (term[0] === '~') {
      const { source, flags } = pythonRegexToJs(term.slice(1));
      return new RegExp(source, flags + 'y');
    }
    return new RegExp(fnmatchToRegex(term), 'sy');
  } catch {
    throw new UserError(`Invalid host list pattern: ${term}`);
  }
}

function matchList(items: Iterable<string>, term: string): string[] {
  const re = compileTerm(term);
  const out: string[] = [];
  for (const item of items) {
    re.lastIndex = 0;
    if (re.test(item)) out.push(item);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluation (_evaluate_patterns, _match_one_pattern, _enumerate_matches, subscripts).
// ---------------------------------------------------------------------------------------------

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

function splitSubscript(term: string): { expr: string; sub?: [number, number | undefined] } {
  if (term[0] === '~') return { expr: term };
  const m = SUBSCRIPT.exec(term);
  if (!m) return { expr: term };
  if (m[2] !== undefined) return { expr: m[1], sub: [Number(m[2]), undefined] };
  return { expr: m[1], sub: [Number(m[3]), m[5] ? Number(m[5]) : -1] };
}

function applySubscript(hosts: string[], sub: [number, number | undefined] | undefined, term: string): string[] {
  if (!hosts.length || !sub) return hosts;
  const [start] = sub;
  let end = sub[1];
  if (end) {
    if (end === -1) end = hosts.length - 1;
    return hosts.slice(start, end + 1);
  }
  const idx = start < 0 ? hosts.length + start : start;
  if (idx < 0 || idx >= hosts.length) throw new UserError(`No hosts matched the subscripted pattern '${term}'`);
  return [hosts[idx]];
}

class Evaluator {
  readonly unmatched: string[] = [];
  private readonly cache = new Map<string, string[]>();
  constructor(private readonly inv: Inventory) {}

  /** Hosts of one term (leading `&`/`!` ignored), duplicates kept as Ansible does before subscripting. */
  matchOne(p: string): string[] {
    const term = p[0] === '&' || p[0] === '!' ? p.slice(1) : p;
    if (term === '') throw new UserError(`Invalid host pattern '${p}': nothing follows '${p}'`);
    let hosts = this.cache.get(term);
    if (!hosts) {
      const { expr, sub } = splitSubscript(term);
      hosts = applySubscript(this.enumerate(expr), sub, term);
      this.cache.set(term, hosts);
    }
    return hosts;
  }

  private enumerate(expr: string): string[] {
    const results: string[] = [];
    const groups = expr === '' ? [] : matchList(this.inv.groups.keys(), expr);
    for (const g of groups) results.push(...groupHosts(this.inv, g));
    if (expr !== '' && (!groups.length || expr[0] === '~' || /[.?*[]/.test(expr))) {
      results.push(...matchList(this.inv.hosts.keys(), expr));
    }
    if (!results.length && !groups.length && expr !== 'all' && !this.unmatched.includes(expr)) this.unmatched.push(expr);
    return results;
  }

  evaluate(patterns: string[]): string[] {
    let hosts: string[] = [];
    for (const p of orderPatterns(patterns)) {
      if (this.inv.hosts.has(p)) {
        hosts.push(p);
        continue;
      }
      const that = this.matchOne(p);
      if (p[0] === '!') {
        const s = new Set(that);
        hosts = hosts.filter((h) => !s.has(h));
      } else if (p[0] === '&') {
        const s = new Set(that);
        hosts = hosts.filter((h) => s.has(h));
      } else {
        const existing = new Set(hosts);
        hosts.push(...that.filter((h) => !existing.has(h)));
      }
    }
    return [...new Set(hosts)];
  }
}

/** Terms of a pattern, with `@file` terms replaced by the file's lines (Ansible's `subset`). */
function expandTerms(pattern: string, cwd: string): string[] {
  const out: string[] = [];
  for (const t of splitHostPattern(pattern)) {
    if (t[0] !== '@') {
      out.push(t);
      continue;
    }
    const file = path.resolve(cwd, t.slice(1));
    let text: string;
    try {
      if (!fs.statSync(file).isFile()) throw new UserError(`Limit starting with "@" must be a file, not a directory: ${t.slice(1)}`);
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`Unable to find limit file ${t.slice(1)}`);
    }
    out.push(...text.split('\n').map((l) => l.trim()));
  }
  return out;
}

/**
 * Hosts matching an Ansible host pattern, in the order Ansible's `get_hosts` returns them (the
 * order of the pattern's terms, each term in inventory order). With `opts.limit`, only the hosts
 * the limit also selects are kept, as `ansible PATTERN -l LIMIT` does.
 */
export function selectHosts(inv: Inventory, pattern: string, opts: SelectOptions = {}): Selection {
  const cwd = opts.cwd ?? process.cwd();
  const ev = new Evaluator(inv);
  let hosts = ev.evaluate(expandTerms(pattern, cwd));
  if (opts.limit !== undefined) {
    const subset = new Set(ev.evaluate(expandTerms(opts.limit, cwd)));
    hosts = hosts.filter((h) => subset.has(h));
  }
  return { hosts: applyOrder(hosts, opts.order), unmatched: ev.unmatched };
}

function applyOrder(hosts: string[], order: HostOrder | undefined): string[] {
  switch (order ?? 'inventory') {
    case 'inventory':
      return hosts;
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    case 'reverse_sorted':
      return [...hosts].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    case 'shuffle': {
      const out = [...hosts];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    }
    default:
      throw new UserError(`Invalid 'order' specified for inventory hosts: ${String(order)} (use inventory, reverse_inventory, sorted, reverse_sorted or shuffle)`);
  }
}
