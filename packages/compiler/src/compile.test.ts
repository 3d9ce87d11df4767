import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileFile, compileSource, type CompileOptions, type CompileResult } from './compile.js';
import type { Plan, PlanNode } from './plan.js';

const examplePath = (name: string) => fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));
const example = (name: string) => readFileSync(examplePath(name), 'utf8');

const HEADER = ['strata: strategy/v1', 'name: t', 'universe: [SPY]', 'timeframe: 1d', 'feeds: { bars: equities.us.daily }', ''].join('\n');

/** Compiles an artifact made of the standard header plus `body`; fails the test on errors. */
function compileOk(body: string, options: CompileOptions = {}): CompileResult & { plan: Plan } {
  const r = compileSource(HEADER + body, options);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`)).toEqual([]);
  expect(r.ok).toBe(true);
  return r as CompileResult & { plan: Plan };
}

const codes = (r: CompileResult) => r.diagnostics.map((d) => d.code);
const byOp = (plan: Plan, op: string) => plan.nodes.filter((n) => n.op === op);
const node = (plan: Plan, ref: string): PlanNode => {
  const n = plan.nodes.find((x) => x.id === ref.split('.')[0]);
  if (!n) throw new Error(`no node ${ref}`);
  return n;
};

describe('common sub-expressions', () => {
  it('sma(close, 10) used in two signals is one node', () => {
    const r = compileOk(['signals:', '  a: sma(close, 10) > close', '  b: sma(close, 10) < open', 'entry:', '  long: a', 'exit:', '  long: b', ''].join('\n'));
    const smas = byOp(r.plan, 'sma');
    expect(smas).toHaveLength(1);
    expect(node(r.plan, r.plan.signals.a!).inputs).toContain(smas[0]!.id);
    expect(node(r.plan, r.plan.signals.b!).inputs).toContain(smas[0]!.id);
    expect(byOp(r.plan, 'field').map((n) => n.params.field).sort()).toEqual(['close', 'open']);
  });

  it('identical signals share one node that carries both labels', () => {
    const r = compileOk(['signals:', '  m1: sma(close, 10)', '  m2: sma( close ,10 )', 'entry:', '  long: close > m1', 'exit:', '  long: close < m2', ''].join('\n'));
    expect(byOp(r.plan, 'sma')).toHaveLength(1);
    expect(r.plan.signals.m1).toBe(r.plan.signals.m2);
    expect(node(r.plan, r.plan.signals.m1!).labels).toEqual(['m1', 'm2']);
  });

  it('sharing holds across bar fields, params and the explicit node form', () => {
    const r = compileOk(
      ['params:', '  n: { default: 10, min: 2, max: 50, type: int }', 'signals:', '  a: sma(close, $n)', '  b: { node: sma, inputs: [close], params: { period: $n } }', '  c: sma(close, 10)', 'entry:', '  long: a > b', 'exit:', '  long: c < a', ''].join('\n'),
    );
    expect(byOp(r.plan, 'sma')).toHaveLength(1);
    expect(byOp(r.plan, 'field')).toHaveLength(1);
  });

  it.each<[op: string, a: string, b: string, planOp: string]>([
    ['+', 'close + open', 'open + close', 'add'],
    ['*', 'close * open', 'open * close', 'mul'],
    ['min', 'min(close, open)', 'min(open, close)', 'min'],
    ['max', 'max(close, open)', 'max(open, close)', 'max'],
  ])('commutative %s: `%s` and `%s` are one node', (_op, a, b, planOp) => {
    const r = compileOk(['signals:', `  a: ${a}`, `  b: ${b}`, 'entry:', '  long: a > 1', 'exit:', '  long: b < 1', ''].join('\n'));
    expect(byOp(r.plan, planOp)).toHaveLength(1);
    expect(r.plan.signals.a).toBe(r.plan.signals.b);
  });

  it.each<[a: string, b: string, planOp: string]>([
    ['close == open', 'open == close', 'eq'],
    ['close != open', 'open != close', 'ne'],
    ['close > 1 and open > 1', 'open > 1 and close > 1', 'and'],
    ['close > 1 or open > 1', 'open > 1 or close > 1', 'or'],
  ])('commutative: `%s` and `%s` are one %s node', (a, b, planOp) => {
    const r = compileOk(['signals:', `  a: ${a}`, `  b: ${b}`, 'entry:', '  long: a', 'exit:', '  long: not b', ''].join('\n'));
    expect(byOp(r.plan, planOp)).toHaveLength(1);
    expect(r.plan.signals.a).toBe(r.plan.signals.b);
  });

  it.each<[a: string, b: string, planOp: string]>([
    ['close - open', 'open - close', 'sub'],
    ['close / open', 'open / close', 'div'],
    ['close % open', 'open % close', 'mod'],
  ])('non-commutative: `%s` and `%s` stay two %s nodes', (a, b, planOp) => {
    const r = compileOk(['signals:', `  a: ${a}`, `  b: ${b}`, 'entry:', '  long: a > 1', 'exit:', '  long: b < 1', ''].join('\n'));
    expect(byOp(r.plan, planOp)).toHaveLength(2);
    expect(r.plan.signals.a).not.toBe(r.plan.signals.b);
  });
});

describe('constant folding', () => {
  const params = ['params:', '  fast: { default: 10, min: 5, max: 50, type: int }', ''].join('\n');

  it.each<[period: string, expected: number]>([
    ['2 * $fast', 20],
    ['$fast + 5', 15],
    ['$fast * 3 - 10', 20],
    ['($fast + 2) / 2', 6],
    ['-(-$fast)', 10],
  ])('sma(close, %s) gets the constant period %i; no arithmetic nodes remain', (period, expected) => {
    const r = compileOk(params + ['signals:', `  slow: sma(close, ${period})`, 'entry:', '  long: close > slow', 'exit:', '  long: close < slow', ''].join('\n'));
    const sma = byOp(r.plan, 'sma');
    expect(sma).toHaveLength(1);
    expect(sma[0]!.params).toEqual({ period: expected });
    expect(sma[0]!.lookback).toBe(expected - 1);
    expect(r.plan.nodes.map((n) => n.op).sort()).toEqual(['field', 'gt', 'lt', 'sma']);
    expect(r.plan.params).toEqual({ fast: 10 });
  });

  it('`1 + 2 > 2` in a rule folds to a constant rule and warns W602 at the rule', () => {
    const text = HEADER + ['entry:', '  long: close > open', 'exit:', '  long: 1 + 2 > 2', ''].join('\n');
    const r = compileSource(text);
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toHaveLength(1);
    const w = r.diagnostics[0]!;
    expect(w).toMatchObject({ code: 'W602', severity: 'warning', message: '`exit.long` is always true', line: 9, column: 9, endLine: 9, endColumn: 18, path: '/exit/long', hint: 'it fires on every bar' });
    const rule = node(r.plan!, r.plan!.rules!.exit.long!);
    expect(rule).toMatchObject({ op: 'const', params: { value: 1 }, inputs: [], lookback: 0 });
    expect(byOp(r.plan!, 'add')).toEqual([]);
  });

  it('a constant-false rule warns that it never fires', () => {
    const r = compileSource(HEADER + ['entry:', '  long: close > open', 'exit:', '  long: not (1 < 2)', ''].join('\n'));
    expect(r.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([['W602', '`exit.long` is always false', 'it never fires']]);
    expect(node(r.plan!, r.plan!.rules!.exit.long!).params).toEqual({ value: 0 });
  });

  it('a lag of 0 and a lag of a constant disappear', () => {
    const r = compileOk(['entry:', '  long: close[0] > open[2 - 2]', 'exit:', '  long: close < 3[5]', ''].join('\n'));
    expect(byOp(r.plan, 'lag')).toEqual([]);
  });

  it('division by a constant zero is E417', () => {
    const r = compileSource(HEADER + ['entry:', '  long: close / (2 - 2) > 1', 'exit:', '  long: close < 1', ''].join('\n'));
    expect(codes(r)).toEqual(['E417']);
  });

  // Regression: DagBuilder.add used to hash-cons nodes on (op, tf, params, inputs) but not on
  // the value type, so the constant `true` (a const node { value: 1 }, type bool) and the number 1
  // (a const node { value: 1 }, type number) were merged into whichever came first: the exit rule
  // below pointed at a node of type `number`, and the plan depended on the order of the rules.
  it('the constant true and the number 1 are not merged into one node', () => {
    const r = compileOk(['entry:', '  long: close > 1', 'exit:', '  long: 1 < 2', ''].join('\n'));
    expect(node(r.plan, r.plan.rules!.exit.long!).type).toBe('bool');
    const gt = byOp(r.plan, 'gt')[0]!;
    const consts = gt.inputs.map((i) => node(r.plan, i)).filter((n) => n.op === 'const');
    expect(consts.map((n) => n.type)).toEqual(['number']);
    // Swapping the rules changes which node each rule is, not the node types.
    const swapped = compileOk(['entry:', '  long: 1 < 2', 'exit:', '  long: close > 1', ''].join('\n'));
    expect(node(swapped.plan, swapped.plan.rules!.entry.long!).type).toBe('bool');
    expect(swapped.plan.nodes.map((n) => [n.op, n.type]).sort()).toEqual(r.plan.nodes.map((n) => [n.op, n.type]).sort());
  });
});

describe('dead nodes', () => {
  it('signals no rule uses are left out of the plan, each with W601', () => {
    const text = HEADER + ['signals:', '  used: sma(close, 10)', '  dead: ema(close, 20)', '  dead2: dead * 2', 'entry:', '  long: close > used', 'exit:', '  long: close < used', ''].join('\n');
    const r = compileSource(text);
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column, d.path, d.message])).toEqual([
      ['W601', 8, 3, '/signals/dead', 'signal `dead` is not used by any rule; it is left out of the plan'],
      ['W601', 9, 3, '/signals/dead2', 'signal `dead2` is not used by any rule; it is left out of the plan'],
    ]);
    expect(r.plan!.nodes.map((n) => n.op).sort()).toEqual(['field', 'gt', 'lt', 'sma']);
    expect(Object.keys(r.plan!.signals)).toEqual(['used']);
    expect(r.plan!.nodes.map((n) => n.id)).toEqual(['n0', 'n1', 'n2', 'n3']);
  });

  it('an unused param is W604', () => {
    const r = compileSource(HEADER + ['params:', '  spare: { default: 3 }', 'entry:', '  long: close > open', 'exit:', '  long: close < open', ''].join('\n'));
    expect(r.diagnostics.map((d) => [d.code, d.path])).toEqual([['W604', '/params/spare']]);
  });
});

describe('timeframes', () => {
  it('close@1w used twice gets exactly one align node', () => {
    const r = compileOk(['timeframes: [1w]', 'signals:', '  a: close > close@1w', '  b: open < close@1w', 'entry:', '  long: a', 'exit:', '  long: b', ''].join('\n'));
    const aligns = byOp(r.plan, 'align');
    expect(aligns).toHaveLength(1);
    const align = aligns[0]!;
    expect(align).toMatchObject({ tf: '1d', params: { from: '1w' }, lookback: 0 });
    expect(node(r.plan, align.inputs[0]!)).toMatchObject({ op: 'field', tf: '1w', params: { field: 'close' } });
    for (const s of ['a', 'b']) expect(node(r.plan, r.plan.signals[s]!).inputs).toContain(align.id);
    expect(r.plan.timeframes).toEqual({ base: '1d', extra: ['1w'] });
  });

  it('a coarse indicator read on the base timeframe is aligned once, whatever reads it', () => {
    const r = compileOk(['timeframes: [1w]', 'signals:', '  wk: sma(close@1w, 4)', 'entry:', '  long: close > wk and open > wk', 'exit:', '  long: close < wk', ''].join('\n'));
    const aligns = byOp(r.plan, 'align');
    expect(aligns).toHaveLength(1);
    expect(node(r.plan, aligns[0]!.inputs[0]!).op).toBe('sma');
    expect(r.plan.warmup).toEqual({ '1d': 0, '1w': 3 });
  });

  it('an undeclared timeframe is E508; one that does not nest is E504', () => {
    expect(codes(compileSource(HEADER + ['entry:', '  long: close > close@1w', 'exit:', '  long: close < 1', ''].join('\n')))).toEqual(['E508']);
    expect(codes(compileSource(HEADER + ['timeframes: [12h]', 'entry:', '  long: close > 1', 'exit:', '  long: close < 1', ''].join('\n')))).toEqual(['E504']);
  });
});

describe('warm-up', () => {
  it.each<[file: string, warmup: Record<string, number>]>([
    ['btc-breakout.yaml', { '1h': 168, '1d': 19 }],
    ['sma-cross.yaml', { '1d': 30 }],
    ['rsi-reversion.yaml', { '1d': 199 }],
    ['sector-rotation.yaml', { '1d': 252 }],
  ])('%s needs %j', (file, warmup) => {
    const r = compileFile(examplePath(file));
    expect(r.ok).toBe(true);
    expect(r.plan!.warmup).toEqual(warmup);
    // Finest timeframe first, so the JSON is deterministic.
    expect(JSON.stringify(r.plan!.warmup)).toBe(JSON.stringify(warmup));
  });

  it('a node’s warm-up adds its lookback to the deepest input on its own timeframe', () => {
    const r = compileOk(['entry:', '  long: crosses_above(sma(close, 10), sma(close, 30)[5])', 'exit:', '  long: close < 1', ''].join('\n'));
    const lag = byOp(r.plan, 'lag')[0]!;
    expect(lag).toMatchObject({ params: { n: 5 }, lookback: 5, warmup: { '1d': 34 } });
    expect(byOp(r.plan, 'crosses_above')[0]!.warmup).toEqual({ '1d': 35 });
    expect(r.plan.warmup).toEqual({ '1d': 35 });
  });
});

describe('param overrides', () => {
  const text = example('sma-cross.yaml');

  it('change the plan’s params and node params but not the artifact hash', () => {
    const base = compileSource(text);
    const over = compileSource(text, { params: { fast: 20 } });
    expect(base.ok && over.ok).toBe(true);
    expect(base.plan!.params).toEqual({ fast: 10, slow: 30 });
    expect(over.plan!.params).toEqual({ fast: 20, slow: 30 });
    const periods = (p: Plan) => byOp(p, 'sma').map((n) => n.params.period).sort();
    expect(periods(base.plan!)).toEqual([10, 30]);
    expect(periods(over.plan!)).toEqual([20, 30]);
    const fast = node(over.plan!, over.plan!.signals.fast_ma!);
    expect(fast).toMatchObject({ params: { period: 20 }, lookback: 19 });
    expect(over.hash).toBe(base.hash);
    expect(over.plan!.artifact.hash).toBe(base.plan!.artifact.hash);
    expect(over.canonical).toBe(base.canonical);
  });

  it('overriding with the default changes nothing', () => {
    expect(JSON.stringify(compileSource(text, { params: { fast: 10 } }).plan)).toBe(JSON.stringify(compileSource(text).plan));
  });

  it.each<[overrides: Record<string, number>, message: string]>([
    [{ fast: 51 }, "override fast=51 is outside the param's range [5, 50]"],
    [{ fast: 4 }, "override fast=4 is outside the param's range [5, 50]"],
    [{ fast: 12.5 }, 'override fast=12.5 must be a whole number (param `fast` is an int)'],
    [{ fast: Number.NaN }, 'override fast=NaN is not a finite number'],
    [{ fsat: 20 }, 'override of unknown param `fsat`'],
  ])('%j is E509', (overrides, message) => {
    const r = compileSource(text, { params: overrides });
    expect(r.ok).toBe(false);
    expect(r.plan).toBeUndefined();
    expect(r.hash).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([['E509', message]]);
  });

  it('an out-of-range override points at the param’s definition', () => {
    const d = compileSource(text, { params: { fast: 51 }, file: 'examples/sma-cross.yaml' }).diagnostics[0]!;
    expect(d).toMatchObject({ code: 'E509', file: 'examples/sma-cross.yaml', line: 11, column: 3, endColumn: 7, path: '/params/fast', hint: 'param `fast` is defined at 11:3' });
  });
});

describe('determinism', () => {
  it.each(['sma-cross.yaml', 'rsi-reversion.yaml', 'sector-rotation.yaml', 'btc-breakout.yaml'])('%s: compiling twice gives byte-identical plans', (file) => {
    const text = example(file);
    const a = compileSource(text);
    const b = compileSource(text);
    expect(a.ok).toBe(true);
    expect(JSON.stringify(b.plan)).toBe(JSON.stringify(a.plan));
    expect(b.hash).toBe(a.hash);
    expect(b.canonical).toBe(a.canonical);
  });

  it('string and byte input compile identically; a UTF-8 BOM is ignored', () => {
    const text = example('btc-breakout.yaml');
    const fromText = compileSource(text);
    expect(JSON.stringify(compileSource(new TextEncoder().encode(text)).plan)).toBe(JSON.stringify(fromText.plan));
    expect(JSON.stringify(compileSource('\uFEFF' + text).plan)).toBe(JSON.stringify(fromText.plan));
  });

  it('the order of signals, comments, key order and spacing inside expressions change neither the plan nor the hash', () => {
    const text = example('btc-breakout.yaml');
    const shuffled = text
      .replace(/^#.*\n/gm, '')
      .replace(
        /signals:\n(?:  .*\n)+/,
        ['signals:', '  daily_uptrend: close@1d  >  sma( close@1d ,$trend_days )   # trend filter', '  exit_channel: donchian($exit_hours)', '  entry_channel: donchian( $breakout_hours )', ''].join('\n'),
      )
      .replace('execution: { order_type: market, fill: next_open, fee_bps: 10, slippage_bps: 5 }', 'execution: { slippage_bps: 5, fee_bps: 10, fill: next_open, order_type: market }');
    expect(shuffled).not.toBe(text);
    const a = compileSource(text);
    const b = compileSource(shuffled);
    expect(b.diagnostics).toEqual([]);
    expect(b.hash).toBe(a.hash);
    expect(JSON.stringify(b.plan)).toBe(JSON.stringify(a.plan));
  });

  it('a change of meaning changes the hash', () => {
    const text = example('sma-cross.yaml');
    const changed = text.replace('fee_bps: 1,', 'fee_bps: 2,');
    expect(changed).not.toBe(text);
    expect(compileSource(changed).hash).not.toBe(compileSource(text).hash);
  });

  it('node ids are a topological order: every input precedes its consumer', () => {
    const plan = compileSource(example('btc-breakout.yaml')).plan!;
    const index = new Map(plan.nodes.map((n, i) => [n.id, i]));
    plan.nodes.forEach((n, i) => {
      expect(n.id).toBe(`n${i}`);
      for (const input of n.inputs) expect(index.get(input.split('.')[0]!)!).toBeLessThan(i);
    });
  });
});

describe('diagnostic positions inside YAML scalars', () => {
  // Expression offsets are mapped back through the YAML scalar style to file line:column.
  it.each<[style: string, rule: string, line: number, column: number, text: string]>([
    ['plain', '  long: close > open && close > 1', 7, 22, '&&'],
    ['double-quoted', '  long: "close > open && close > 1"', 7, 23, '&&'],
    ['double-quoted with escapes', '  long: "close > \\"a\\" && close > 1"', 7, 24, '&&'],
    ['single-quoted with a doubled quote', "  long: 'close > ''a'' && close > 1'", 7, 24, '&&'],
    ['folded block', '  long: >-\n    close > open\n    && close > 1', 9, 5, '&&'],
    ['literal block', '  long: |\n    close > open\n    && close > 1', 9, 5, '&&'],
    ['multi-line plain', '  long: close > open\n    && close > 1', 8, 5, '&&'],
  ])('%s', (_style, rule, line, column, text) => {
    const r = compileSource(HEADER + ['entry:', rule, 'exit:', '  long: close < open', ''].join('\n'));
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect([d.code, d.line, d.column, d.endLine, d.endColumn]).toEqual(['E301', line, column, line, column + text.length]);
    expect(d.sourceLine.slice(d.column - 1, d.endColumn - 1)).toBe(text);
  });

  it('CRLF line endings give the same positions as LF', () => {
    const lf = HEADER + ['entry:', '  long: close > open and clsoe > 1', 'exit:', '  long: close < open', ''].join('\n');
    const a = compileSource(lf).diagnostics;
    const b = compileSource(lf.replace(/\n/g, '\r\n')).diagnostics;
    expect(a.map((d) => [d.code, d.line, d.column, d.endColumn, d.sourceLine])).toEqual([['E401', 7, 26, 31, '  long: close > open and clsoe > 1']]);
    expect(b.map((d) => [d.code, d.line, d.column, d.endColumn, d.sourceLine])).toEqual(a.map((d) => [d.code, d.line, d.column, d.endColumn, d.sourceLine]));
  });
});

describe('schema diagnostics for a signal (an expression string or an explicit node)', () => {
  // Regression: schema-check.ts `selectErrors` keeps only the errors of the anyOf branch the
  // value's JSON type picks (or one "wrong type" error when none fits). It used to group branch
  // errors by schemaPath prefix (`…/anyOf/<i>/`), but the two `signals` branches are `$ref`s,
  // whose errors Ajv reports under `#/definitions/…`: nothing was grouped, so an empty or
  // over-long expression also got "must be a mapping, not a string", and a number got that plus
  // the generic E203.
  it.each<[label: string, value: string, expected: [code: string, message: string][]]>([
    ['a number', '5', [['E203', '`signals.a` must be an expression string or an explicit node']]],
    ['an empty string', '""', [['E206', '`signals.a` must not be empty']]],
    ['an expression over the length limit', JSON.stringify(Array.from({ length: 2600 }, () => 'close').join(' + ')), [['E206', '`signals.a` is longer than 20000 characters']]],
    ['an explicit node with an unknown field', '{ node: sma, inputs: [close], params: { period: 3 }, bogus: 1 }', [['E201', 'unknown field `bogus` in `signals.a`']]],
    ['an explicit node without `node`', '{ inputs: [close] }', [['E202', '`signals.a` is missing the required field `node`']]],
  ])('%s gets exactly the one diagnostic that applies', (_label, value, expected) => {
    const r = compileSource(HEADER + ['signals:', `  a: ${value}`, 'entry:', '  long: close > a', 'exit:', '  long: close < a', ''].join('\n'));
    expect(r.diagnostics.map((d) => [d.code, d.message.slice(0, expected[0]![1].length)])).toEqual(expected);
  });
});

