import { BINARY_PRECEDENCE, type Arg, type BinaryOp, type Expr, type ExprSpan } from './ast.js';
import { lex, type Token } from './lexer.js';

export interface ParseError {
  readonly code: 'E301' | 'E302' | 'E303' | 'E304' | 'E305';
  readonly message: string;
  readonly span: ExprSpan;
  readonly hint?: string;
}

export type ParseResult = { ok: true; expr: Expr } | { ok: false; error: ParseError };

/** Nesting limit: deep enough for any real strategy, shallow enough never to exhaust the stack. */
export const MAX_EXPR_DEPTH = 200;

/** `not` takes comparisons and arithmetic as its operand, but not `and` / `or`. */
const NOT_OPERAND_MIN = BINARY_PRECEDENCE.and;
const COMPARISON = new Set(['<', '<=', '>', '>=', '==', '!=']);
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);

class Failure {
  constructor(readonly error: ParseError) {}
}

/** Parses one expression (recursive descent with precedence climbing). Never throws. */
export function parseExpression(src: string): ParseResult {
  const lexed = lex(src);
  if (lexed.error) return { ok: false, error: lexed.error };
  const p = new Parser(src, lexed.tokens);
  try {
    const expr = p.parseExpr(0, 0);
    const t = p.peek();
    if (t.kind !== 'eof') p.unexpected(t, 'expected an operator or the end of the expression');
    return { ok: true, expr };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: e.error };
    throw e;
  }
}

class Parser {
  #pos = 0;

  constructor(
    readonly src: string,
    readonly tokens: readonly Token[],
  ) {}

