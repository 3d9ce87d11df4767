/**
 * Hash invariance: the artifact hash (and the plan) depend on what a strategy means, not on how
 * its YAML is written. Each example is rewritten in ways that keep the meaning — keys reordered
 * at every level, comments added or removed, flow ↔ block style, quoting, number spelling,
 * whitespace and redundant parentheses inside expressions, schema defaults written out — and
 * must give the same hash, canonical form and plan JSON. A change of meaning must change the hash.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScalar, parse, parseDocument, stringify, visit } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileSource, parseExpression, type CompileResult, type Expr } from '@strata/compiler';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((file) => ({ file, text: readFileSync(join(examplesDir, file), 'utf8') }));

function compileOk(text: string): CompileResult {
  const r = compileSource(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error'), text).toEqual([]);
  expect(r.ok).toBe(true);
  return r;
}

/** Hash, canonical form and plan JSON: what must not change. */
function identity(r: CompileResult) {
  return { hash: r.hash, canonical: r.canonical, plan: JSON.stringify(r.plan) };
}

// ——— rewriting helpers ———

const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Deterministic permutation (a small LCG), so a failure is reproducible. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Reorders the keys of every mapping (lists keep their order: universe order, inputs order are meaning). */
function reorderKeys(v: Json, order: (keys: string[], depth: number) => string[], depth = 0): Json {
  if (Array.isArray(v)) return v.map((x) => reorderKeys(x, order, depth + 1));
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of order(Object.keys(v), depth)) out[k] = reorderKeys(v[k]!, order, depth + 1);
  return out;
}

/** Applies `f` to every expression string of an artifact. */
function mapExpressions(a: Obj, f: (expr: string) => string): Obj {
  const out = structuredClone(a);
  const signals = out.signals;
  if (isObj(signals)) {
    for (const [k, s] of Object.entries(signals)) {
      if (typeof s === 'string') signals[k] = f(s);
      else if (isObj(s) && Array.isArray(s.inputs)) s.inputs = s.inputs.map((x) => (typeof x === 'string' ? f(x) : x));
    }
  }
  for (const block of ['entry', 'exit'] as const) {
    const b = out[block];
    if (!isObj(b)) continue;
    for (const side of ['long', 'short']) if (typeof b[side] === 'string') b[side] = f(b[side]);
    for (const stop of ['stop_loss', 'take_profit', 'trailing_stop']) {
      const s = b[stop];
      if (isObj(s) && s.kind === 'expr' && typeof s.distance === 'string') s.distance = f(s.distance);
    }
  }
  const p = out.portfolio;
  if (isObj(p)) {
    if (isObj(p.rank) && typeof p.rank.by === 'string') p.rank.by = f(p.rank.by);
    if (typeof p.filter === 'string') p.filter = f(p.filter);
  }
  return out;
}

/**
 * Prints an expression with every operation parenthesised and spaces everywhere they are allowed:
 * `sma(close, 10) > x` → `( ( sma( close , 10.0 ) ) > ( x ) )`. Parentheses leave no AST node,
 * so the parse is the same tree.
 */
function noisy(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return /^\d+$/.test(String(e.value)) ? ` ${e.value}.0 ` : ` ${e.value} `;
    case 'str':
      return e.value.includes("'") ? ` "${e.value}" ` : ` '${e.value}' `;
    case 'bool':
      return ` ( ${e.value} ) `;
    case 'param':
      return ` $${e.name} `;
    case 'ident':
      return ` ( ${e.name} ) `;
    case 'list':
      return ` [ ${e.items.map(noisy).join(' , ')} ] `;
    case 'call':
      return ` ${e.callee}( ${e.args.map((a) => (a.name !== undefined ? `${a.name} = ${noisy(a.value)}` : noisy(a.value))).join(' , ')} ) `;
    case 'unary':
      return e.op === 'not' ? ` ( not ( ${noisy(e.operand)} ) ) ` : ` ( - ( ${noisy(e.operand)} ) ) `;
    case 'binary':
      return ` ( ( ${noisy(e.left)} ) ${e.op} ( ${noisy(e.right)} ) ) `;
    case 'lag':
      return ` ( ${noisy(e.target)} ) [ ${noisy(e.lag)} ] `;
    case 'member':
      return ` ( ${noisy(e.target)} ) . ${e.name} `;
    case 'tf':
      return ` ( ${noisy(e.target)} )@${e.timeframe} `;
  }
}

