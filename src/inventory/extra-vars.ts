/**
 * `-e/--extra-vars`, as Ansible reads them (utils/vars.py `load_extra_vars`): each argument is
 * `@file` (YAML or JSON), inline YAML/JSON starting with `{` (a flow mapping), or `key=value`
 * pairs split like Ansible's `parse_kv` (quotes group words and are removed; values stay strings).
 * Repeatable; later arguments win key by key (top-level replace, no deep merge).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap } from 'yaml';
import { UserError } from '../api/errors.js';
import { collectSecrets } from '../api/secrets.js';
import type { Vars } from '../api/types.js';
import { decryptVault, hasVaulted, isVaultText, openVaulted, registerAllStrings, type VaultSecret } from './vault.js';
import { lineOf, parseYaml, yamlValue, type ParsedYaml } from './yaml-source.js';
import type { VarSource } from './types.js';

const FORMS =
  "use JSON or a YAML mapping ('{\"pg_role\": \"replica\"}', '{pg_pitr: {time: \"2026-01-01 10:00:00+00\"}}'), " +
  "key=value pairs ('pg_reload=true pg_role=replica'), or @file.yml / @file.json";

/** `vault`: passwords for an encrypted @file and inline `!vault` values (see vault.ts). */
export function parseExtraVars(args: string[], cwd: string, vault: readonly VaultSecret[] = []): { vars: Vars; sources: Record<string, VarSource> } {
  const vars: Vars = {};
  const sources: Record<string, VarSource> = {};
  args.forEach((arg, i) => {
    if (!arg) return;
    const label = `-e #${i + 1}`;
    const one = parseOne(arg, label, cwd, vault);
    for (const [k, { source, ...rest }] of Object.entries(one)) {
      const value = hasVaulted(rest.value) ? openVaulted(rest.value, vault, { ...source, what: 'extra vars' }) : rest.value;
      collectSecrets(value, k);
      vars[k] = value;
      sources[k] = source;
    }
  });
  return { vars, sources };
}

type Parsed = Record<string, { value: unknown; source: VarSource }>;

function shown(arg: string): string {
  if (/pass|secret|token|key/i.test(arg)) return `${arg.split(/[=:]/)[0].slice(0, 30)}... (rest not shown: it may hold a secret)`;
  return `'${arg.length > 80 ? arg.slice(0, 77) + '...' : arg}'`;
}

function bad(label: string, arg: string, why: string): never {
  const message = `${why}; ${FORMS}`;
  throw new UserError(`Invalid extra vars ${label} ${shown(arg)}: ${message}`, [{ file: label, message }]);
}

function parseOne(arg: string, label: string, cwd: string, vault: readonly VaultSecret[]): Parsed {
  if (arg.startsWith('@')) return fromFile(arg.slice(1), label, cwd, vault);
  if (arg[0] === '/' || arg[0] === '.') bad(label, arg, `this looks like a file name: write @${arg}`);
  if (arg[0] === '{' || arg[0] === '[') return fromYaml(arg, label);
  return fromKeyValues(arg, label);
}

function mappingEntries(y: ParsedYaml, file: string, onBad: (why: string) => never): Parsed {
  const root = y.doc.contents;
  if (!isMap(root)) onBad(root === null ? 'it is empty' : 'it is not a mapping of variable names to values');
  const out: Parsed = {};
  for (const pair of root.items) {
    const key = yamlValue(y, pair.key);
    if (typeof key !== 'string' && typeof key !== 'number') onBad(`variable names must be strings, found ${JSON.stringify(key)}`);
    const k = String(key);
    out[k] = { value: yamlValue(y, pair.value), source: { file, path: k, line: lineOf(y, pair.key) } };
  }
  return out;
}

function fromYaml(arg: string, label: string): Parsed {
  let y: ParsedYaml;
  try {
    y = parseYaml(arg, label, 'extra vars');
  } catch (e) {
    const msg = e instanceof UserError ? e.details[0]?.message ?? e.message : String(e);
    return bad(label, arg, msg);
  }
  const parsed = mappingEntries(y, label, (why) => bad(label, arg, why));
  for (const v of Object.values(parsed)) v.source = { file: label, path: v.source.path };
  return parsed;
}