describe('robustness', () => {
  // Regression: an expression well inside the 20,000-character field limit but with a long flat
  // chain (a sum of 3,000 terms, a 4,000-deep lag chain) built a tree thousands of levels deep;
  // the recursive lowering overflowed the stack and the user got E901 "internal compiler error"
  // instead of E305 "expression too deep or too long". See parser.test.ts.
  it.each<[string, string]>([
    ['a 3,000-term sum', Array.from({ length: 3000 }, () => 'close').join('+') + ' > 0'],
    ['a 4,000-deep lag chain', 'close' + '[1]'.repeat(4000) + ' > 0'],
  ])('%s is reported as E305, not as an internal error', (_label, expr) => {
    expect(expr.length).toBeLessThan(20_000);
    const r = compileSource(HEADER + ['signals:', `  s: ${expr}`, 'entry:', '  long: s', 'exit:', '  long: not s', ''].join('\n'));
    expect(codes(r)).not.toContain('E901');
    expect(codes(r)).toContain('E305');
  });

  it('never throws on malformed input; problems are diagnostics', () => {
    for (const text of ['', ':', '[1, 2', 'strata: strategy/v1', 'strata: strategy/v2\n', '\u0000', 'a: &x [*x]', HEADER + 'entry: { long: "close >" }\n']) {
      const r = compileSource(text);
      expect(r.ok).toBe(false);
      expect(r.diagnostics.length).toBeGreaterThan(0);
      expect(codes(r)).not.toContain('E901');
    }
  });
});
