import { describe, expect, it } from 'vitest';
import { coerceKeyValues } from '../../../src/inventory/coerce-key-values.js';
import { parseExtraVars } from '../../../src/inventory/extra-vars.js';

const schema = {
  type: 'object',
  properties: {
    pg_port: { type: 'integer', minimum: 1 },
    pg_shared_buffer_ratio: { type: 'number' },
    pg_safeguard: { type: 'boolean' },
    pg_rm_backup: { anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false'] }] },
    pg_cluster: { type: 'string' },
    pg_version: { type: ['integer', 'string'] },
  },
};

const parse = (...args: string[]) => {
  const e = parseExtraVars(args, process.cwd());
  return coerceKeyValues(e.vars, e.sources, [schema]);
};

describe('-e key=value against the roles schemas', () => {
  it('converts a string where the schema wants a number or a boolean', () => {
    expect(parse('pg_port=5433 pg_shared_buffer_ratio=0.25 pg_safeguard=yes')).toEqual({ pg_port: 5433, pg_shared_buffer_ratio: 0.25, pg_safeguard: true });
    for (const [s, b] of [['true', true], ['False', false], ['on', true], ['OFF', false], ['1', true], ['0', false], ['n', false]] as const) {
      expect(parse(`pg_safeguard=${s}`).pg_safeguard).toBe(b);
    }
  });
  it('keeps the string where the schema accepts it, or where nothing fits (the validation reports it)', () => {
    expect(parse('pg_rm_backup=false pg_cluster=123 pg_version=15')).toEqual({ pg_rm_backup: 'false', pg_cluster: '123', pg_version: '15' });
    expect(parse('pg_port=abc pg_safeguard=maybe pg_port2=5')).toEqual({ pg_port: 'abc', pg_safeguard: 'maybe', pg_port2: '5' });
    expect(parse('pg_port=0')).toEqual({ pg_port: '0' }); // 0 is below the minimum, false is not an integer
  });
  it('leaves JSON and YAML extra vars as typed, also when a later -e wins', () => {
    expect(parse('{"pg_port": "5433"}')).toEqual({ pg_port: '5433' });
    expect(parse('pg_port=5433', '{pg_port: "5434"}')).toEqual({ pg_port: '5434' });
    expect(parse('{pg_port: "5434"}', 'pg_port=5435')).toEqual({ pg_port: 5435 });
  });
});
