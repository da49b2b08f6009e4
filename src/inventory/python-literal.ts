/**
 * Python's lexing of INI inventory lines as ansible's ini.py does it: `shlex.split` to cut a host
 * line into words, and `ast.literal_eval` (else the text itself, ini.py `_parse_value`) for values.
 */

/** Python's `shlex.split(s, comments)` (POSIX mode). */
export function shlexSplit(s: string, comments = false): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  const WS = ' \t\r\n';
  for (;;) {
    let token = '';
    let quoted = false;
    let state: string = ' ';
    let escaped = ' ';
    let done = false;
    while (!done) {
      const c = i < n ? s[i++] : '';
      if (state === ' ') {
        if (!c) break;
        if (WS.includes(c)) {
          if (token || quoted) break;
        } else if (comments && c === '#') {
          const nl = s.indexOf('\n', i);
          i = nl < 0 ? n : nl + 1;
        } else if (c === '\\') {
          escaped = 'a';
          state = c;
        } else if (c === '"' || c === "'") state = c;
        else {
          token = c;
          state = 'a';
        }
      } else if (state === '"' || state === "'") {
        quoted = true;
        if (!c) throw new Error('No closing quotation');
        if (c === state) state = 'a';
        else if (c === '\\' && state === '"') {
          escaped = state;
          state = c;
        } else token += c;
      } else if (state === '\\') {
        if (!c) throw new Error('No escaped character');
        if (escaped === '"' && c !== state && c !== escaped) token += state; // in "...", only \\ and \" are escapes
        token += c;
        state = escaped;
      } else {
        if (!c) {
          done = true;
        } else if (WS.includes(c)) {
          state = ' ';
          if (token || quoted) done = true;
        } else if (comments && c === '#') {
          const nl = s.indexOf('\n', i);
          i = nl < 0 ? n : nl + 1;
          state = ' ';
          if (token || quoted) done = true;
        } else if (c === '"' || c === "'") state = c;
        else if (c === '\\') {
          escaped = 'a';
          state = c;
        } else token += c;
      }
    }
    if (!quoted && token === '') return out;
    out.push(token);
  }
}

// ---------------------------------------------------------------------------------------------
// INI values: Python's ast.literal_eval, else the text itself (ini.py `_parse_value`).
// ---------------------------------------------------------------------------------------------

class NotLiteral extends Error {}

/** A Python int or float literal (no sign, no imaginary part). */
const NUMBER = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][-+]?\d(?:_?\d)*)?)(?![\w.])/;

/** `ast.literal_eval(text)` for the literals that have a JSON equivalent; the text itself otherwise. */
export function pythonLiteral(text: string): unknown {
  try {
    const p = new PyLiteralParser(text.replace(/^[ \t]+/, ''));
    const v = p.expr();
    p.skip();
    if (p.pos < p.src.length) throw new NotLiteral();
    return v;
  } catch (e) {
    if (e instanceof NotLiteral) return text;
    throw e;
  }
}

class PyLiteralParser {
  pos = 0;
  private depth = 0;
  constructor(readonly src: string) {}

  skip(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\f' || (this.depth > 0 && (c === '\n' || c === '\r'))) this.pos++;
      else if (c === '\\' && this.src[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
        if (this.depth === 0) return;
      } else return;
    }
  }

  private peek(): string {
    this.skip();
    return this.src[this.pos] ?? '';
  }

  private eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  expr(): unknown {
    const c = this.peek();
    if (c === '+' || c === '-') {
      this.pos++;
      this.skip();
      const m = NUMBER.exec(this.src.slice(this.pos));
      if (!m) throw new NotLiteral();
      const v = this.number(m[0]);
      return c === '-' ? -v : v;
    }
    if (c === '[') return this.seq('[', ']');
    if (c === '(') return this.seq('(', ')');
    if (c === '{') return this.braces();
    const rest = this.src.slice(this.pos);
    if (/^[rRuU]?['"]/.test(rest)) {
      let s = '';
      while (/^[rRuU]?['"]/.test(this.src.slice(this.pos))) {
        s += this.string();
        this.skip();
      }
      return s;
    }
    const num = NUMBER.exec(rest);
    if (num) return this.number(num[0]);
    const word = /^[A-Za-z_]\w*/.exec(rest);
    if (word) {
      this.pos += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
    }
    throw new NotLiteral();
  }

  private number(tok: string): number {
    this.pos += tok.length;
    const t = tok.replace(/_/g, '');
    if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
    if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
    if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
    if (/^0\d*[1-9]\d*$/.test(t)) throw new NotLiteral(); // 010: SyntaxError in Python 3 (00 is fine)
    return Number(t);
  }

  private string(): string {
    const m = /^([rRuU]?)('''|"""|'|")/.exec(this.src.slice(this.pos))!;
    const raw = /r/i.test(m[1]);
    const q = m[2];
    this.pos += m[0].length;
    let out = '';
    for (;;) {
      if (this.pos >= this.src.length) throw new NotLiteral();
      if (this.src.startsWith(q, this.pos)) {
        this.pos += q.length;
        return out;
      }
      const c = this.src[this.pos++];
      if (c === '\n' && q.length === 1) throw new NotLiteral();
      if (c !== '\\') {
        out += c;
        continue;
      }
      const d = this.src[this.pos++] ?? '';
      if (raw) {
        out += c + d;
        continue;
      }
      const simple: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
      if (d in simple) out += simple[d];
      else if (/[0-7]/.test(d)) {
        const oct = /^[0-7]{1,3}/.exec(this.src.slice(this.pos - 1))![0];
        this.pos += oct.length - 1;
        out += String.fromCharCode(parseInt(oct, 8));
      } else if (d === 'x' || d === 'u' || d === 'U') {
        const len = d === 'x' ? 2 : d === 'u' ? 4 : 8;
        const hex = this.src.slice(this.pos, this.pos + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new NotLiteral();
        this.pos += len;
        out += String.fromCodePoint(parseInt(hex, 16));
      } else if (d === 'N') throw new NotLiteral();
      else out += c + d;
    }
  }

  private seq(open: string, close: string): unknown[] {
    this.pos++;
    this.depth++;
    const items: unknown[] = [];
    let sawComma = false;
    while (!this.eat(close)) {
      if (items.length && !sawComma) throw new NotLiteral();
      items.push(this.expr());
      sawComma = this.eat(',');
    }
    this.depth--;
    if (open === '(' && items.length === 1 && !sawComma) return items[0] as unknown[];
    return items;
  }

  private braces(): unknown {
    this.pos++;
    this.depth++;
    const obj: Record<string, unknown> = {};
    const set: unknown[] = [];
    let kind: 'dict' | 'set' | undefined;
    let sawComma = true;
    while (!this.eat('}')) {
      if (!sawComma) throw new NotLiteral();
      const k = this.expr();
      if (this.eat(':')) {
        if (kind === 'set') throw new NotLiteral();
        kind = 'dict';
        if (k !== null && typeof k === 'object') throw new NotLiteral();
        obj[String(k)] = this.expr();
      } else {
        if (kind === 'dict') throw new NotLiteral();
        kind = 'set';
        if (!set.includes(k)) set.push(k);
      }
      sawComma = this.eat(',');
    }
    this.depth--;
    return kind === 'set' ? set : obj;
  }
}
