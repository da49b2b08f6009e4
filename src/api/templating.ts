/**
 * The Handlebars environment of templates: no HTML escaping, strict (a variable that is not
 * defined is an error naming the template, the line and the variable), and helpers for the usual
 * needs of configuration files.
 *
 *   {{join pg_extensions ", "}}  {{default pg_port 5432}}  {{json x}}  {{yaml x}}  {{indent 4 (yaml x)}}
 *   {{#if (eq pg_role "primary")}} ... {{/if}}  {{quote pg_password}} (SQL literal)  {{ident name}}
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type HandlebarsNs from 'handlebars';
import YAML from 'yaml';
import { ident, lit } from '../operations/sql-quote.js';

/** Drops the trailing options object Handlebars passes to every helper. */
function params(args: unknown[]): unknown[] {
  return args.slice(0, -1);
}

function need<T>(helper: string, ok: boolean, value: T, what: string): T {
  if (!ok) throw new Error(`helper ${helper}: expected ${what}, got ${value === undefined ? 'undefined' : JSON.stringify(value)}`);
  return value;
}

const num = (helper: string, v: unknown): number => need(helper, typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v))), v, 'a number') as number;

const helpers: Record<string, (...args: any[]) => unknown> = {
  join: (list: unknown, sep: unknown, ...rest: unknown[]) =>
    (need('join', Array.isArray(list), list, 'a list') as unknown[]).map(String).join(rest.length ? String(sep) : ''),
  default: (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value),
  json: (value: unknown, ...rest: unknown[]) => JSON.stringify(value, null, params(rest).length ? Number(rest[0]) : undefined),
  yaml: (value: unknown) => YAML.stringify(value).replace(/\n$/, ''),
  indent: (n: unknown, text: unknown) => {
    const pad = ' '.repeat(num('indent', n));
    return String(text).split('\n').map((l, i) => (i === 0 || l === '' ? l : pad + l)).join('\n');
  },
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  lt: (a: unknown, b: unknown) => num('lt', a) < num('lt', b),
  gt: (a: unknown, b: unknown) => num('gt', a) > num('gt', b),
  and: (...args: unknown[]) => params(args).every(Boolean),
  or: (...args: unknown[]) => params(args).some(Boolean),
  not: (value: unknown) => !value,
  includes: (list: unknown, item: unknown) =>
    (need('includes', Array.isArray(list) || typeof list === 'string', list, 'a list or a string') as unknown[]).includes(item),
  upper: (s: unknown) => String(s).toUpperCase(),
  lower: (s: unknown) => String(s).toLowerCase(),
  /** SQL string literal. */
  quote: (s: unknown) => lit(String(need('quote', s !== undefined && s !== null, s, 'a value'))),
  /** SQL identifier. */
  ident: (s: unknown) => ident(String(need('ident', typeof s === 'string' && s !== '', s, 'a name'))),
  /** on/off style booleans become true/false. */
  bool: (v: unknown) => v === true || /^(true|yes|on|1)$/i.test(String(v ?? '')),
  add: (a: unknown, b: unknown) => num('add', a) + num('add', b),
  mul: (a: unknown, b: unknown) => num('mul', a) * num('mul', b),
  div: (a: unknown, b: unknown) => Math.floor(num('div', a) / num('div', b)),
  size: (v: unknown) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
};

// Handlebars is loaded on first render (listings and runs without templates never need it)
let lazyHb: typeof HandlebarsNs | undefined;
function handlebars(): typeof HandlebarsNs {
  if (!lazyHb) {
    lazyHb = (createRequire(import.meta.url)('handlebars') as typeof HandlebarsNs).create();
    for (const [name, fn] of Object.entries(helpers)) lazyHb.registerHelper(name, fn);
  }
  return lazyHb;
}

type Render = (vars: object) => string;
const cache = new Map<string, { mtimeMs: number; text: string; render: Render }>();

function compile(text: string): Render {
  return handlebars().compile(text, { noEscape: true, strict: true });
}

/** Rewrites a Handlebars error as `<name> line L: ...`, naming the undefined variable. */
function explain(name: string, text: string, e: Error & { lineNumber?: number; column?: number }): Error {
  const strict = /^"(.*)" not defined in .* - (\d+):(\d+)$/.exec(e.message);
  if (strict) {
    const [line, col] = [Number(strict[2]), Number(strict[3])];
    const expr = /^[^\s}()]+/.exec(text.split('\n')[line - 1]?.slice(col) ?? '')?.[0] ?? strict[1];
    return new Error(`${name} line ${line}: variable "${expr}" is not defined`);
  }
  const parse = /^Parse error on line (\d+):/.exec(e.message);
  if (parse) return new Error(`${name} line ${parse[1]}: syntax error: ${e.message.split('\n').slice(1).join('\n')}`);
  return new Error(`${name}: ${e.message}`);
}

function renderWith(name: string, text: string, render: Render, vars: object): string {
  try {
    return render(vars);
  } catch (e) {
    throw explain(name, text, e as Error);
  }
}

/** Renders a `.hbs` file (compiled once per file version). Errors name the file and line. */
export function renderTemplate(file: string, vars: object): string {
  const mtimeMs = fs.statSync(file).mtimeMs;
  let hit = cache.get(file);
  if (!hit || hit.mtimeMs !== mtimeMs) {
    const text = fs.readFileSync(file, 'utf8');
    hit = { mtimeMs, text, render: compile(text) };
    cache.set(file, hit);
  }
  return renderWith(file, hit.text, hit.render, vars);
}

/** Renders a template given as text. */
export function renderString(text: string, vars: object, name = 'template'): string {
  return renderWith(name, text, compile(text), vars);
}
