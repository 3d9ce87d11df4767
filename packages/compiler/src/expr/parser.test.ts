import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { MAX_EXPR_DEPTH, parseExpression, type ParseError } from './parser.js';
import { printExpr } from './printer.js';

/** A compact, span-free rendering of the tree: `(op left right)`, `(lag t n)`, `(. t name)`, `(@ t tf)`. */
function sx(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'str':
      return JSON.stringify(e.value);
    case 'bool':
      return String(e.value);
    case 'param':
      return `$${e.name}`;
    case 'ident':
      return e.name;
    case 'list':
      return `(list${e.items.map((i) => ' ' + sx(i)).join('')})`;
    case 'call':
      return `(call ${e.callee}${e.args.map((a) => ' ' + (a.name !== undefined ? `${a.name}=` : '') + sx(a.value)).join('')})`;
    case 'unary':
      return `(${e.op} ${sx(e.operand)})`;
    case 'binary':
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'lag':
      return `(lag ${sx(e.target)} ${sx(e.lag)})`;
    case 'member':
      return `(. ${sx(e.target)} ${e.name})`;
    case 'tf':
      return `(@ ${sx(e.target)} ${e.timeframe})`;
  }
}

function parseOk(src: string): Expr {
  const r = parseExpression(src);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(src)} to parse, got ${r.error.code}: ${r.error.message}`);
  return r.expr;
}

function parseErr(src: string): ParseError {
  const r = parseExpression(src);
  if (r.ok) throw new Error(`expected ${JSON.stringify(src)} to fail, got ${sx(r.expr)}`);
  return r.error;
}

describe('parseExpression: precedence and associativity', () => {
  it.each<[string, string]>([
    // `not` sits between `and` and the comparisons.
    ['not a > b and c', '(and (not (> a b)) c)'],
    ['not a and b', '(and (not a) b)'],
    ['not a or b', '(or (not a) b)'],
    ['a and not b', '(and a (not b))'],
    ['not not a', '(not (not a))'],
    ['not a + b > c', '(not (> (+ a b) c))'],
    ['a or not b and c', '(or a (and (not b) c))'],
    // `and` binds tighter than `or`; both are left-associative.
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['a and b and c', '(and (and a b) c)'],
    ['a or b or c', '(or (or a b) c)'],
    // Arithmetic: left-associative, `* / %` over `+ -`.
    ['a - b - c', '(- (- a b) c)'],
    ['a / b / c', '(/ (/ a b) c)'],
    ['a % b * c', '(* (% a b) c)'],
    ['a + b * c', '(+ a (* b c))'],
    ['a * b + c', '(+ (* a b) c)'],
    ['a - b + c', '(+ (- a b) c)'],
    ['a + b > c * d', '(> (+ a b) (* c d))'],
    ['a > b and c < d or e == f', '(or (and (> a b) (< c d)) (== e f))'],
    // Unary minus binds tighter than `*` but looser than postfix operators.
    ['-close[1]', '(- (lag close 1))'],
    ['-x.upper', '(- (. x upper))'],
    ['-close@1w', '(- (@ close 1w))'],
    ['-a * b', '(* (- a) b)'],
    ['a * -b', '(* a (- b))'],
    ['a - -b', '(- a (- b))'],
    ['- -a', '(- (- a))'],
    ['--a', '(- (- a))'],
    ['-(a + b)', '(- (+ a b))'],
    ['(-a)[1]', '(lag (- a) 1)'],
    ['-1', '(- 1)'],
    // Unary plus leaves no node.
    ['+a', 'a'],
    ['a + +b', '(+ a b)'],
    ['-+a', '(- a)'],
    // Parentheses group and leave no node.
    ['(a + b) * c', '(* (+ a b) c)'],
    ['a - (b - c)', '(- a (- b c))'],
    ['((a))', 'a'],
    ['not (a and b)', '(not (and a b))'],
    // Comparisons take one comparison per level, but parentheses allow nesting.
    ['(a < b) == c', '(== (< a b) c)'],
    ['a == (b < c)', '(== a (< b c))'],
  ])('%j → %s', (src, expected) => {
    expect(sx(parseOk(src))).toBe(expected);
  });
});

describe('parseExpression: postfix chains, calls, lists, literals', () => {
  it.each<[string, string]>([
    ['x.upper[1]', '(lag (. x upper) 1)'],
    ['close@1w[2]', '(lag (@ close 1w) 2)'],
    ['close[1]@1w', '(@ (lag close 1) 1w)'],
    ['close[1][2]', '(lag (lag close 1) 2)'],
    ['close[$n]', '(lag close $n)'],
    ['close[1 + 1]', '(lag close (+ 1 1))'],
    ['bbands(close, 20).upper', '(. (call bbands close 20) upper)'],
    ['bbands(close@1d, 20, k=2.5).lower[1]', '(lag (. (call bbands (@ close 1d) 20 k=2.5) lower) 1)'],
    ['sma(close, $fast)', '(call sma close $fast)'],
    ['f()', '(call f)'],
    ['f(a, b, c)', '(call f a b c)'],
    ['macd(close, fast=12, slow=26)', '(call macd close fast=12 slow=26)'],
    ['f(k=a > b)', '(call f k=(> a b))'],
    ['f(k==1)', '(call f (== k 1))'],
    ['f(g(h(x)))', '(call f (call g (call h x)))'],
    ['[]', '(list)'],
    ['[1, 2.5, 3]', '(list 1 2.5 3)'],
    ['[412.5, $level]', '(list 412.5 $level)'],
    ['sr_proximity(close, levels=[1, 2])', '(call sr_proximity close levels=(list 1 2))'],
    ['[1][0]', '(lag (list 1) 0)'],
    ['"2024-03-01"', '"2024-03-01"'],
    ["'2024-03-01'", '"2024-03-01"'],
    ['trendline_cross(close, t0="2024-01-01", p0=1)', '(call trendline_cross close t0="2024-01-01" p0=1)'],
    ['true and false', '(and true false)'],
    ['.5 + 1e3 + 1.5e-3', '(+ (+ 0.5 1000) 0.0015)'],
    ['$fast', '$fast'],
    ['x@1d@1w', '(@ (@ x 1d) 1w)'],
    ['hl2', 'hl2'],
  ])('%j → %s', (src, expected) => {
    expect(sx(parseOk(src))).toBe(expected);
  });

  it('whitespace, including line breaks from folded YAML, is insignificant', () => {
    expect(sx(parseOk(' a\n  >\tb\r\n and c '))).toBe(sx(parseOk('a > b and c')));
  });
});

describe('parseExpression: spans', () => {
  it('binary and unary spans cover their operands', () => {
    const e = parseOk('not a > b and c');
    expect(e.span).toEqual({ start: 0, end: 15 });
    if (e.kind !== 'binary' || e.left.kind !== 'unary' || e.left.operand.kind !== 'binary') throw new Error('shape');
    expect(e.left.span).toEqual({ start: 0, end: 9 });
    expect(e.left.operand.span).toEqual({ start: 4, end: 9 });
    expect(e.left.operand.left.span).toEqual({ start: 4, end: 5 });
    expect(e.right.span).toEqual({ start: 14, end: 15 });
  });

  it('parentheses widen the inner span to include them', () => {
    const e = parseOk('(a + b) * c');
    if (e.kind !== 'binary') throw new Error('shape');
    expect(e.span).toEqual({ start: 0, end: 11 });
    expect(e.left.span).toEqual({ start: 0, end: 7 });
    expect(e.left.kind).toBe('binary');
  });

  it('calls record the callee and argument-name spans', () => {
    const e = parseOk('bbands(close, k=2)');
    if (e.kind !== 'call') throw new Error('shape');
    expect(e.span).toEqual({ start: 0, end: 18 });
    expect(e.calleeSpan).toEqual({ start: 0, end: 6 });
    expect(e.args[0]!.value.span).toEqual({ start: 7, end: 12 });
    expect(e.args[1]!.nameSpan).toEqual({ start: 14, end: 15 });
    expect(e.args[1]!.value.span).toEqual({ start: 16, end: 17 });
    expect('name' in e.args[0]!).toBe(false);
  });

  it('postfix spans: lag to the `]`, member name, timeframe with its `@`', () => {
    const lag = parseOk('x.upper[1]');
    if (lag.kind !== 'lag' || lag.target.kind !== 'member') throw new Error('shape');
    expect(lag.span).toEqual({ start: 0, end: 10 });
    expect(lag.target.span).toEqual({ start: 0, end: 7 });
    expect(lag.target.nameSpan).toEqual({ start: 2, end: 7 });
    const tf = parseOk('close@1w[2]');
    if (tf.kind !== 'lag' || tf.target.kind !== 'tf') throw new Error('shape');
    expect(tf.target.tfSpan).toEqual({ start: 5, end: 8 });
    expect(tf.target.span).toEqual({ start: 0, end: 8 });
    expect(tf.span).toEqual({ start: 0, end: 11 });
  });

  it('unary minus and lists', () => {
    expect(parseOk('-close[1]').span).toEqual({ start: 0, end: 9 });
    expect(parseOk('[1, 2]').span).toEqual({ start: 0, end: 6 });
    expect(parseOk('  $p  ').span).toEqual({ start: 2, end: 4 });
    expect(parseOk('"ab"').span).toEqual({ start: 0, end: 4 });
  });
});

describe('parseExpression: errors', () => {
  const ends = 'the expression ends too early';
  const chain = 'write `a < b and b < c`';
  it.each<[src: string, code: string, start: number, end: number, message: string, hint: string | undefined]>([
    // E301 from the lexer, with hints for operators from other languages.
    ['a && b', 'E301', 2, 4, 'unexpected `&&`', 'use `and` to combine conditions'],
    ['a || b', 'E301', 2, 4, 'unexpected `||`', 'use `or` to combine conditions'],
    ['!a', 'E301', 0, 1, 'unexpected character `!`', 'use `not` to negate a condition (and `!=` for "not equal")'],
    ['a ^ 2', 'E301', 2, 3, 'unexpected character `^`', 'there is no power operator; use `pow(x, y)`'],
    ['close@5x', 'E301', 5, 8, '`5x` is not a timeframe', 'timeframes look like `15m`, `4h`, `1d`, `1w` or `1M`'],
    // E302: syntax.
    ['a = b', 'E302', 2, 3, 'unexpected `=`: expected an operator or the end of the expression', 'use `==` to compare; `=` only names an argument, as in `bbands(close, k=2)`'],
    ['f(a = = b)', 'E302', 6, 7, 'unexpected `=`: expected a value (a number, a name, a call or `(`)', 'use `==` to compare; `=` only names an argument, as in `bbands(close, k=2)`'],
    ['a < b < c', 'E302', 6, 7, 'unexpected `<`: comparisons do not chain', chain],
    ['a < b > c', 'E302', 6, 7, 'unexpected `>`: comparisons do not chain', chain],
    ['a == b != c', 'E302', 7, 9, 'unexpected `!=`: comparisons do not chain', chain],
    ['a + b < c - d < e', 'E302', 14, 15, 'unexpected `<`: comparisons do not chain', chain],
    ['not a < b < c', 'E302', 10, 11, 'unexpected `<`: comparisons do not chain', chain],
    ['', 'E302', 0, 0, 'unexpected end of expression: expected a value (a number, a name, a call or `(`)', ends],
    ['a and', 'E302', 5, 5, 'unexpected end of expression: expected a value (a number, a name, a call or `(`)', ends],
    ['not', 'E302', 3, 3, 'unexpected end of expression: expected a value (a number, a name, a call or `(`)', ends],
    ['x[1', 'E302', 3, 3, 'unexpected end of expression: expected `]` to close the lag', ends],
    ['f(a', 'E302', 3, 3, 'unexpected end of expression: expected `,` or `)` in the argument list', ends],
    ['(a', 'E302', 2, 2, 'unexpected end of expression: expected `)`', ends],
    ['[1, 2', 'E302', 5, 5, 'unexpected end of expression: expected `,` or `]` in the list', ends],
    ['a.', 'E302', 2, 2, 'unexpected end of expression: expected an output name after `.`', ends],
    ['a.(b)', 'E302', 2, 3, 'unexpected `(`: expected an output name after `.`', undefined],
    ['a)', 'E302', 1, 2, 'unexpected `)`: expected an operator or the end of the expression', undefined],
    [')', 'E302', 0, 1, 'unexpected `)`: expected a value (a number, a name, a call or `(`)', undefined],
    ['a b', 'E302', 2, 3, 'unexpected `b`: expected an operator or the end of the expression', undefined],
    ['f(a b)', 'E302', 4, 5, 'unexpected `b`: expected `,` or `)` in the argument list', undefined],
    ['f(1)(2)', 'E302', 4, 5, 'unexpected `(`: expected an operator or the end of the expression', undefined],
    ['[1,]', 'E302', 3, 4, 'unexpected `]`: expected a value (a number, a name, a call or `(`)', undefined],
    ['f(k=)', 'E302', 4, 5, 'unexpected `)`: expected a value (a number, a name, a call or `(`)', undefined],
    ['x[]', 'E302', 2, 3, 'unexpected `]`: expected a value (a number, a name, a call or `(`)', undefined],
    ['and', 'E302', 0, 3, 'unexpected `and`: expected a value', undefined],
    ['a or or b', 'E302', 5, 7, 'unexpected `or`: expected a value', undefined],
    ['"s" "t"', 'E302', 4, 7, 'unexpected `"t"`: expected an operator or the end of the expression', undefined],
    ['$p q', 'E302', 3, 4, 'unexpected `q`: expected an operator or the end of the expression', undefined],
    ['$p $q', 'E302', 3, 5, 'unexpected `$q`: expected an operator or the end of the expression', undefined],
    // E303 / E304 from the lexer.
    ['x == "abc', 'E303', 5, 9, 'unterminated string', 'close it with "'],
    ['close > 1d', 'E304', 8, 10, 'invalid number `1d`', 'a timeframe is written after `@`, as in `close@1w`; names cannot start with a digit'],
    ['1e400 > x', 'E304', 0, 5, 'number `1e400` is out of range', undefined],
  ])('%j → %s at [%i, %i)', (src, code, start, end, message, hint) => {
    const err = parseErr(src);
    expect(err.code).toBe(code);
    expect(err.span).toEqual({ start, end });
    expect(err.message).toBe(message);
    expect(err.hint).toBe(hint);
  });
});

describe('parseExpression: nesting limit (E305)', () => {
  const n = MAX_EXPR_DEPTH;
  const hint = 'split it into named signals';
  const message = `expression nested more than ${n} levels deep`;

  it(`accepts ${n} levels of parentheses and rejects ${n + 1}`, () => {
    expect(sx(parseOk('('.repeat(n) + 'a' + ')'.repeat(n)))).toBe('a');
    const err = parseErr('('.repeat(n + 1) + 'a' + ')'.repeat(n + 1));
    expect(err).toEqual({ code: 'E305', message, span: { start: n + 1, end: n + 2 }, hint });
  });

  it('counts unary minus, `not`, lists and calls', () => {
    expect(parseOk('-'.repeat(n) + 'a').kind).toBe('unary');
    expect(parseErr('-'.repeat(n + 1) + 'a')).toEqual({ code: 'E305', message, span: { start: n, end: n + 1 }, hint });
    expect(parseOk('not '.repeat(n) + 'a').kind).toBe('unary');
    expect(parseErr('not '.repeat(n + 1) + 'a')).toMatchObject({ code: 'E305', span: { start: 4 * (n + 1), end: 4 * (n + 1) + 1 } });
    expect(parseOk('['.repeat(n) + '1' + ']'.repeat(n)).kind).toBe('list');
    expect(parseErr('['.repeat(n + 1) + '1' + ']'.repeat(n + 1)).code).toBe('E305');
    expect(parseOk('f('.repeat(n) + '1' + ')'.repeat(n)).kind).toBe('call');
    expect(parseErr('f('.repeat(n + 1) + '1' + ')'.repeat(n + 1)).code).toBe('E305');
  });

  it('fails fast and without a stack overflow far beyond the limit', () => {
    expect(parseErr('('.repeat(100_000) + 'a' + ')'.repeat(100_000)).code).toBe('E305');
    expect(parseErr('-'.repeat(100_000) + 'a').code).toBe('E305');
  });

  // Regression: MAX_EXPR_DEPTH used to bound only the parser's recursion, not the height of the
  // tree it builds. A flat left-associative chain or a long postfix chain parsed into a tree
  // thousands of levels deep, and every recursive consumer (printExpr, the lowering pass) then
  // overflowed the stack — inside an artifact, an E901 "internal compiler error" (see
  // compile.test.ts). Either the parser reports E305 or printing must cope.
  it.each<[string, string]>([
    ['a 20,000-term sum', Array.from({ length: 20_000 }, () => 'a').join(' + ')],
    ['a 10,000-level lag chain', 'close' + '[1]'.repeat(10_000)],
    ['a 10,000-level member chain', 'x' + '.y'.repeat(10_000)],
  ])('%s is rejected with E305 or can be printed', (_label, src) => {
    const r = parseExpression(src);
    if (r.ok) expect(() => printExpr(r.expr)).not.toThrow();
    else expect(r.error.code).toBe('E305');
  });
});

describe('parseExpression: arbitrary input (property)', () => {
  const TOKENS = ['close', 'x', 'sma', 'and', 'or', 'not', 'true', ' ', '(', ')', '[', ']', ',', '.', '=', '==', '<', '>=', '+', '-', '*', '/', '%', '$p', '$', '@1d', '@', '1', '2.5', '.5', '1e3', 'e', '"s"', '"', "'", '&&', '!', '^', '\n', '\t'];
  const soup = fc.oneof(
    fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 24 }),
    fc.string({ unit: 'binary', maxLength: 24 }),
  );

  it('never throws; errors carry a known code and a span inside the input; successes print stably', () => {
    fc.assert(
      fc.property(soup, (src) => {
        const r = parseExpression(src);
        if (!r.ok) {
          expect(['E301', 'E302', 'E303', 'E304', 'E305']).toContain(r.error.code);
          expect(r.error.span.start).toBeGreaterThanOrEqual(0);
          expect(r.error.span.start).toBeLessThanOrEqual(r.error.span.end);
          expect(r.error.span.end).toBeLessThanOrEqual(src.length);
          expect(r.error.message.length).toBeGreaterThan(0);
          return;
        }
        expect(r.expr.span.start).toBeGreaterThanOrEqual(0);
        expect(r.expr.span.end).toBeLessThanOrEqual(src.length);
        const printed = printExpr(r.expr);
        const again = parseExpression(printed);
        expect(again.ok, `${JSON.stringify(src)} printed as ${JSON.stringify(printed)}`).toBe(true);
        if (again.ok) expect(printExpr(again.expr)).toBe(printed);
      }),
      { numRuns: 2000, seed: 42 },
    );
  });
});
