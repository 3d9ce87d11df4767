import type { ExprSpan } from './ast.js';

export type TokenKind =
  | 'num'
  | 'str'
  | 'ident'
  | 'param'
  | 'timeframe'
  | 'op'
  | '('
  | ')'
  | '['
  | ']'
  | ','
  | '.'
  | '='
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for `str`, the decoded value; for `param`, the name without `$`). */
  readonly text: string;
  readonly span: ExprSpan;
}

export interface LexError {
  readonly code: 'E301' | 'E303' | 'E304';
  readonly message: string;
  readonly span: ExprSpan;
  readonly hint?: string;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);

/** Operators and the hint for look-alikes from other languages. */
const MISTAKES: Readonly<Record<string, string>> = {
  '&&': 'use `and` to combine conditions',
  '||': 'use `or` to combine conditions',
  '!': 'use `not` to negate a condition (and `!=` for "not equal")',
  '&': 'use `and` to combine conditions',
  '|': 'use `or` to combine conditions',
  '^': 'there is no power operator; use `pow(x, y)`',
};

/** Splits an expression into tokens. Never throws; stops at the first error. */
export function lex(src: string): { tokens: Token[]; error?: LexError } {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;
  const push = (kind: TokenKind, text: string, start: number, end: number) => tokens.push({ kind, text, span: { start, end } });

  while (i < n) {
    const c = src.charCodeAt(i);
    // whitespace (space, tab, CR, LF)
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      if (src.charCodeAt(i) === 46) {
        i++;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
      }
      if (src.charCodeAt(i) === 101 || src.charCodeAt(i) === 69) {
        let j = i + 1;
        if (src.charCodeAt(j) === 43 || src.charCodeAt(j) === 45) j++;
        if (isDigit(src.charCodeAt(j))) {
          i = j;
          while (i < n && isDigit(src.charCodeAt(i))) i++;
        }
      }
      if (i < n && isIdentStart(src.charCodeAt(i))) {
        let j = i;
        while (j < n && isIdentPart(src.charCodeAt(j))) j++;
        return {
          tokens,
          error: {
            code: 'E304',
            message: `invalid number \`${src.slice(start, j)}\``,
            span: { start, end: j },
            hint: 'a timeframe is written after `@`, as in `close@1w`; names cannot start with a digit',
          },
        };
      }
      const text = src.slice(start, i);
      if (!Number.isFinite(Number(text))) {
        return { tokens, error: { code: 'E304', message: `number \`${text}\` is out of range`, span: { start, end: i } } };
      }
      push('num', text, start, i);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      push('ident', src.slice(start, i), start, i);
      continue;
    }
    if (c === 36 /* $ */) {
      i++;
      if (!isIdentStart(src.charCodeAt(i))) {
        return {
          tokens,
          error: { code: 'E301', message: '`$` must be followed by a parameter name', span: { start, end: i }, hint: 'write `$name`, e.g. `$fast`' },
        };
      }
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      push('param', src.slice(start + 1, i), start, i);
      continue;
    }
    if (c === 64 /* @ */) {
      i++;
      const tfStart = i;
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      const digitsEnd = i;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      const tf = src.slice(tfStart, i);
      if (digitsEnd === tfStart || !/^[1-9][0-9]{0,3}(m|h|d|w|M)$/.test(tf)) {
        return {
          tokens,
          error: {
            code: 'E301',
            message: tf ? `\`${tf}\` is not a timeframe` : '`@` must be followed by a timeframe',
            span: { start, end: Math.max(i, start + 1) },
            hint: 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`',
          },
        };
      }
      push('timeframe', tf, start, i);
      continue;
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      i++;
      let value = '';
      while (i < n && src.charCodeAt(i) !== c) {
        if (src.charCodeAt(i) === 10) break;
        value += src[i];
        i++;
      }
      if (i >= n || src.charCodeAt(i) !== c) {
        return { tokens, error: { code: 'E303', message: 'unterminated string', span: { start, end: i }, hint: `close it with ${src[start]}` } };
      }
      i++;
      push('str', value, start, i);
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '==' || two === '!=') {
      push('op', two, i, i + 2);
      i += 2;
      continue;
    }
    if (two === '&&' || two === '||') {
      return { tokens, error: { code: 'E301', message: `unexpected \`${two}\``, span: { start, end: i + 2 }, hint: MISTAKES[two] ?? '' } };
    }
    const ch = src[i] ?? '';
    switch (ch) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '<':
      case '>':
        push('op', ch, i, i + 1);
        i++;
        continue;
      case '(':
      case ')':
      case '[':
      case ']':
      case ',':
      case '.':
      case '=':
        push(ch, ch, i, i + 1);
        i++;
        continue;
      default: {
        const cp = src.codePointAt(i) ?? 0;
        const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
        // Control characters and lone surrogates cannot be shown as themselves.
        const shown = cp < 32 || cp === 127 || (cp >= 0xd800 && cp <= 0xdfff) ? code : String.fromCodePoint(cp);
        const hint = MISTAKES[ch];
        return {
          tokens,
          error: {
            code: 'E301',
            message: `unexpected character \`${shown}\``,
            span: { start, end: i + (cp > 0xffff ? 2 : 1) },
            ...(hint ? { hint } : {}),
          },
        };
      }
    }
  }
  push('eof', '', n, n);
  return { tokens };
}
