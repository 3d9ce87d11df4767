/** Offsets are into the expression string, [start, end). */
export interface ExprSpan {
  readonly start: number;
  readonly end: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';
export type UnaryOp = '-' | 'not';

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly span: ExprSpan }
  | { readonly kind: 'str'; readonly value: string; readonly span: ExprSpan }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: ExprSpan }
  | { readonly kind: 'param'; readonly name: string; readonly span: ExprSpan }
  | { readonly kind: 'ident'; readonly name: string; readonly span: ExprSpan }
  | { readonly kind: 'list'; readonly items: readonly Expr[]; readonly span: ExprSpan }
  | {
      readonly kind: 'call';
      readonly callee: string;
      readonly calleeSpan: ExprSpan;
      readonly args: readonly Arg[];
      readonly span: ExprSpan;
    }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly operand: Expr; readonly span: ExprSpan }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: ExprSpan }
  | { readonly kind: 'lag'; readonly target: Expr; readonly lag: Expr; readonly span: ExprSpan }
  | { readonly kind: 'member'; readonly target: Expr; readonly name: string; readonly nameSpan: ExprSpan; readonly span: ExprSpan }
  | { readonly kind: 'tf'; readonly target: Expr; readonly timeframe: string; readonly tfSpan: ExprSpan; readonly span: ExprSpan };

export interface Arg {
  readonly name?: string;
  readonly nameSpan?: ExprSpan;
  readonly value: Expr;
}

/** Binding power of binary operators, loosest first. Shared by parser and printer. */
export const BINARY_PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '==': 4,
  '!=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};
/** `not` sits between `and` and the comparisons; unary minus binds tighter than `*`. */
export const NOT_PRECEDENCE = 3;
export const NEG_PRECEDENCE = 7;
export const POSTFIX_PRECEDENCE = 8;
