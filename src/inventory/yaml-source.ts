/**
 * YAML as Ansible reads it (PyYAML, YAML 1.1): yes/no/on/off are booleans, 0755 is octal,
 * 1e3 is a string, 1:30 is 90. Timestamps are kept as strings, on purpose. Documents are parsed
 * with line numbers so that readers (YAML inventories, extra vars) can say where a value came from.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Document, Node, ParsedNode, ScalarTag, Tags, YAMLError } from 'yaml';
import { fail } from './errors.js';
import { VaultedValue } from './vault.js';

function pyInt(s: string): number {
  let v = s.replace(/_/g, '');
  let sign = 1;
  if (v[0] === '-') sign = -1;
  if (v[0] === '+' || v[0] === '-') v = v.slice(1);
  if (v === '0') return 0;
  if (v.startsWith('0b')) return sign * parseInt(v.slice(2), 2);
  if (v.startsWith('0x')) return sign * parseInt(v.slice(2), 16);
  if (v[0] === '0') return sign * parseInt(v, 8);
  if (v.includes(':')) return sign * sexagesimal(v);
  return sign * Number(v);
}

function pyFloat(s: string): number {
  let v = s.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (v[0] === '-') sign = -1;
  if (v[0] === '+' || v[0] === '-') v = v.slice(1);
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':')) return sign * sexagesimal(v);
  return sign * Number(v);
}

function sexagesimal(v: string): number {
  return v.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

const PY_TAGS: ScalarTag[] = [
  {
    tag: 'tag:yaml.org,2002:bool',
    default: true,
    identify: (v) => typeof v === 'boolean',
    test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
    resolve: (s) => /^(?:yes|true|on)$/i.test(s),
  },
  {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    identify: (v) => typeof v === 'number' && Number.isInteger(v),
    test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    resolve: pyInt,
  },
  {
    tag: 'tag:yaml.org,2002:float',
    default: true,
    identify: (v) => typeof v === 'number',
    test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    resolve: pyFloat,
  },
];

/** `!vault |` values (ansible-vault encrypt_string): kept encrypted until vault.ts opens them. */
const VAULT_TAG: ScalarTag = {
  tag: '!vault',
  identify: (v) => v instanceof VaultedValue,
  resolve: (s) => new VaultedValue(s),
};

const REPLACED = new Set(['tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp']);

/** Options for `parseDocument` that read YAML as Ansible does. */
export const YAML_OPTIONS = {
  version: '1.1' as const,
  // Ansible only warns about a duplicate key and keeps the last value; a typo'd copy silently
  // replacing a setting is refused here instead (the parse error names the key and its line)
  uniqueKeys: true,
  merge: true,
  customTags: (tags: Tags): Tags => [...tags.filter((t) => typeof t === 'string' || !REPLACED.has(t.tag)), ...PY_TAGS, VAULT_TAG],
};

export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Parses YAML text; a syntax error becomes a UserError naming the file and line ("Invalid <what> FILE:line N: ..."). */
export function parseYaml(text: string, file: string, what = 'inventory'): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter: lines });
  const err = doc.errors[0];
  if (err?.code === 'DUPLICATE_KEY') {
    const key = text.slice(err.pos[0]).match(/^["']?([^"':\n]*)/)?.[1] ?? '';
    fail(file, `duplicate key '${key}' (a key may appear once in a mapping; Ansible would silently keep the last value)`, { line: err.linePos?.[0].line }, what);
  }
  if (err) fail(file, `broken YAML: ${yamlMessage(err)}`, { line: err.linePos?.[0].line }, what);
  return { doc, lines };
}

function yamlMessage(err: YAMLError): string {
  return err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** The JavaScript value of a YAML node (aliases and merge keys resolved). */
export function yamlValue(y: ParsedYaml, node: unknown): unknown {
  if (node === null || node === undefined) return null;
  return (node as Node).toJS(y.doc, { maxAliasCount: -1 });
}

/** The line a node starts on, when it has a position. */
export function lineOf(y: ParsedYaml, node: unknown): number | undefined {
  const range = (node as ParsedNode | null)?.range;
  return range ? y.lines.linePos(range[0]).line : undefined;
}
