import { describe, expect, it } from 'vitest';
import { compileSource } from '@strata/compiler';
import { INDICATORS } from '@strata/kernel';
import { createToolContext, interpretDrawing, invokeTool, SessionContext, type AnnotateDrawingResult, type ComposeSignalNodeResult, type DetectSrLevelsResult, type ExecutableNode, type NewsSentimentResult, type ToolContext } from '@strata/agent';
import { DATA } from './helpers.js';

function freshCtx(): ToolContext {
  return createToolContext({ dataDir: DATA, session: new SessionContext() });
}

async function ok<R>(tool: string, args: unknown, c: ToolContext): Promise<R> {
  const r = await invokeTool(tool, args, c);
  if (!r.ok) throw new Error(`${tool} failed: ${JSON.stringify(r.error)}`);
  return r.result as R;
}

/** An artifact using the node (YAML form or expression form) in its entry rule. */
function artifactWith(node: ExecutableNode, form: 'yaml' | 'expression', news = false): string {
  const signal = form === 'yaml' ? node.yaml.replace(/^/gm, '  ').trimEnd() : `  ${node.signal}: ${JSON.stringify(node.expression)}`;
  const ref = node.outputs.includes('near') ? `${node.signal}.near` : node.outputs.includes('up') ? `${node.signal}.up` : `${node.signal} > 0`;
  return [
    'strata: strategy/v1',
    'name: frozen-node',
    'universe: [SPY]',
    'timeframe: 1d',
    `feeds: { bars: equities.us.daily${news ? ', news: news.local' : ''} }`,
    'signals:',
    signal,
    'entry:',
    `  long: ${ref}`,
    'exit:',
    '  long: close < sma(close, 50)',
    '',
  ].join('\n');
}

function expectCompiles(node: ExecutableNode, news = false): string {
  const viaYaml = compileSource(artifactWith(node, 'yaml', news));
  expect(viaYaml.diagnostics.filter((d) => d.severity === 'error'), node.yaml).toEqual([]);
  const viaExpr = compileSource(artifactWith(node, 'expression', news));
  expect(viaExpr.diagnostics.filter((d) => d.severity === 'error'), node.expression).toEqual([]);
  // Both forms are the same DAG node: same ops, params and ids.
  const shape = (p: typeof viaYaml.plan) => p!.nodes.map((n) => ({ id: n.id, op: n.op, params: n.params }));
  expect(shape(viaExpr.plan)).toEqual(shape(viaYaml.plan));
  const n = viaYaml.plan!.nodes.find((x) => x.op === node.node)!;
  // The plan spells timestamps out in full (2024-01-02 → 2024-01-02T00:00:00.000Z).
  const norm = (v: unknown) => (typeof v === 'string' ? new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString() : v);
  expect(Object.fromEntries(Object.entries(n.params).map(([k, v]) => [k, norm(v)]))).toEqual(Object.fromEntries(Object.entries(node.params).map(([k, v]) => [k, norm(v)])));
  return viaYaml.hash!;
}

const TV_EXPORT = {
  symbol: 'SPY',
  drawings: [
    { shape: 'trend_line', id: 'tl1', points: [{ time: 1_735_776_000, price: 585.2 }, { time: 1_704_153_600, price: 472.65 }], text: 'rising support' },
    { shape: 'horizontal_line', points: [{ price: 600 }] },
    { shape: 'rectangle', points: [{ time: '2025-04-07', price: 480 }, { time: '2025-04-21', price: 520 }] },
    { shape: 'fib_retracement', points: [{ time: '2025-04-08', price: 481.8 }, { time: '2025-07-31', price: 639.3 }] },
  ],
};

