/**
 * `-e key=value` values are strings, as in Ansible. Ansible's templating lets `-e pg_port=5433` or
 * `-e pg_rm_backup=false` work anyway; our roles are typed, so a string where a role's schema wants
 * a number or a boolean is converted here, once, before validation: when the schema does not accept
 * the string as written but accepts the number (`5433`, `1.5`) or the boolean it reads as (Ansible's
 * `bool`: yes/no, true/false, on/off, y/n, t/f, 1/0, any case). Anything else is left for the
 * validation to report. JSON, YAML and @file extra vars keep their own types.
 */
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import type { Vars } from '../api/types.js';
import type { VarSource } from './types.js';

// ajv is loaded on first use: only -e key=value strings that a schema describes need it
let lazyAjv: Ajv | undefined;
const ajvInstance = (): Ajv => (lazyAjv ??= new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv({ strict: false }));
const compiled = new WeakMap<object, ValidateFunction>();

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** What a key=value string could also mean, in the order tried. */
function readings(s: string): unknown[] {
  const out: unknown[] = [];
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(s)) out.push(Number(s));
  const l = s.toLowerCase();
  if (TRUE.has(l)) out.push(true);
  if (FALSE.has(l)) out.push(false);
  return out;
}

function check(schema: object, value: unknown): boolean {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajvInstance().compile(schema);
    compiled.set(schema, fn);
  }
  return fn(value);
}

/** The schemas (of the playbook's roles) that describe a top-level variable. */
function propertySchemas(schemas: object[], key: string): object[] {
  const out: object[] = [];
  for (const s of schemas) {
    const p = (s as { properties?: Record<string, unknown> }).properties?.[key];
    if (p && typeof p === 'object') out.push(p as object);
  }
  return out;
}

export function coerceKeyValues(vars: Vars, sources: Record<string, VarSource>, schemas: object[]): Vars {
  const out: Vars = { ...vars };
  for (const [key, value] of Object.entries(vars)) {
    if (!sources[key]?.keyValue || typeof value !== 'string') continue;
    const props = propertySchemas(schemas, key);
    if (!props.length || props.every((p) => check(p, value))) continue;
    const fit = readings(value).find((r) => props.every((p) => check(p, r)));
    if (fit !== undefined) out[key] = fit;
  }
  return out;
}
