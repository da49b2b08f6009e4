/**
 * A role's parameters are declared once, as a TypeScript interface (`PgsqlParams`, with a doc
 * comment each). Its JSON schema (ajv, validated before any host is touched) is written with
 * `paramSchema<PgsqlParams>()`, whose type demands one schema per parameter, no schema for a
 * name that is not a parameter, and a schema that fits the parameter's type (a string parameter
 * has a string schema, an enum lists only values of the type, a list has `items` ...). Defaults are
 * typed by the same interface (`defaults: PgsqlParams`). So a parameter added, renamed or retyped in
 * one place and not the other is a compile error.
 */

interface Described {
  description?: string;
  not?: object;
}

export interface StringSchema extends Described {
  type: 'string';
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  enum?: readonly string[];
}
export interface EnumSchema<T> extends Described {
  type?: 'string' | 'integer';
  enum: readonly T[];
}
export interface ConstSchema<T> extends Described {
  const: T;
}
export interface NumberSchema extends Described {
  type: 'integer' | 'number';
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}
export interface BooleanSchema extends Described {
  type: 'boolean';
}
export interface ArraySchema<E> extends Described {
  type: 'array';
  items: SchemaFor<E>;
  minItems?: number;
  uniqueItems?: boolean;
}
export interface ObjectSchema extends Described {
  type: 'object';
  properties?: object;
  required?: readonly string[];
  additionalProperties?: boolean | object;
}
/** Unions of different kinds (number | string, 'auto' | number): the branches are not checked one by one. */
export interface UnionSchema extends Described {
  anyOf?: readonly object[];
  oneOf?: readonly object[];
  type?: readonly string[] | string;
}

/** The JSON schemas that fit a value of type T. */
export type SchemaFor<T> = [T] extends [boolean]
  ? BooleanSchema | ConstSchema<T>
  : [T] extends [string]
    ? string extends T
      ? StringSchema
      : EnumSchema<T> | ConstSchema<T>
    : [T] extends [number]
      ? number extends T
        ? NumberSchema
        : EnumSchema<T> | ConstSchema<T>
      : [T] extends [readonly (infer E)[]]
        ? ArraySchema<E>
        : [T] extends [object]
          ? ObjectSchema | UnionSchema
          : UnionSchema;

/** One schema per parameter of P (optional ones too), each fitting the parameter's type. */
export type ParamSchemas<P> = { [K in keyof P]-?: SchemaFor<NonNullable<P[K]>> };

export interface RoleSchema<P> {
  type: 'object';
  properties: ParamSchemas<P>;
}

/**
 * The JSON schema of a role's parameters, checked against their interface P:
 *
 *   export const schema = paramSchema<EtcdParams>({ etcd_port: port, etcd_data: absPath, ... });
 */
export function paramSchema<P>(properties: ParamSchemas<P>): RoleSchema<P> {
  return { type: 'object', properties };
}

// ---------------------------------------------------------------------------------------------
// Shared schemas.
// ---------------------------------------------------------------------------------------------

/**
 * An absolute path without `..`, spaces, quotes, backslashes, `$`, backticks or control characters:
 * paths reach command lines (always quoted) and configuration files of other programs (where a
 * space or a quote would change the meaning).
 */
export const ABS_PATH = '^/(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9_@%+=:,./~-]*$';
export const absPath: StringSchema = { type: 'string', pattern: ABS_PATH, description: 'an absolute path (no .., spaces or quotes)' };

export const str: StringSchema = { type: 'string' };
export const bool: BooleanSchema = { type: 'boolean' };
export const strList: ArraySchema<string> = { type: 'array', items: str };
export const port: NumberSchema = { type: 'integer', minimum: 1, maximum: 65535 };
export const int = (minimum?: number, maximum?: number): NumberSchema => ({
  type: 'integer',
  ...(minimum !== undefined ? { minimum } : {}),
  ...(maximum !== undefined ? { maximum } : {}),
});
export const oneOf = <T extends string | number>(values: readonly T[], description?: string): EnumSchema<T> => ({ enum: values, ...(description ? { description } : {}) });
/** An integer, or a string of digits (Pigsty inventories write either). */
export const seq: UnionSchema = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+$' }] };
/** A mapping of name → string/number/boolean. */
export const settings: ObjectSchema = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } };
/** One IPv4 octet, 0 to 255 (no leading zero: 010 would be octal to some tools). */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** A prefix length, 0 to 32. */
const PREFIX = '(3[0-2]|[12]?[0-9])';
export const IPV4_ADDRESS = `${OCTET}(\\.${OCTET}){3}`;
export const IPV4 = `^${IPV4_ADDRESS}$`;
/** An IPv4 address with its prefix length, e.g. 10.10.10.3/24. */
export const IPV4_CIDR = `^${IPV4_ADDRESS}/${PREFIX}$`;
/** An IPv4 address with an optional prefix length. */
export const IPV4_OPT_CIDR = `^${IPV4_ADDRESS}(/${PREFIX})?$`;
export const ipv4: StringSchema = { type: 'string', pattern: IPV4, description: 'an IPv4 address (octets 0 to 255)' };
export const ipv4Cidr: StringSchema = { type: 'string', pattern: IPV4_CIDR, description: 'an IPv4 address (octets 0 to 255) with its prefix length (0 to 32), e.g. 10.10.10.3/24' };

/** A switch written as a boolean or as a string (yes/no, true/false, on/off, 1/0: -e k=v stays a string). */
export type Boolish = boolean | string;
export const boolish: UnionSchema = {
  anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', '1', '0', 'True', 'False'] }],
};

/**
 * The defaults of parameters another role owns, taken from that role's defaults, so a role that
 * reads them (and runs without the owner in its play) has the owner's value, declared once:
 *
 *   export const defaults: PgPitrParams & PgPitrRefs = { ...pick(pgsqlDefaults, ['pg_namespace']), ... };
 */
export function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}