describe('toExecutableNode: deterministic and compiling', () => {
  it('detect_sr_levels freezes into sr_proximity with the levels as params', async () => {
    const a = await ok<DetectSrLevelsResult>('detect_sr_levels', { symbol: 'SPY', to: '2025-06-30', signal: 'sr_levels' }, freshCtx());
    const b = await ok<DetectSrLevelsResult>('detect_sr_levels', { symbol: 'SPY', to: '2025-06-30', signal: 'sr_levels' }, freshCtx());
    const na = a.toExecutableNode();
    expect(na.yaml).toBe(b.toExecutableNode().yaml);
    expect(na.expression).toBe(b.toExecutableNode().expression);
    expect(na).toMatchObject({ signal: 'sr_levels', node: 'sr_proximity', inputs: ['close'], params: { levels: a.levels.map((l) => l.price), tolerance: 0.005 }, outputs: ['distance', 'near'] });
    expect(na.yaml).toBe(`sr_levels:\n  node: sr_proximity\n  inputs: [close]\n  params: { levels: [${a.levels.map((l) => l.price).join(', ')}], tolerance: 0.005 }\n`);
    expectCompiles(na);
  });

  it('annotate_drawing: trend line → trendline_cross, line / zone / fib → sr_proximity; each compiles', async () => {
    const c = freshCtx();
    const r = await ok<AnnotateDrawingResult>('annotate_drawing', TV_EXPORT, c);
    const nodes = r.toExecutableNodes();
    expect(nodes.map((n) => n.node)).toEqual(['trendline_cross', 'sr_proximity', 'sr_proximity', 'sr_proximity']);
    // Trend line: anchors sorted by time, TradingView seconds → ISO dates.
    expect(nodes[0]).toMatchObject({ signal: 'tl_tl1', params: { t0: '2024-01-02', p0: 472.65, t1: '2025-01-02', p1: 585.2 }, outputs: ['line', 'up', 'down'] });
    expect(nodes[1]!.params).toEqual({ levels: [600], tolerance: 0.005 });
    // Zone 480–520: one level at the midpoint, tolerance exactly the half-width.
    expect(nodes[2]!.params).toEqual({ levels: [500], tolerance: 40 / 1000 });
    // Fib from 481.8 to 639.3: level r at end + (start − end)·r.
    expect(nodes[3]!.params.levels).toEqual([481.8, 515.505, 541.965, 560.55, 579.135, 602.13, 639.3]);
    for (const n of nodes) expectCompiles(n);
    // The drawings are in the session now.
    expect(c.session.drawings.map((d) => [d.kind, d.signal])).toEqual(r.drawings.map((d) => [d.kind, d.signal]));
    expect(c.session.drawings[0]!.label).toBe('rising support');
  });

  it('annotate_drawing is byte-for-byte deterministic, ids derived from content', async () => {
    const a = await ok<AnnotateDrawingResult>('annotate_drawing', TV_EXPORT, freshCtx());
    const b = await ok<AnnotateDrawingResult>('annotate_drawing', structuredClone(TV_EXPORT), freshCtx());
    expect(a.toExecutableNodes().map((n) => n.yaml + n.expression)).toEqual(b.toExecutableNodes().map((n) => n.yaml + n.expression));
    expect(a.drawings[1]!.id).toMatch(/^[0-9a-f]{8}$/);
    const moved = await ok<AnnotateDrawingResult>('annotate_drawing', { drawings: [{ shape: 'horizontal_line', points: [{ price: 601 }] }] }, freshCtx());
    expect(moved.drawings[0]!.id).not.toBe(a.drawings[1]!.id);
  });

  it('the zone node is near exactly inside the zone (the kernel\'s sr_proximity)', () => {
    const zone = interpretDrawing({ shape: 'rectangle', points: [{ time: 1, price: 480 }, { time: 2, price: 520 }] }, 'SPY', 0.005).node;
    const ind = INDICATORS.sr_proximity!(zone.params as never);
    const out = new Float64Array(2);
    const near = (x: number) => {
      ind.update(Float64Array.of(x), 0, out, 0);
      return out[1];
    };
    expect([479.9, 480.01, 500, 519.99, 520.1].map(near)).toEqual([0, 1, 1, 1, 0]);
  });

  it('annotate_drawing refuses a trend line with both anchors at one time, naming the drawing', async () => {
    const r = await invokeTool('annotate_drawing', { drawings: [{ shape: 'horizontal_line', points: [{ price: 1 }] }, { shape: 'trend_line', points: [{ time: 5, price: 1 }, { time: 5, price: 2 }] }] }, freshCtx());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('drawings.1: a trend_line needs two anchors at different times');
  });

  it('compose_signal_node builds a catalog node (YAML and expression), validated, and records it in the session', async () => {
    const c = freshCtx();
    const r = await ok<ComposeSignalNodeResult>('compose_signal_node', { name: 'bands', node: 'bbands', inputs: ['close'], params: { period: 20, k: 2.5 } }, c);
    expect(r.node.yaml).toBe('bands:\n  node: bbands\n  inputs: [close]\n  params: { period: 20, k: 2.5 }\n');
    expect(r.node.expression).toBe('bbands(close, period=20, k=2.5)');
    expect(r.valueType).toBe('multi');
    expect(r.references).toEqual(['bands.upper', 'bands.middle', 'bands.lower']);
    expect(c.session.signals).toEqual([{ name: 'bands', node: 'bbands', expression: 'bbands(close, period=20, k=2.5)', yaml: r.node.yaml, source: 'compose_signal_node' }]);
    const upper = await ok<ComposeSignalNodeResult>('compose_signal_node', { name: 'upper', node: 'bbands', inputs: ['hl2'], params: { period: 10 }, output: 'upper' }, c);
    expect(upper.node.expression).toBe('bbands(hl2, period=10).upper');
    expect(upper.valueType).toBe('number');
    const sr = await ok<ComposeSignalNodeResult>('compose_signal_node', { name: 'lvl', node: 'sr_proximity', inputs: ['close'], params: { levels: [610, 590.5] } }, c);
    expect(sr.node.params.levels).toEqual([590.5, 610]);
    for (const n of [r.node, sr.node]) {
      const a = compileSource(artifactWith({ ...n, outputs: n.outputs.includes('near') ? n.outputs : [] }, 'yaml').replace(`long: ${n.signal} > 0`, `long: close > ${n.signal}.upper`));
      expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });

  it('compose_signal_node with $param references compiles inside an artifact declaring them', async () => {
    const r = await ok<ComposeSignalNodeResult>('compose_signal_node', { name: 'slow_ema', node: 'ema', inputs: ['close'], params: { period: '$slow' } }, freshCtx());
    expect(r.node.expression).toBe('ema(close, period=$slow)');
    const text = artifactWith(r.node, 'yaml').replace('signals:', 'params:\n  slow: { default: 30, type: int }\nsignals:');
    expect(compileSource(text).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it.each([
    [{ name: 'x', node: 'bband', inputs: ['close'] }, /unknown node "bband"; did you mean "bbands"\?/],
    [{ name: 'x', node: 'sma', inputs: [], params: { period: 3 } }, /inputs: `sma` takes 1 series input\(s\) \(source: number\), got 0/],
    [{ name: 'x', node: 'sma', inputs: ['close +'], params: { period: 3 } }, /inputs\.0: E302/],
    [{ name: 'x', node: 'bbands', inputs: ['close'], output: 'top' }, /output: `bbands` has outputs upper, middle, lower, not "top"/],
    [{ name: 'close', node: 'sma', inputs: ['close'], params: { period: 3 } }, /name: "close" is a bar field or keyword/],
    [{ name: 'x', node: 'sr_proximity', inputs: ['close'], params: { levels: [-1] } }, /params\.levels: must hold positive, finite prices/],
    [{ name: 'x', node: 'atr', params: { period: 'fourteen' } }, /params\.period: expected a whole number or a "\$param" reference, got "fourteen"/],
  ])('compose_signal_node refuses %j: %s', async (args, message) => {
    const r = await invokeTool('compose_signal_node', args, freshCtx());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_arguments');
      expect(r.error.message).toMatch(message);
    }
  });

  it('fetch_news_sentiment freezes into a news_sentiment node that compiles with the news feed declared', async () => {
    const r = await ok<NewsSentimentResult>('fetch_news_sentiment', { symbol: 'SPY', window: 10 }, freshCtx());
    expect(r.toExecutableNode().yaml).toBe('news_spy:\n  node: news_sentiment\n  params: { window: 10 }\n');
    expectCompiles(r.toExecutableNode(), true);
  });
});
