import { BINARY_PRECEDENCE, NEG_PRECEDENCE, NOT_PRECEDENCE, POSTFIX_PRECEDENCE, type Expr } from './ast.js';

/**
 * Prints an expression in canonical form: single spaces around binary operators, none inside
 * calls or brackets, the fewest parentheses that keep the meaning. `parse(print(e))` equals `e`
 * up to spans, and printing is idempotent — the canonical hash relies on both.
 */
export function printExpr(e: Expr): string {
  return print(e, 0);
}

/** Canonical text of a number: shortest round-trip form, `-0` as `0`. */
export function printNumber(n: number): string {
  if (Object.is(n, -0)) return '0';
  return String(n);
}

function precedenceOf(e: Expr): number {
  switch (e.kind) {
    case 'binary':
      return BINARY_PRECEDENCE[e.op];
    case 'unary':
      return e.op === 'not' ? NOT_PRECEDENCE : NEG_PRECEDENCE;
    case 'num':
      // A negative literal prints with a leading minus, so it needs the protection of a unary.
      return e.value < 0 ? NEG_PRECEDENCE : POSTFIX_PRECEDENCE + 1;
    default:
      return POSTFIX_PRECEDENCE + 1;
  }
}

function print(e: Expr, minPrec: number): string {
  const s = printBare(e);
  return precedenceOf(e) < minPrec ? `(${s})` : s;
}

function printBare(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return printNumber(e.value);
    case 'str':
      // The lexer has no escapes: a string is the raw text between matching quotes (and never holds both kinds).
      return e.value.includes('"') ? `'${e.value}'` : `"${e.value}"`;
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'param':
      return `$${e.name}`;
    case 'ident':
      return e.name;
    case 'list':
      return `[${e.items.map((i) => print(i, 0)).join(', ')}]`;
    case 'call':
      return `${e.callee}(${e.args.map((a) => (a.name !== undefined ? `${a.name}=${print(a.value, 0)}` : print(a.value, 0))).join(', ')})`;
    case 'unary':
      return e.op === 'not' ? `not ${print(e.operand, NOT_PRECEDENCE)}` : `-${print(e.operand, NEG_PRECEDENCE + 0.5)}`;
    case 'binary': {
      const p = BINARY_PRECEDENCE[e.op];
      // Left-associative: the right operand needs parentheses at equal precedence.
      // Comparisons do not chain, so both sides need them at equal precedence.
      const leftMin = p === BINARY_PRECEDENCE['<'] ? p + 0.5 : p;
      return `${print(e.left, leftMin)} ${e.op} ${print(e.right, p + 0.5)}`;
    }
    case 'lag':
      return `${print(e.target, POSTFIX_PRECEDENCE)}[${print(e.lag, 0)}]`;
    case 'member': {
      // `1.x` would lex as a malformed number: an integer literal needs parentheses before `.`.
      const target = print(e.target, POSTFIX_PRECEDENCE);
      return /^\d+$/.test(target) ? `(${target}).${e.name}` : `${target}.${e.name}`;
    }
    case 'tf':
      return `${print(e.target, POSTFIX_PRECEDENCE)}@${e.timeframe}`;
  }
}