  peek(): Token {
    return this.tokens[this.#pos] ?? this.tokens[this.tokens.length - 1]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.#pos < this.tokens.length - 1) this.#pos++;
    return t;
  }

  fail(error: ParseError): never {
    throw new Failure(error);
  }

  unexpected(t: Token, expected: string, hint?: string): never {
    const what = t.kind === 'eof' ? 'end of expression' : `\`${t.kind === 'str' ? this.src.slice(t.span.start, t.span.end) : t.kind === 'param' ? '$' + t.text : t.text}\``;
    let h = hint;
    if (!h && t.kind === '=') h = 'use `==` to compare; `=` only names an argument, as in `bbands(close, k=2)`';
    if (!h && t.kind === 'eof') h = 'the expression ends too early';
    this.fail({ code: 'E302', message: `unexpected ${what}: ${expected}`, span: t.span, ...(h ? { hint: h } : {}) });
  }

  expect(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.unexpected(t, `expected ${what}`);
    return this.next();
  }

  /** Height of each node built so far (leaves are 0, like the recursion depth counted by `checkDepth`). A flat chain such as `a + b + c …` or `x[1][1]…` builds a deep tree without deep recursion here, and every recursive consumer of the tree (printer, lowering) needs its height bounded too. */
  readonly #height = new WeakMap<Expr, number>();

  height(e: Expr): number {
    return this.#height.get(e) ?? 0;
  }

  /** Records a new node whose children are `children`; fails with E305 when the tree gets too deep. */
  built<E extends Expr>(e: E, children: readonly Expr[], at: Token): E {
    let h = 0;
    for (const c of children) h = Math.max(h, this.height(c));
    this.checkDepth(h + 1, at);
    this.#height.set(e, h + 1);
    return e;
  }

  checkDepth(depth: number, at: Token): void {
    if (depth > MAX_EXPR_DEPTH) {
      this.fail({
        code: 'E305',
        message: `expression nested more than ${MAX_EXPR_DEPTH} levels deep`,
        span: at.span,
        hint: 'split it into named signals',
      });
    }
  }

  /** Parses a binary expression whose operators bind tighter than `minPrec`. */
  parseExpr(minPrec: number, depth: number): Expr {
    this.checkDepth(depth, this.peek());
    let left = this.parsePrefix(depth);
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' || (t.kind === 'ident' && (t.text === 'and' || t.text === 'or')) ? (t.text as BinaryOp) : undefined;
      if (!op) break;
      const prec = BINARY_PRECEDENCE[op];
      if (prec === undefined || prec <= minPrec) break;
      this.next();
      const right = this.parseExpr(prec, depth + 1);
      if (COMPARISON.has(op) && COMPARISON.has(this.peek().text) && this.peek().kind === 'op') {
        this.unexpected(this.peek(), 'comparisons do not chain', 'write `a < b and b < c`');
      }
      left = this.built({ kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } }, [left, right], t);
    }
    return left;
  }

  parsePrefix(depth: number): Expr {
    const t = this.peek();
    if (t.kind === 'ident' && t.text === 'not') {
      this.next();
      const operand = this.parseExpr(NOT_OPERAND_MIN, depth + 1);
      return this.built({ kind: 'unary', op: 'not', operand, span: { start: t.span.start, end: operand.span.end } }, [operand], t);
    }
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      this.checkDepth(depth + 1, t);
      const operand = this.parseUnaryOperand(depth + 1);
      if (t.text === '+') return operand;
      return this.built({ kind: 'unary', op: '-', operand, span: { start: t.span.start, end: operand.span.end } }, [operand], t);
    }
    return this.parsePostfix(depth);
  }

  /** Unary minus binds tighter than `*` but looser than postfix: `-close[1]` is `-(close[1])`. */
  parseUnaryOperand(depth: number): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      this.checkDepth(depth + 1, t);
      const operand = this.parseUnaryOperand(depth + 1);
      if (t.text === '+') return operand;
      return this.built({ kind: 'unary', op: '-', operand, span: { start: t.span.start, end: operand.span.end } }, [operand], t);
    }
    return this.parsePostfix(depth);
  }

  parsePostfix(depth: number): Expr {
    let e = this.parsePrimary(depth);
    for (;;) {
      const t = this.peek();
      if (t.kind === '[') {
        this.next();
        const lag = this.parseExpr(0, depth + 1);
        const close = this.expect(']', '`]` to close the lag');
        e = this.built({ kind: 'lag', target: e, lag, span: { start: e.span.start, end: close.span.end } }, [e, lag], t);
      } else if (t.kind === '.') {
        this.next();
        const name = this.peek();
        if (name.kind !== 'ident') this.unexpected(name, 'expected an output name after `.`');
        this.next();
        e = this.built({ kind: 'member', target: e, name: name.text, nameSpan: name.span, span: { start: e.span.start, end: name.span.end } }, [e], t);
      } else if (t.kind === 'timeframe') {
        this.next();
        e = this.built({ kind: 'tf', target: e, timeframe: t.text, tfSpan: t.span, span: { start: e.span.start, end: t.span.end } }, [e], t);
      } else {
        return e;
      }
    }
  }

  parsePrimary(depth: number): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { kind: 'num', value: Number(t.text), span: t.span };
      case 'str':
        return { kind: 'str', value: t.text, span: t.span };
      case 'param':
        return { kind: 'param', name: t.text, span: t.span };
      case '(': {
        const inner = this.parseExpr(0, depth + 1);
        const close = this.expect(')', '`)`');
        // Parentheses leave no node, but the span grows to cover them for accurate carets.
        const wrapped = { ...inner, span: { start: t.span.start, end: close.span.end } } as Expr;
        this.#height.set(wrapped, this.height(inner));
        return wrapped;
      }
      case '[': {
        const items: Expr[] = [];
        if (this.peek().kind !== ']') {
          for (;;) {
            items.push(this.parseExpr(0, depth + 1));
            if (this.peek().kind === ',') {
              this.next();
              continue;
            }
            break;
          }
        }
        const close = this.expect(']', '`,` or `]` in the list');
        return this.built({ kind: 'list', items, span: { start: t.span.start, end: close.span.end } }, items, t);
      }
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', span: t.span };
        if (KEYWORDS.has(t.text)) this.unexpected(t, 'expected a value');
        if (this.peek().kind === '(') return this.parseCall(t, depth);
        return { kind: 'ident', name: t.text, span: t.span };
      }
      default:
        return this.unexpected(t, 'expected a value (a number, a name, a call or `(`)');
    }
  }

  parseCall(callee: Token, depth: number): Expr {
    this.next(); // (
    const args: Arg[] = [];
    if (this.peek().kind !== ')') {
      for (;;) {
        const t = this.peek();
        const after = this.tokens[this.#pos + 1];
        if (t.kind === 'ident' && after?.kind === '=') {
          this.next();
          this.next();
          const value = this.parseExpr(0, depth + 1);
          args.push({ name: t.text, nameSpan: t.span, value });
        } else {
          args.push({ value: this.parseExpr(0, depth + 1) });
        }
        if (this.peek().kind === ',') {
          this.next();
          continue;
        }
        break;
      }
    }
    const close = this.expect(')', '`,` or `)` in the argument list');
    return this.built({ kind: 'call', callee: callee.text, calleeSpan: callee.span, args, span: { start: callee.span.start, end: close.span.end } }, args.map((a) => a.value), callee);
  }
}
