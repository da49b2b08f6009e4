/**
 * The one SQL-quoting path: every value that reaches a SQL text goes through `lit` (a string
 * literal) or `ident` (an identifier), usually by way of the `sql` tagged template:
 *
 *   sql`SELECT 1 FROM pg_database WHERE datname = ${name}`      → ... = 'it''s'
 *   sql`ALTER ROLE ${ident(user)} SET search_path = ${v}`        → ALTER ROLE "app" SET ... = 'x'
 *   sql`${rawSql(fragment)} LIMIT 1`                            (a fragment already built with sql)
 *
 * Literals are standard-conforming strings ('' doubles a quote; a backslash is an ordinary
 * character), which is PostgreSQL's default since 9.1.
 */

/** A piece of SQL that is already safe (an identifier, a fragment built by `sql`): inserted as it is. */
export class RawSql {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

function noNul(kind: string, s: string): string {
  if (s.includes('\0')) throw new Error(`a SQL ${kind} cannot contain a NUL character`);
  return s;
}

/** A SQL string literal: 'text' (numbers and booleans as their text, quoted too). */
export function lit(value: string | number | boolean): string {
  return `'${noNul('literal', String(value)).replace(/'/g, "''")}'`;
}

/** A SQL identifier, always double-quoted ("" doubles a quote). */
export function ident(name: string): string {
  if (name === '') throw new Error('a SQL identifier cannot be empty');
  return `"${noNul('identifier', String(name)).replace(/"/g, '""')}"`;
}

/** `ident` for the `sql` template: the value goes in as an identifier. */
export function id(name: string): RawSql {
  return new RawSql(ident(name));
}

/** Marks a trusted fragment (built with `sql`, `lit`, `ident`, or a constant) to be inserted as it is. */
export function rawSql(text: string | RawSql): RawSql {
  return text instanceof RawSql ? text : new RawSql(text);
}

export type SqlValue = string | number | boolean | RawSql | readonly (string | number | boolean)[];

/**
 * A SQL text: each interpolated string a literal (`lit`), a finite number its digits, a boolean
 * TRUE or FALSE, a list an ARRAY of text literals, `id(x)` an identifier, `rawSql(x)` as it is.
 */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): string {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    out += sqlValue(values[i]);
    out += strings[i + 1];
  }
  return out;
}

function sqlValue(v: SqlValue): string {
  if (v instanceof RawSql) return v.text;
  if (Array.isArray(v)) return `ARRAY[${v.map((x) => lit(x)).join(', ')}]::text[]`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number for SQL: ${v}`);
    return v < 0 ? `(${v})` : String(v); // (-5): after a minus sign, --5 would start a comment
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return lit(v as string);
}
