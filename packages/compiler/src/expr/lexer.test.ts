import { describe, expect, it } from 'vitest';
import { lex, type TokenKind } from './lexer.js';

type Tok = [kind: TokenKind, text: string, start: number, end: number];

/** Tokens as compact tuples, the trailing `eof` included. */
function toks(src: string): Tok[] {
  const r = lex(src);
  expect(r.error, `unexpected lex error for ${JSON.stringify(src)}`).toBeUndefined();
  return r.tokens.map((t) => [t.kind, t.text, t.span.start, t.span.end]);
}

describe('lex: tokens and spans', () => {
  it.each<[string, Tok[]]>([
    ['', [['eof', '', 0, 0]]],
    ['   \t\r\n ', [['eof', '', 7, 7]]],
    ['close', [['ident', 'close', 0, 5], ['eof', '', 5, 5]]],
    ['_a1_B2', [['ident', '_a1_B2', 0, 6], ['eof', '', 6, 6]]],
    ['close>=1.5', [['ident', 'close', 0, 5], ['op', '>=', 5, 7], ['num', '1.5', 7, 10], ['eof', '', 10, 10]]],
    // `$name` keeps only the name; the span covers the `$`.
    [' $fast', [['param', 'fast', 1, 6], ['eof', '', 6, 6]]],
    // `@tf` keeps only the timeframe; the span covers the `@`.
    ['close@1w', [['ident', 'close', 0, 5], ['timeframe', '1w', 5, 8], ['eof', '', 8, 8]]],
    ['x@15m@4h@1d@1M', [['ident', 'x', 0, 1], ['timeframe', '15m', 1, 5], ['timeframe', '4h', 5, 8], ['timeframe', '1d', 8, 11], ['timeframe', '1M', 11, 14], ['eof', '', 14, 14]]],
    ['@9999w', [['timeframe', '9999w', 0, 6], ['eof', '', 6, 6]]],
    // Strings: the text is the decoded value, the span covers the quotes.
    ['"a b"', [['str', 'a b', 0, 5], ['eof', '', 5, 5]]],
    ["'it'", [['str', 'it', 0, 4], ['eof', '', 4, 4]]],
    [`'say "hi"'`, [['str', 'say "hi"', 0, 10], ['eof', '', 10, 10]]],
    ['""', [['str', '', 0, 2], ['eof', '', 2, 2]]],
    ['()[],.=', [['(', '(', 0, 1], [')', ')', 1, 2], ['[', '[', 2, 3], [']', ']', 3, 4], [',', ',', 4, 5], ['.', '.', 5, 6], ['=', '=', 6, 7], ['eof', '', 7, 7]]],
    [
      'a<=b>=c==d!=e<f>g',
      [
        ['ident', 'a', 0, 1], ['op', '<=', 1, 3], ['ident', 'b', 3, 4], ['op', '>=', 4, 6], ['ident', 'c', 6, 7], ['op', '==', 7, 9],
        ['ident', 'd', 9, 10], ['op', '!=', 10, 12], ['ident', 'e', 12, 13], ['op', '<', 13, 14], ['ident', 'f', 14, 15], ['op', '>', 15, 16],
        ['ident', 'g', 16, 17], ['eof', '', 17, 17],
      ],
    ],
    ['+-*/%', [['op', '+', 0, 1], ['op', '-', 1, 2], ['op', '*', 2, 3], ['op', '/', 3, 4], ['op', '%', 4, 5], ['eof', '', 5, 5]]],
    // Keywords are identifiers to the lexer; the parser gives them meaning.
    ['and or not true false', [['ident', 'and', 0, 3], ['ident', 'or', 4, 6], ['ident', 'not', 7, 10], ['ident', 'true', 11, 15], ['ident', 'false', 16, 21], ['eof', '', 21, 21]]],
    // `-` is always an operator: negative literals are a unary minus applied to a number.
    ['-1', [['op', '-', 0, 1], ['num', '1', 1, 2], ['eof', '', 2, 2]]],
    ['close[1]', [['ident', 'close', 0, 5], ['[', '[', 5, 6], ['num', '1', 6, 7], [']', ']', 7, 8], ['eof', '', 8, 8]]],
    ['x.upper', [['ident', 'x', 0, 1], ['.', '.', 1, 2], ['ident', 'upper', 2, 7], ['eof', '', 7, 7]]],
    ['k=2', [['ident', 'k', 0, 1], ['=', '=', 1, 2], ['num', '2', 2, 3], ['eof', '', 3, 3]]],
  ])('%j', (src, expected) => {
    expect(toks(src)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['0', '0'],
    ['42', '42'],
    ['.5', '.5'],
    ['1.', '1.'],
    ['1.25', '1.25'],
    ['1e3', '1e3'],
    ['2E+2', '2E+2'],
    ['1.5e-3', '1.5e-3'],
    ['007', '007'],
  ])('number %j keeps its source text', (src, text) => {
    expect(toks(src)).toEqual([
      ['num', text, 0, src.length],
      ['eof', '', src.length, src.length],
    ]);
  });

  it('a string stops at its own quote kind only', () => {
    expect(toks(`"it's" 'a "b"'`)).toEqual([
      ['str', "it's", 0, 6],
      ['str', 'a "b"', 7, 14],
      ['eof', '', 14, 14],
    ]);
  });

  it('keeps the tokens read before an error', () => {
    const r = lex('a + b && c');
    expect(r.tokens.map((t) => t.text)).toEqual(['a', '+', 'b']);
    expect(r.error?.code).toBe('E301');
  });
});

describe('lex: errors', () => {
  it.each<[src: string, code: string, start: number, end: number, message: string, hint: string | undefined]>([
    ['a && b', 'E301', 2, 4, 'unexpected `&&`', 'use `and` to combine conditions'],
    ['a || b', 'E301', 2, 4, 'unexpected `||`', 'use `or` to combine conditions'],
    ['!a', 'E301', 0, 1, 'unexpected character `!`', 'use `not` to negate a condition (and `!=` for "not equal")'],
    ['a & b', 'E301', 2, 3, 'unexpected character `&`', 'use `and` to combine conditions'],
    ['a | b', 'E301', 2, 3, 'unexpected character `|`', 'use `or` to combine conditions'],
    ['a ^ 2', 'E301', 2, 3, 'unexpected character `^`', 'there is no power operator; use `pow(x, y)`'],
    ['a # b', 'E301', 2, 3, 'unexpected character `#`', undefined],
    ['x\u0001', 'E301', 1, 2, 'unexpected character `U+0001`', undefined],
    ['x\u007f', 'E301', 1, 2, 'unexpected character `U+007F`', undefined],
    ['€', 'E301', 0, 1, 'unexpected character `€`', undefined],
    // An astral character is one code point but two UTF-16 units: the span covers both.
    ['a😀', 'E301', 1, 3, 'unexpected character `😀`', undefined],
    ['$', 'E301', 0, 1, '`$` must be followed by a parameter name', 'write `$name`, e.g. `$fast`'],
    ['$1', 'E301', 0, 1, '`$` must be followed by a parameter name', 'write `$name`, e.g. `$fast`'],
    ['close@', 'E301', 5, 6, '`@` must be followed by a timeframe', 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`'],
    ['a @ b', 'E301', 2, 3, '`@` must be followed by a timeframe', 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`'],
    ['close@2x', 'E301', 5, 8, '`2x` is not a timeframe', 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`'],
    ['close@0d', 'E301', 5, 8, '`0d` is not a timeframe', 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`'],
    ['close@10000d', 'E301', 5, 12, '`10000d` is not a timeframe', 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`'],
    ['close@1D', 'E301', 5, 8, '`1D` is not a timeframe', 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`'],
    ['close@d', 'E301', 5, 7, '`d` is not a timeframe', 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`'],
    ['"abc', 'E303', 0, 4, 'unterminated string', 'close it with "'],
    ["x == 'abc", 'E303', 5, 9, 'unterminated string', "close it with '"],
    // A string never spans lines: it ends, unterminated, at the line break.
    ['"ab\ncd"', 'E303', 0, 3, 'unterminated string', 'close it with "'],
    ['1abc', 'E304', 0, 4, 'invalid number `1abc`', 'a timeframe is written after `@`, as in `close@1w`; names cannot start with a digit'],
    ['x > 1w', 'E304', 4, 6, 'invalid number `1w`', 'a timeframe is written after `@`, as in `close@1w`; names cannot start with a digit'],
    ['1e', 'E304', 0, 2, 'invalid number `1e`', 'a timeframe is written after `@`, as in `close@1w`; names cannot start with a digit'],
    ['1e999', 'E304', 0, 5, 'number `1e999` is out of range', undefined],
  ])('%j → %s at [%i, %i)', (src, code, start, end, message, hint) => {
    const r = lex(src);
    expect(r.error).toBeDefined();
    expect(r.error!.code).toBe(code);
    expect(r.error!.span).toEqual({ start, end });
    expect(r.error!.message).toBe(message);
    expect(r.error!.hint).toBe(hint);
  });

  it('never throws on arbitrary input', () => {
    const samples = ['\u0000', '\uD800', '\\', '"\\"', '@@', '$$', '..', '1..2', '1e+', '1e-x', ' '.repeat(1000), '🙂'.repeat(10)];
    for (const s of samples) expect(() => lex(s)).not.toThrow();
  });
});