function noisyExpression(src: string): string {
  const p = parseExpression(src);
  if (!p.ok) throw new Error(`example expression does not parse: ${src}`);
  return noisy(p.expr).trim();
}

/** Writes out every schema default the artifact leaves implicit (docs/artifact.md, strategy.schema.json). */
function withExplicitDefaults(a: Obj): Obj {
  const out = structuredClone(a);
  const put = (o: Json | undefined, k: string, v: Json) => {
    if (isObj(o) && o[k] === undefined) o[k] = v;
  };
  if (isObj(out.params)) for (const p of Object.values(out.params)) put(p, 'type', 'float');
  if (isObj(out.exit)) {
    for (const stop of ['stop_loss', 'take_profit', 'trailing_stop']) {
      const s = out.exit[stop];
      if (isObj(s) && s.kind === 'atr') put(s, 'period', 14);
    }
  }
  if (isObj(out.sizing)) {
    put(out.sizing, 'lot_size', 1);
    if (out.sizing.kind === 'volatility_target') {
      put(out.sizing, 'lookback', 20);
      put(out.sizing, 'max_leverage', 1);
    }
  }
  if (isObj(out.portfolio)) {
    const p = out.portfolio;
    put(p.rank, 'order', 'desc');
    put(p, 'weighting', { kind: 'equal' });
    if (isObj(p.weighting) && p.weighting.kind === 'inverse_volatility') put(p.weighting, 'lookback', 20);
    put(p, 'max_weight', 1);
    put(p.rebalance, 'on', 'last');
    put(p.rebalance, 'drift_threshold', 0);
  }
  put(out, 'risk', {});
  put(out.risk, 'max_position_weight', 1);
  put(out.risk, 'max_gross_exposure', 1);
  if (isObj(out.risk) && isObj(out.risk.drawdown_breaker)) {
    put(out.risk.drawdown_breaker, 'cooldown', 0);
    put(out.risk.drawdown_breaker, 'action', 'flatten');
  }
  put(out, 'execution', {});
  for (const [k, v] of [['order_type', 'market'], ['time_in_force', 'day'], ['fill', 'next_open'], ['fee_bps', 0], ['slippage_bps', 0]] as const) put(out.execution, k, v);
  return out;
}

/** The original text with a comment before every key and after every scalar value. */
function withComments(text: string): string {
  const doc = parseDocument(text);
  let n = 0;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key)) pair.key.commentBefore = ` note ${n++}: the next key`;
      if (isScalar(pair.value)) pair.value.comment = ` trailing note ${n++}`;
    },
  });
  doc.commentBefore = ' rewritten with comments everywhere';
  doc.comment = ' end of artifact';
  return doc.toString();
}

/** Every number scalar written with trailing fractional zeros (`10` → `10.000`): the same value. */
function withPaddedNumbers(text: string): string {
  const doc = parseDocument(text);
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'number' && Number.isFinite(node.value) && Math.abs(node.value) < 1e15) node.minFractionDigits = 3;
    },
  });
  return doc.toString();
}

// ——— the variants ———

interface Variant {
  readonly name: string;
  readonly make: (text: string, value: Obj) => string;
}

const reverseEverywhere = (keys: string[]) => [...keys].reverse();

