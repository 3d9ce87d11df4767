import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SessionContext } from '../context.js';
import type { AuthoringEvent } from '../loop.js';
import { createToolContext, invokeTool } from '../tools/index.js';
import { backtestPlan, compileArtifact } from '../tools/strategy.js';
import { backtestLine, EventRenderer, resultSummary } from './render.js';
import { plainStyle, type Style } from './style.js';
import type { TerminalWriter } from './terminal.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SMA = readFileSync(join(ROOT, 'examples/sma-cross.yaml'), 'utf8');
const ctx = () => createToolContext({ dataDir: join(ROOT, 'examples/data'), session: new SessionContext() });

/** Collects what the renderer writes, as the terminal would show it. */
class Screen implements TerminalWriter {
  text = '';
  readonly tty = false;
  constructor(readonly style: Style = plainStyle) {}
  write(t: string) {
    this.text += t;
  }
  line(t = '') {
    if (this.text !== '' && !this.text.endsWith('\n')) this.text += '\n';
    this.text += t + '\n';
  }
  spin() {}
  stopSpin() {}
}

describe('resultSummary over real tool results', () => {
  it('query_chart: symbol, timeframe, range, bars shown', async () => {
    const o = await invokeTool('query_chart', { symbol: 'SPY', from: '2024-01-01', last: 3 }, ctx());
    expect(o.ok).toBe(true);
    expect(resultSummary('query_chart', o.ok ? o.result : null)).toBe('SPY 1d 2024-01-02 → 2025-09-25, 3 bars shown');
  });

  it('compute_indicator: the last value', async () => {
    const o = await invokeTool('compute_indicator', { symbol: 'SPY', indicator: 'sma', params: { period: 50 }, last: 2 }, ctx());
    expect(o.ok).toBe(true);
    expect(resultSummary('compute_indicator', o.ok ? o.result : null)).toMatch(/^SPY sma\(period=50\): 2 values, last 2025-09-25: value \d+\.\d+$/);
  });

  it('compose_signal_node: the signal as an expression', async () => {
    const o = await invokeTool('compose_signal_node', { name: 'slow_ma', node: 'sma', inputs: ['close'], params: { period: 30 } }, ctx());
    expect(resultSummary('compose_signal_node', o.ok ? o.result : null)).toBe('slow_ma = sma(close, period=30)');
  });

  it('a tool without a headline: compact JSON, shortened', () => {
    expect(resultSummary('unknown_tool', { a: 'x'.repeat(300) })).toMatch(/^\{"a":"x{40}… \(300 chars\)"\}$/);
  });
});

describe('EventRenderer', () => {
  it('shows an emit in reading order: result, compile, backtest, commit (the loop reports the last two first)', async () => {
    const { result } = compileArtifact(SMA);
    const summary = await backtestPlan(ctx(), result.plan!);
    const screen = new Screen();
    const r = new EventRenderer(screen);
    const events: AuthoringEvent[] = [
      { type: 'token', turn: 1, text: 'Emitting ' },
      { type: 'token', turn: 1, text: 'it.' },
      { type: 'model_message', turn: 1, text: 'Emitting it.', toolCalls: [{ id: 'c1', name: 'emit_strategy', args: { yaml: SMA, message: 'm' } }] },
      { type: 'tool_call', turn: 1, id: 'c1', name: 'emit_strategy', args: { yaml: SMA, message: 'm' } },
      { type: 'backtest', turn: 1, summary },
      { type: 'commit', turn: 1, name: 'sma-cross', hash: result.hash!, commit: 'a'.repeat(40), short: 'aaaaaaa' },
      { type: 'tool_result', turn: 1, id: 'c1', name: 'emit_strategy', ok: true, result: { accepted: true, name: 'sma-cross' } },
      { type: 'compile_result', turn: 1, tool: 'emit_strategy', ok: true, hash: result.hash!, errors: 0, warnings: 0, diagnostics: [] },
      { type: 'done', status: 'committed' },
    ];
    for (const e of events) r.render(e);
    const lines = screen.text.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toEqual([
      'agent › Emitting it.',
      `  → emit_strategy {"yaml":"# SMA crossover on SPY: long while the f… (${SMA.length} chars)","message":"m"}`,
      '  ✓ emit_strategy  accepted sma-cross',
      `  ✓ compiled ${result.hash!.slice(0, 'sha256:'.length + 12)}`,
      `  ▸ backtest ${backtestLine(summary)}`,
      `  ● committed sma-cross aaaaaaa ${result.hash!.slice(0, 'sha256:'.length + 12)}`,
    ]);
    expect(backtestLine(summary)).toMatch(/^1993-01-29 → 2025-09-25 \(8221 bars\): return [+-]\d+\.\d%, CAGR [+-]\d+\.\d%, Sharpe -?\d+\.\d\d, max drawdown -\d+\.\d%, \d+ trades {2}\| {2}SPY buy & hold \+\d+\.\d%$/);
  });

  it('renders failed compiles with the diagnostics as `strata compile` does; an abort as (interrupted)', () => {
    const broken = SMA.replace('crosses_above(fast_ma, slow_ma)', 'crosses_above(fast_ma, slwo_ma)');
    const { payload } = compileArtifact(broken);
    const screen = new Screen();
    const r = new EventRenderer(screen);
    r.render({ type: 'tool_result', turn: 1, id: 'c', name: 'compile_strategy', ok: true, result: payload });
    r.render({ type: 'compile_result', turn: 1, tool: 'compile_strategy', ok: false, hash: null, errors: 1, warnings: 0, diagnostics: payload.results[0].diagnostics });
    r.render({ type: 'stopped', turn: 2, code: 'aborted', message: 'the session was aborted' });
    expect(screen.text).toContain('  ✓ compile_strategy  does not compile\n  ✗ compile failed: 1 error\n    error[E401]: unknown name `slwo_ma`\n      --> strategy.yaml:19:32');
    expect(screen.text).toContain('       = hint: did you mean `slow_ma`, defined at 16:3?');
    expect(screen.text.trimEnd().endsWith('(interrupted)')).toBe(true);
  });
});
