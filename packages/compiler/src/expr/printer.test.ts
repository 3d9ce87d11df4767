import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Arg, BinaryOp, Expr, UnaryOp } from './ast.js';
import { parseExpression } from './parser.js';
import { printExpr, printNumber } from './printer.js';

const NO_SPAN = { start: 0, end: 0 } as const;
const SPAN_KEYS = new Set(['span', 'calleeSpan', 'nameSpan', 'tfSpan']);

/** The tree without any span fields, for structural comparison. */
function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SPAN_KEYS.has(k)) out[k] = stripSpans(v);
    return out;
  }
  return value;
}

function reparse(text: string): Expr {
  const r = parseExpression(text);
  if (!r.ok) throw new Error(`printed text ${JSON.stringify(text)} does not parse: ${r.error.code} ${r.error.message}`);
  return r.expr;
}

function canonical(src: string): string {
  return printExpr(reparse(src));
}

// ——— arbitraries: trees the parser can produce ———

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);
/** Identifiers: short, biased towards real names, never a keyword (those parse as operators or booleans). */
const identifier = fc.oneof(
  fc.constantFrom('close', 'open', 'high', 'low', 'volume', 'sma', 'fast_ma', 'upper', 'k', 'x', '_', 'A1', 'e', 'e5', 'notx', 'and_', 'True'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/),
).filter((s) => !KEYWORDS.has(s));
const timeframe = fc.stringMatching(/^[1-9][0-9]{0,3}[mhdwM]$/);
/** Non-negative finite numbers, excluding -0 (printed as `0`). */
const number = fc.oneof(
  fc.constantFrom(0, 1, 2, 10, 0.5, 1.5, 100, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 123456.789),
  fc.nat(),
  fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
).filter((n) => !Object.is(n, -0));
/** Every string value the lexer can produce: anything but a line break, never both quote kinds. */
const lexableString = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019 -:._/T+,()[]@$#%é€"\'\\\t\r'.split('')), maxLength: 12 })
  .filter((s) => !(s.includes('"') && s.includes("'")));
/** Strings without quotes, backslashes or control characters, for the whitespace check below. */
const plainString = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -:._/T+,()[]@$#%é€'.split('')), maxLength: 12 });

const BINARY_OPS: readonly BinaryOp[] = ['+', '-', '*', '/', '%', '<', '<=', '>', '>=', '==', '!=', 'and', 'or'];
const UNARY_OPS: readonly UnaryOp[] = ['-', 'not'];

function exprArbitrary(strings: fc.Arbitrary<string>): fc.Arbitrary<Expr> {
  const { expr } = fc.letrec<{ expr: Expr; arg: Arg }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'medium', withCrossShrink: true },
      // leaves
      number.map((value): Expr => ({ kind: 'num', value, span: NO_SPAN })),
      strings.map((value): Expr => ({ kind: 'str', value, span: NO_SPAN })),
      fc.boolean().map((value): Expr => ({ kind: 'bool', value, span: NO_SPAN })),
      identifier.map((name): Expr => ({ kind: 'param', name, span: NO_SPAN })),
      identifier.map((name): Expr => ({ kind: 'ident', name, span: NO_SPAN })),
      // composites
      fc.array(tie('expr'), { maxLength: 3 }).map((items): Expr => ({ kind: 'list', items, span: NO_SPAN })),
      fc.tuple(identifier, fc.array(tie('arg'), { maxLength: 3 })).map(([callee, args]): Expr => ({ kind: 'call', callee, calleeSpan: NO_SPAN, args, span: NO_SPAN })),
      fc.tuple(fc.constantFrom(...UNARY_OPS), tie('expr')).map(([op, operand]): Expr => ({ kind: 'unary', op, operand, span: NO_SPAN })),
      fc.tuple(fc.constantFrom(...BINARY_OPS), tie('expr'), tie('expr')).map(([op, left, right]): Expr => ({ kind: 'binary', op, left, right, span: NO_SPAN })),
      fc.tuple(tie('expr'), tie('expr')).map(([target, lag]): Expr => ({ kind: 'lag', target, lag, span: NO_SPAN })),
      fc.tuple(tie('expr'), identifier).map(([target, name]): Expr => ({ kind: 'member', target, name, nameSpan: NO_SPAN, span: NO_SPAN })),
      fc.tuple(tie('expr'), timeframe).map(([target, tf]): Expr => ({ kind: 'tf', target, timeframe: tf, tfSpan: NO_SPAN, span: NO_SPAN })),
    ),
    arg: fc.oneof(
      tie('expr').map((value): Arg => ({ value })),
      fc.tuple(identifier, tie('expr')).map(([name, value]): Arg => ({ name, nameSpan: NO_SPAN, value })),
    ),
  }));
  return expr;
}