const VARIANTS: readonly Variant[] = [
  { name: 'keys reversed at every level (block style, comments dropped)', make: (_t, v) => stringify(reorderKeys(v, reverseEverywhere)) },
  { name: 'keys shuffled at every level', make: (_t, v) => stringify(reorderKeys(v, (keys, depth) => shuffled(keys, 7 + depth * 31))) },
  { name: 'comments removed', make: (t) => t.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n') },
  { name: 'comments added before every key and after every value', make: (t) => withComments(t) },
  { name: 'all flow style', make: (_t, v) => stringify(v, { collectionStyle: 'flow' }) },
  { name: 'all block style', make: (_t, v) => stringify(v, { collectionStyle: 'block' }) },
  { name: 'every string double-quoted', make: (_t, v) => stringify(v, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }) },
  { name: 'every string single-quoted, indented by 4', make: (_t, v) => stringify(v, { defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN', indent: 4 }) },
  { name: 'numbers written with trailing zeros', make: (t) => withPaddedNumbers(t) },
  { name: 'extra whitespace and redundant parentheses inside expressions', make: (_t, v) => stringify(mapExpressions(v, noisyExpression)) },
  { name: 'schema defaults written out', make: (_t, v) => stringify(withExplicitDefaults(v)) },
  {
    name: 'everything at once (defaults, noisy expressions, shuffled keys, flow style, comments)',
    make: (_t, v) => withComments(stringify(reorderKeys(mapExpressions(withExplicitDefaults(v), noisyExpression), (keys, d) => shuffled(keys, 99 + d)), { collectionStyle: 'flow' })),
  },
];

describe.each(examples.map((e) => [e.file, e.text] as const))('%s: rewritten without changing its meaning', (_file, text) => {
  const value = parse(text) as Obj;
  const reference = identity(compileOk(text));

  it.each(VARIANTS.map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    const rewritten = variant.make(text, value);
    expect(rewritten).not.toBe(text);
    const r = compileOk(rewritten);
    expect(r.diagnostics).toEqual([]);
    expect(identity(r)).toEqual(reference);
  });
});

describe('the rewrites really rewrite', () => {
  const text = examples.find((e) => e.file === 'sma-cross.yaml')!.text;
  const value = parse(text) as Obj;

  it('noisy expressions hold the extra spaces and parentheses', () => {
    expect(noisyExpression('sma(close, $fast)')).toBe('sma(  ( close )  ,  $fast  )');
    const v = mapExpressions(value, noisyExpression);
    expect((v.signals as Obj).fast_ma).toContain('( close )');
  });

  it('explicit defaults add the fields the schema defaults', () => {
    const v = withExplicitDefaults(value);
    expect(v.execution).toMatchObject({ time_in_force: 'day', fill: 'next_open' });
    expect(v.risk).toEqual({ max_position_weight: 1, max_gross_exposure: 1 });
    expect((v.params as Obj).fast).toMatchObject({ type: 'int' });
  });

  it('reordering reaches nested mappings', () => {
    const v = reorderKeys(value, reverseEverywhere) as Obj;
    expect(Object.keys(v)[0]).toBe('execution');
    expect(Object.keys((v.params as Obj).fast as Obj)).toEqual(['type', 'max', 'min', 'default']);
  });

  it('comments and padded numbers appear in the text', () => {
    expect(withComments(text)).toContain('# trailing note');
    expect(withPaddedNumbers(text)).toContain('default: 10.000');
  });
});

describe('a change of meaning changes the hash', () => {
  const byFile = new Map(examples.map((e) => [e.file, e.text]));

  it.each<[string, string, string, string]>([
    ['a param default', 'sma-cross.yaml', 'fast: { default: 10,', 'fast: { default: 11,'],
    ['a param range', 'sma-cross.yaml', 'fast: { default: 10, min: 5,', 'fast: { default: 10, min: 6,'],
    ['an expression operand (a bar field)', 'sma-cross.yaml', 'fast_ma: sma(close, $fast)', 'fast_ma: sma(open, $fast)'],
    ['an expression operand (a signal)', 'sma-cross.yaml', 'long: crosses_above(fast_ma, slow_ma)', 'long: crosses_above(slow_ma, fast_ma)'],
    ['a comparison operator', 'rsi-reversion.yaml', 'long: rsi_fast > $recovered', 'long: rsi_fast >= $recovered'],
    ['the operands of a comparison swapped', 'sector-rotation.yaml', 'filter: close > trend', 'filter: trend > close'],
    ['a lag', 'btc-breakout.yaml', 'entry_channel.upper[1]', 'entry_channel.upper[2]'],
    ['a timeframe', 'btc-breakout.yaml', 'daily_uptrend: close@1d > sma(close@1d, $trend_days)', 'daily_uptrend: close > sma(close@1d, $trend_days)'],
    ['an explicit node param', 'rsi-reversion.yaml', 'params: { period: 200 }', 'params: { period: 199 }'],
    ['a stop multiple', 'rsi-reversion.yaml', 'multiple: 2.5', 'multiple: 2.4'],
    ['a symbol', 'sma-cross.yaml', 'universe: [SPY]', 'universe: [QQQ]'],
  ])('%s', (_what, file, from, to) => {
    const text = byFile.get(file)!;
    expect(text).toContain(from);
    const before = compileOk(text);
    const after = compileOk(text.replace(from, to));
    expect(after.hash).not.toBe(before.hash);
    expect(after.canonical).not.toBe(before.canonical);
    expect(JSON.stringify(after.plan)).not.toBe(JSON.stringify(before.plan));
  });
});

describe('invariance beyond the examples', () => {
  const header = 'strata: strategy/v1\nname: consts\nuniverse: [SPY]\ntimeframe: 1d\nfeeds: { bars: equities.us.daily }\n';

  it('a rule that is the constant `true` and a number 1 elsewhere: the plan does not depend on which comes first', () => {
    const entryFirst = header + 'entry:\n  long: close > 1\nexit:\n  long: 1 < 2\n';
    const exitFirst = header + 'exit:\n  long: 1 < 2\nentry:\n  long: close > 1\n';
    const a = compileOk(entryFirst);
    const b = compileOk(exitFirst);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['W602']);
    expect(identity(b)).toEqual(identity(a));
    // The exit rule is a bool constant, not the number 1 that `close > 1` compares with.
    const nodes = new Map(a.plan!.nodes.map((n) => [n.id, n]));
    expect(nodes.get(a.plan!.rules!.exit.long!)?.type).toBe('bool');
  });

  it('a param named like an Object.prototype member gets its schema default like any other', () => {
    // `constructor` and `__proto__` are the only members of Object.prototype that are valid (lower-case) names.
    const body = (type: string) =>
      header + `params:\n  constructor: { default: 10, min: 2, max: 50${type} }\nsignals:\n  __proto__: sma(close, $constructor)\nentry:\n  long: close > __proto__\nexit:\n  long: close < __proto__\n`;
    const implicit = compileOk(body(''));
    expect(implicit.diagnostics).toEqual([]);
    expect(identity(compileOk(body(', type: float')))).toEqual(identity(implicit));
    expect(implicit.plan!.params).toEqual({ constructor: 10 });
    expect(Object.keys(implicit.plan!.signals)).toEqual(['__proto__']);
  });

  it('`__proto__` as a param and signal name is an ordinary name', () => {
    const text = header + 'params:\n  __proto__: { default: 3, min: 1, max: 9, type: int }\nsignals:\n  __proto__x: sma(close, $__proto__)\nentry:\n  long: close > __proto__x\nexit:\n  long: close < __proto__x\n';
    const r = compileOk(text);
    expect(r.diagnostics).toEqual([]);
    expect(Object.keys(r.plan!.params)).toEqual(['__proto__']);
    expect(r.plan!.params.__proto__).toBe(3);
  });
});
