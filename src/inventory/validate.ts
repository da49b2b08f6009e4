/**
 * Validates merged host variables against a role's JSON schema (ajv) and turns the errors into
 * one-line messages that name where the offending value was written (file, dotted path, line),
 * the value (secrets redacted) and what is allowed. Variables the schema does not describe are
 * allowed: inventories carry the variables of many roles.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { redact, SECRET_KEY } from '../api/secrets.js';
import type { UserErrorDetail, Vars } from '../api/types.js';
import type { VarSource } from './types.js';

// ajv is loaded on first use (a listing of hosts or tasks never needs it: less start-up time)
let lazyAjv: Ajv | undefined;
const ajvInstance = (): Ajv =>
  (lazyAjv ??= new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv({ allErrors: true, strict: false, verbose: true }));
const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    const ajv = ajvInstance();
    const open = { ...(schema as Record<string, unknown>) };
    delete open.additionalProperties;
    delete open.unevaluatedProperties;
    if (typeof open.$id === 'string' && ajv.getSchema(open.$id)) delete open.$id;
    fn = ajv.compile(open);
    compiled.set(schema, fn);
  }
  return fn;
}

export interface HostVarsToCheck {
  host: string;
  vars: Vars;
  sources: Record<string, VarSource>;
}

export function validateHostVars(schema: object, hosts: HostVarsToCheck[], inventoryFile: string): UserErrorDetail[] {
  const validate = compile(schema);
  const out: UserErrorDetail[] = [];
  const seen = new Set<string>();
  for (const h of hosts) {
    if (validate(h.vars)) continue;
    for (const d of describeErrors(validate.errors ?? [], h, inventoryFile)) {
      const key = `${d.file}\u0000${d.path}\u0000${d.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(d);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// From ajv errors to details.
// ---------------------------------------------------------------------------------------------

/** `/pg_users/0/password` → ['pg_users', 0, 'password']. */
function segments(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function joinPath(segs: Array<string | number>): string {
  let out = '';
  for (const s of segs) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out;
}

function describeErrors(errors: ErrorObject[], h: HostVarsToCheck, inventoryFile: string): UserErrorDetail[] {
  // Errors inside an anyOf/oneOf branch are summarised by the anyOf/oneOf error itself.
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const kept = errors.filter((e) => !combinators.some((c) => c !== e && e.schemaPath.startsWith(c.schemaPath + '/')));

  const byPath = new Map<string, ErrorObject[]>();
  for (const e of kept) {
    const p = e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty).replace(/~/g, '~0').replace(/\//g, '~1')}` : e.instancePath;
    byPath.set(p, [...(byPath.get(p) ?? []), e]);
  }

  const details: UserErrorDetail[] = [];
  for (const [pointer, errs] of byPath) {
    const segs = segments(pointer);
    const name = joinPath(segs);
    const top = String(segs[0] ?? '');
    const src = h.sources[top];
    const rest = joinPath(segs.slice(1));
    const location = src
      ? { file: src.file, path: rest ? `${src.path}${rest.startsWith('[') ? '' : '.'}${rest}` : src.path, line: src.line }
      : { file: inventoryFile };
    const requirement = errs.map(requirementOf).join('; ');
    const missing = errs.every((e) => e.keyword === 'required');
    const who = src ? '' : `host ${h.host}: `;
    const message = missing
      ? `${who}${name} is required but not defined`
      : `${who}${name} ${requirement} (got ${showValue(errs[0].data, segs)})${hint(errs[0])}`;
    details.push({ ...location, message });
  }
  return details;
}

function hint(e: ErrorObject): string {
  const d = (e.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof d === 'string' && d ? ` — ${d}` : '';
}

function showValue(v: unknown, segs: Array<string | number>): string {
  const last = [...segs].reverse().find((s) => typeof s === 'string');
  if (v !== null && typeof v !== 'object' && typeof last === 'string' && SECRET_KEY.test(last)) return '********';
  let text: string;
  try {
    text = v === undefined ? 'nothing' : JSON.stringify(v, (k, x) => (k && SECRET_KEY.test(k) && x !== null && typeof x !== 'object' ? '********' : x));
  } catch {
    text = String(v);
  }
  if (text.length > 60) text = text.slice(0, 57) + '...';
  return redact(text);
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function fmt(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function typeText(t: unknown): string {
  const types = Array.isArray(t) ? t : [t];
  return types.map((x) => TYPE_NAMES[String(x)] ?? String(x)).join(' or ');
}

/** What a schema accepts, in words: "an integer >= 0", "a string matching ^[0-9]+$", "one of a, b". */
function describeSchema(s: unknown): string {
  if (typeof s !== 'object' || s === null) return 'anything';
  const o = s as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(o.enum)) parts.push(`one of ${o.enum.map(fmt).join(', ')}`);
  else if ('const' in o) parts.push(fmt(o.const));
  else if (o.type !== undefined) parts.push(typeText(o.type));
  if (typeof o.pattern === 'string') parts.push(`matching ${o.pattern}`);
  if (o.minimum !== undefined) parts.push(`>= ${fmt(o.minimum)}`);
  if (o.exclusiveMinimum !== undefined) parts.push(`> ${fmt(o.exclusiveMinimum)}`);
  if (o.maximum !== undefined) parts.push(`<= ${fmt(o.maximum)}`);
  if (o.exclusiveMaximum !== undefined) parts.push(`< ${fmt(o.exclusiveMaximum)}`);
  if (Array.isArray(o.anyOf) || Array.isArray(o.oneOf)) parts.push(((o.anyOf ?? o.oneOf) as unknown[]).map(describeSchema).join(' or '));
  return parts.join(' ') || 'valid';
}

function requirementOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `must be ${typeText(p.type)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map(fmt).join(', ')}`;
    case 'const':
      return `must be ${fmt(p.allowedValue)}`;
    case 'pattern': {
      const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
      return typeof description === 'string' ? `must be ${description}` : `must match the pattern ${String(p.pattern)}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${fmt(p.limit)}`;
    case 'minLength':
      return `must be at least ${fmt(p.limit)} characters long`;
    case 'maxLength':
      return `must be at most ${fmt(p.limit)} characters long`;
    case 'minItems':
      return `must have at least ${fmt(p.limit)} items`;
    case 'maxItems':
      return `must have at most ${fmt(p.limit)} items`;
    case 'uniqueItems':
      return 'must not contain duplicate items';
    case 'format':
      return `must be a valid ${String(p.format)}`;
    case 'additionalProperties': {
      const props = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
      return `has an unknown key '${String(p.additionalProperty)}'${props.length ? ` (allowed: ${props.join(', ')})` : ''}`;
    }
    case 'not':
      return `must not be ${describeSchema(e.schema)}`;
    case 'anyOf':
    case 'oneOf':
      return `must be ${describeSchema({ anyOf: e.schema })}`;
    case 'required':
      return `needs ${String(p.missingProperty)}`;
    default:
      return e.message ?? `fails the ${e.keyword} rule`;
  }
}