const PROPERTY_RUNS = { numRuns: 1000, seed: 20_240_301 } as const;

describe('printExpr: round trip (property)', () => {
  const trees = exprArbitrary(lexableString);

  it('parse(print(e)) equals e, ignoring spans', () => {
    fc.assert(
      fc.property(trees, (e) => {
        expect(stripSpans(reparse(printExpr(e)))).toEqual(stripSpans(e));
      }),
      PROPERTY_RUNS,
    );
  });

  it('printing is idempotent: print(parse(print(e))) === print(e)', () => {
    fc.assert(
      fc.property(trees, (e) => {
        const once = printExpr(e);
        expect(printExpr(reparse(once))).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });

  it('the printed form is free of redundant whitespace', () => {
    fc.assert(
      fc.property(exprArbitrary(plainString), (e) => {
        const text = printExpr(e);
        // Strings may hold spaces of their own; look outside them only.
        const code = text.replace(/"[^"]*"/g, '""');
        expect(code).not.toMatch(/ {2}|^ | $|\( | \)|\[ | \]| ,/);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('printExpr: canonical form with the fewest parentheses', () => {
  it.each<[string, string]>([
    // Redundant parentheses disappear …
    ['((a))', 'a'],
    ['a + (b * c)', 'a + b * c'],
    ['(a - b) - c', 'a - b - c'],
    ['(a / b) * c', 'a / b * c'],
    ['(a and b) or c', 'a and b or c'],
    ['not (a > b)', 'not a > b'],
    ['(not a) and b', 'not a and b'],
    ['a and (not b)', 'a and not b'],
    ['-(close[1])', '-close[1]'],
    ['-(x.upper)', '-x.upper'],
    ['(x.upper)[1]', 'x.upper[1]'],
    ['(close@1w)[2]', 'close@1w[2]'],
    ['(-a) * b', '-a * b'],
    ['a * (-b)', 'a * -b'],
    ['a - (-1)', 'a - -1'],
    ['(a + b) > (c * d)', 'a + b > c * d'],
    ['(a > b) and (c < d)', 'a > b and c < d'],
    ['f((a + b))', 'f(a + b)'],
    ['[(a), (b)]', '[a, b]'],
    // … necessary ones stay.
    ['(a + b) * c', '(a + b) * c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['a - (b + c)', 'a - (b + c)'],
    ['a / (b * c)', 'a / (b * c)'],
    ['a % (b % c)', 'a % (b % c)'],
    ['a and (b or c)', 'a and (b or c)'],
    ['a and (b and c)', 'a and (b and c)'],
    ['not (a and b)', 'not (a and b)'],
    ['(not a) > b', '(not a) > b'],
    ['(not a) + b', '(not a) + b'],
    ['a < (not b)', 'a < (not b)'],
    ['(a < b) == c', '(a < b) == c'],
    ['a == (b < c)', 'a == (b < c)'],
    ['-(a * b)', '-(a * b)'],
    ['-(-a)', '-(-a)'],
    ['- -a', '-(-a)'],
    ['-(not a)', '-(not a)'],
    ['(-a)[1]', '(-a)[1]'],
    ['(-a).x', '(-a).x'],
    ['(a + b)@1w', '(a + b)@1w'],
    ['(a + b)[1]', '(a + b)[1]'],
  ])('%j → %j', (src, expected) => {
    expect(canonical(src)).toBe(expected);
    expect(canonical(expected)).toBe(expected);
  });

  it.each<[string, string]>([
    ['sma( close ,10 )', 'sma(close, 10)'],
    ['bbands(close,k = 2).upper', 'bbands(close, k=2).upper'],
    ['f()', 'f()'],
    ['[ 1 ,2 ]', '[1, 2]'],
    ['[ ]', '[]'],
    ["'2024-03-01'", '"2024-03-01"'],
    ['  a\n>\tb  ', 'a > b'],
    ['$fast*2', '$fast * 2'],
    ['+a', 'a'],
    ['TRUE', 'TRUE'],
    ['true', 'true'],
    ['not  false', 'not false'],
  ])('spacing: %j → %j', (src, expected) => {
    expect(canonical(src)).toBe(expected);
  });

  it.each<[string, string]>([
    ['1.50', '1.5'],
    ['1e3', '1000'],
    ['2E+2', '200'],
    ['0.0', '0'],
    ['.5', '0.5'],
    ['1.', '1'],
    ['007', '7'],
    ['1e21', '1e+21'],
    ['0.0000001', '1e-7'],
    ['123456789012345678901234567890', '1.2345678901234568e+29'],
  ])('numbers: %j → %j', (src, expected) => {
    expect(canonical(src)).toBe(expected);
    expect(canonical(expected)).toBe(expected);
  });

  it('prints -0 as 0 and negative literals with a leading minus', () => {
    expect(printNumber(-0)).toBe('0');
    expect(printExpr({ kind: 'num', value: -0, span: NO_SPAN })).toBe('0');
    // A negative literal (the parser never makes one, but the lowering may fold to one) binds like a unary minus.
    const neg: Expr = { kind: 'num', value: -2, span: NO_SPAN };
    expect(printExpr({ kind: 'lag', target: neg, lag: { kind: 'num', value: 1, span: NO_SPAN }, span: NO_SPAN })).toBe('(-2)[1]');
    expect(printExpr({ kind: 'binary', op: '*', left: { kind: 'ident', name: 'a', span: NO_SPAN }, right: neg, span: NO_SPAN })).toBe('a * -2');
  });
});

describe('printExpr: regressions', () => {
  // Strings used to be printed with JSON.stringify, but the lexer has no escape sequences — it
  // reads raw characters up to the matching quote. A value holding `"`, `\` or a tab (all legal
  // inside a single-quoted string) printed as text that failed to parse or parsed to a different
  // value, so the canonical form (and the artifact hash relying on it) was not stable.
  it.each<[string, string, string]>([
    ['a backslash', "'C:\\data'", '"C:\\data"'],
    ['a double quote', `'say "hi"'`, `'say "hi"'`],
    ['a single quote', `"it's"`, `"it's"`],
    ['a tab', "'a\tb'", '"a\tb"'],
    ['a carriage return', "'a\rb'", '"a\rb"'],
  ])('a string holding %s round-trips', (_what, src, printed) => {
    const e = reparse(src);
    expect(printExpr(e)).toBe(printed);
    expect(stripSpans(reparse(printed))).toEqual(stripSpans(e));
  });

  // A member access on an integer literal, `(1).x` (parseable, if meaningless), used to print as
  // `1.x`, which the lexer reads as the malformed number `1.x` (E304).
  it.each<[string, string]>([
    ['(1).x', '(1).x'],
    ['(100000).upper[1]', '(100000).upper[1]'],
    ['(1.5).x', '1.5.x'],
    ['(1e21).x', '1e+21.x'],
  ])('%j prints as %j and round-trips', (src, printed) => {
    const e = reparse(src);
    expect(printExpr(e)).toBe(printed);
    expect(stripSpans(reparse(printed))).toEqual(stripSpans(e));
  });
});
