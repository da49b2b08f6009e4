/**
 * The JMESPath subset Pigsty's service selectors use, evaluated over the cluster's members:
 *
 *   []   [*]   [? expr ]
 *   expr := expr || expr | expr && expr | !expr | ( expr ) | value CMP value | value
 *   CMP  := == != < <= > >=      value := field(.field)* | `json literal` | 'raw string' | @
 *
 * Truthiness as JMESPath: false, null, '', [] and {} are false. A selector outside this subset is
 * an error naming the position.
 */

type Node =
  | { t: 'or' | 'and'; a: Node; b: Node }
  | { t: 'not'; a: Node }
  | { t: 'cmp'; op: string; a: Node; b: Node }
  | { t: 'field'; path: string[] }
  | { t: 'lit'; v: unknown }
  | { t: 'self' };

type Tok = { k: 'op' | 'id' | 'lit' | 'raw' | 'num'; v: string; at: number };

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    const two = s.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '||', '&&'].includes(two)) { out.push({ k: 'op', v: two, at: i }); i += 2; continue; }
    if ('()!<>.@'.includes(c)) { out.push({ k: 'op', v: c, at: i }); i++; continue; }
    if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new Error(`unterminated literal at ${i}`);
      out.push({ k: 'lit', v: s.slice(i + 1, j), at: i }); i = j + 1; continue;
    }
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      if (j < 0) throw new Error(`unterminated string at ${i}`);
      out.push({ k: 'raw', v: s.slice(i + 1, j), at: i }); i = j + 1; continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (id) { out.push({ k: 'id', v: id[0], at: i }); i += id[0].length; continue; }
    throw new Error(`unexpected '${c}' at ${i}`);
  }
  return out;
}

function parseExpr(src: string): Node {
  const toks = lex(src);
  let p = 0;
  const peek = () => toks[p];
  const take = (v?: string) => {
    const t = toks[p];
    if (!t || (v !== undefined && t.v !== v)) throw new Error(`expected ${v ?? 'a value'} at ${t ? t.at : 'end'}`);
    p++;
    return t;
  };
  const or = (): Node => { let a = and(); while (peek()?.v === '||') { p++; a = { t: 'or', a, b: and() }; } return a; };
  const and = (): Node => { let a = not(); while (peek()?.v === '&&') { p++; a = { t: 'and', a, b: not() }; } return a; };
  const not = (): Node => { if (peek()?.v === '!' && peek()?.k === 'op') { p++; return { t: 'not', a: not() }; } return cmp(); };
  const cmp = (): Node => {
    const a = primary();
    const t = peek();
    if (t && t.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) { p++; return { t: 'cmp', op: t.v, a, b: primary() }; }
    return a;
  };
  const primary = (): Node => {
    const t = take();
    if (t.k === 'op' && t.v === '(') { const e = or(); take(')'); return e; }
    if (t.k === 'op' && t.v === '@') return { t: 'self' };
    if (t.k === 'lit') { try { return { t: 'lit', v: JSON.parse(t.v) }; } catch { return { t: 'lit', v: t.v }; } }
    if (t.k === 'raw') return { t: 'lit', v: t.v };
    if (t.k === 'id') {
      const path = [t.v];
      while (peek()?.v === '.') { p++; path.push(take().v); }
      return { t: 'field', path };
    }
    throw new Error(`unexpected '${t.v}' at ${t.at}`);
  };
  const e = or();
  if (p < toks.length) throw new Error(`unexpected '${toks[p].v}' at ${toks[p].at}`);
  return e;
}

const truthy = (v: unknown) =>
  !(v === false || v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) || (typeof v === 'object' && v !== null && !Array.isArray(v) && !Object.keys(v).length));

function evaluate(n: Node, item: Record<string, unknown>): unknown {
  switch (n.t) {
    case 'or': { const a = evaluate(n.a, item); return truthy(a) ? a : evaluate(n.b, item); }
    case 'and': { const a = evaluate(n.a, item); return truthy(a) ? evaluate(n.b, item) : a; }
    case 'not': return !truthy(evaluate(n.a, item));
    case 'self': return item;
    case 'lit': return n.v;
    case 'field': return n.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), item) ?? null;
    case 'cmp': {
      const a = evaluate(n.a, item);
      const b = evaluate(n.b, item);
      if (n.op === '==') return JSON.stringify(a) === JSON.stringify(b);
      if (n.op === '!=') return JSON.stringify(a) !== JSON.stringify(b);
      if (typeof a !== 'number' || typeof b !== 'number') return null; // JMESPath: ordering needs numbers
      return n.op === '<' ? a < b : n.op === '<=' ? a <= b : n.op === '>' ? a > b : a >= b;
    }
  }
}

/** A compiled selector: the members it keeps. Throws on syntax outside the subset. */
export function compileSelector(selector: string | undefined): (items: Record<string, unknown>[]) => Record<string, unknown>[] {
  const s = (selector ?? '[]').trim();
  if (s === '' || s === '[]' || s === '[*]') return (items) => items;
  const m = /^\[\?([\s\S]*)\]$/.exec(s);
  if (!m) throw new Error(`selector ${JSON.stringify(s)}: expected [] or [? expression ]`);
  let node: Node;
  try {
    node = parseExpr(m[1]);
  } catch (e) {
    throw new Error(`selector ${JSON.stringify(s)}: ${(e as Error).message}`);
  }
  return (items) => items.filter((it) => truthy(evaluate(node, it)));
}