function fromFile(name: string, label: string, cwd: string, vault: readonly VaultSecret[]): Parsed {
  const file = path.resolve(cwd, name);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new UserError(`Cannot read extra vars file ${name} (${label}): ${why}`, [{ file: name, message: why }]);
  }
  const encrypted = isVaultText(text);
  if (encrypted) text = decryptVault(text, vault, { file: name, what: 'extra vars file' });
  const y = parseYaml(text, name, 'extra vars file');
  const parsed = mappingEntries(y, name, (why) => {
    const message = `${why}; an extra vars file must hold a YAML or JSON mapping such as {pg_role: replica}`;
    throw new UserError(`Invalid extra vars file ${name} (${label}): ${message}`, [{ file: name, message }]);
  });
  if (encrypted) for (const v of Object.values(parsed)) registerAllStrings(v.value);
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// key=value (ansible/parsing/splitter.py parse_kv, split_args; parsing/quoting.py unquote).
// ---------------------------------------------------------------------------------------------

const ESCAPES = /\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g;
const SIMPLE: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function decodeEscapes(s: string): string {
  return s.replace(ESCAPES, (m) => (m[1] in SIMPLE ? SIMPLE[m[1]] : String.fromCodePoint(parseInt(m.slice(2), 16))));
}

function unquote(s: string): string {
  const quoted = s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\';
  return quoted ? s.slice(1, -1) : s;
}

function fromKeyValues(arg: string, label: string): Parsed {
  let tokens: string[];
  try {
    tokens = splitArgs(arg);
  } catch (e) {
    return bad(label, arg, (e as Error).message);
  }
  const out: Parsed = {};
  for (const tok of tokens) {
    const x = decodeEscapes(tok);
    let pos = 0;
    for (;;) {
      pos = x.indexOf('=', pos + 1);
      if (pos < 0 || x[pos - 1] !== '\\') break;
    }
    if (pos < 0) bad(label, arg, `'${tok.length > 40 ? tok.slice(0, 37) + '...' : tok}' is not key=value`);
    const k = x.slice(0, pos).trim();
    out[k] = { value: unquote(x.slice(pos + 1).trim()), source: { file: label, path: k, keyValue: true } };
  }
  return out;
}

function quoteState(token: string, quote: string | null): string | null {
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    if ((c === '"' || c === "'") && (i === 0 || token[i - 1] !== '\\')) {
      if (quote) {
        if (c === quote) quote = null;
      } else quote = c;
    }
  }
  return quote;
}

function countBlocks(token: string, depth: number, open: string, close: string): number {
  const o = token.split(open).length - 1;
  const c = token.split(close).length - 1;
  if (o !== c) depth = Math.max(0, depth + o - c);
  return depth;
}

/** Ansible's `split_args`: splits on spaces, keeping quoted strings and Jinja2 blocks together. */
function splitArgs(args: string): string[] {
  const params: string[] = [];
  const items = args.split('\n');
  let quote: string | null = null;
  let inside = false;
  let print = 0;
  let block = 0;
  let comment = 0;
  items.forEach((item, itemIdx) => {
    const tokens = item.split(' ');
    let continuation = false;
    tokens.forEach((token, idx) => {
      if (token.length === 0 && idx !== 0) {
        if (params.length) params[params.length - 1] += ' ';
        return;
      }
      if (token === '\\' && !inside) {
        continuation = true;
        return;
      }
      const wasInside = inside;
      quote = quoteState(token, quote);
      inside = quote !== null;
      let appended = false;
      const inBlock = () => print || block || comment;
      if (inside && !wasInside && !inBlock()) {
        params.push(token);
        appended = true;
      } else if (inBlock() || inside || wasInside) {
        if (idx === 0 && wasInside) params[params.length - 1] += token;
        else if (tokens.length > 1) params[params.length - 1] += (idx > 0 ? ' ' : '') + token;
        else params[params.length - 1] += '\n' + token;
        appended = true;
      }
      for (const [open, close, which] of [['{{', '}}', 0], ['{%', '%}', 1], ['{#', '#}', 2]] as const) {
        const before = which === 0 ? print : which === 1 ? block : comment;
        const after = countBlocks(token, before, open, close);
        if (which === 0) print = after;
        else if (which === 1) block = after;
        else comment = after;
        if (after !== before && !appended) {
          params.push(token);
          appended = true;
        }
      }
      if (!inBlock() && !inside && !appended && token !== '') params.push(token);
    });
    if (items.length > 1 && itemIdx !== items.length - 1 && !continuation && params.length) params[params.length - 1] += '\n';
  });
  if (print || block || comment || inside) throw new Error('unbalanced quotes or Jinja2 block');
  return params;
}
