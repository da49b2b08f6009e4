/** Host keys in inventories (YAML and INI): `host:port` and ranges `www[01:03]`, `10.0.0.[1:3]`, `db-[a:c]`. */
import { parseAddress } from './patterns.js';

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Ansible's `expand_hostname_range`. Throws a plain Error with Ansible's wording on a bad range. */
export function expandHostRange(line: string): string[] {
  if (!line.includes('[')) return [line];
  const parts = line.replace('[', '|').replace(']', '|').split('|');
  if (parts.length !== 3) throw new Error(`invalid host range in '${line}'`);
  const [head, nrange, tail] = parts;
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error('host range must be begin:end or begin:end:step');
  let beg = bounds[0];
  const end = bounds[1];
  const step = bounds.length === 3 ? toInt(bounds[2]) : 1;
  if (!beg) beg = '0';
  if (!end) throw new Error('host range must specify end value');
  let fill = (x: string | number): string => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    const rlen = beg.length;
    if (rlen !== end.length) throw new Error('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(rlen, '0');
  }
  if (step <= 0) throw new Error('host range step must be positive');
  let seq: Array<string | number>;
  const iBeg = ASCII_LETTERS.indexOf(beg);
  const iEnd = ASCII_LETTERS.indexOf(end);
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new Error('host range must have begin <= end');
    seq = [];
    for (let i = iBeg; i <= iEnd; i += step) seq.push(ASCII_LETTERS[i]);
  } else {
    const b = toInt(beg);
    const e = toInt(end);
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(i);
  }
  const out: string[] = [];
  for (const r of seq) {
    const name = head + fill(r) + tail;
    if (name.includes('[')) out.push(...expandHostRange(name));
    else out.push(name);
  }
  return out;
}

function toInt(s: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(s)) throw new Error(`'${s}' is not a number in a host range`);
  return parseInt(s, 10);
}

/** A host key of an inventory: names (ranges expanded) and the port it carries. */
export function expandHostKey(key: string): { names: string[]; port?: number } {
  const addr = parseAddress(key, true);
  const pattern = addr ? addr.host : key;
  return { names: pattern.includes('[') ? expandHostRange(pattern) : [pattern], port: addr?.port };
}
