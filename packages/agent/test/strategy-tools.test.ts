import { describe, expect, it } from 'vitest';
import { compileSource } from '@strata/compiler';
import { createToolContext, invokeTool, SessionContext, type BacktestSummary, type CompilePayload, type EmitStrategyResult } from '@strata/agent';
import { CRYPTO_DATA, DATA, ROOT, SMA_CROSS } from './helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ctx = createToolContext({ dataDir: DATA, session: new SessionContext() });

describe('compile_strategy', () => {
  it('gives the diagnostics of `strata compile --json` for the text, plus hash, warm-up and node count', async () => {
    const broken = SMA_CROSS.replace('fast_ma: sma(close, $fast)', 'fast_ma: smaa(close, $fast)').replace('fill: next_open', 'fill: next_opne');
    const r = await invokeTool('compile_strategy', { yaml: broken }, ctx);
    expect(r.ok).toBe(true);
    const p = (r as { result: CompilePayload }).result;
    const direct = compileSource(broken, { file: 'strategy.yaml' });
    expect(p).toEqual({
      schema: 'strata.compile-result/v1',
      ok: false,
      results: [{ file: 'strategy.yaml', ok: false, errors: direct.diagnostics.filter((d) => d.severity === 'error').length, warnings: 0, diagnostics: direct.diagnostics }],
      name: null,
      hash: null,
      warmup: null,
      nodes: null,
    });
    const codes = p.results[0].diagnostics.map((d) => d.code);
    expect(codes).toContain('E402'); // unknown node smaa (with a did-you-mean)
    expect(codes.some((c) => c.startsWith('E2')), 'the schema error for next_opne').toBe(true);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('reports hash, warm-up and node count of an artifact that compiles, with param overrides applied', async () => {
    const r = (await invokeTool('compile_strategy', { yaml: SMA_CROSS, params: { slow: 50 } }, ctx)) as { ok: true; result: CompilePayload };
    const direct = compileSource(SMA_CROSS, { params: { slow: 50 } });
    expect(r.result).toMatchObject({ ok: true, name: 'sma-cross', hash: direct.hash, warmup: { '1d': 50 }, nodes: direct.plan!.nodes.length });
    const bad = (await invokeTool('compile_strategy', { yaml: SMA_CROSS, params: { slow: 5 } }, ctx)) as { ok: true; result: CompilePayload };
    expect(bad.result.results[0].diagnostics[0]).toMatchObject({ code: 'E509' });
  });
});

describe('run_backtest', () => {
  it('backtests on the local data like `strata backtest` and returns the summary with the identities', async () => {
    const r = (await invokeTool('run_backtest', { yaml: SMA_CROSS, from: '2015-01-01', to: '2024-12-31' }, ctx)) as { ok: true; result: BacktestSummary };
    expect(r.ok).toBe(true);
    const s = r.result;
    expect(s).toMatchObject({ schema: 'strata.backtest-result/v1', artifact: { name: 'sma-cross', hash: compileSource(SMA_CROSS).hash }, feed: 'equities.us.daily', initialCash: 100_000, period: { from: '2015-01-02', to: '2024-12-31' }, benchmark: { symbol: 'SPY' } });
    expect(s.datasetHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(s.metrics.trades).toBe(s.perSymbol.reduce((n, p) => n + p.trades, 0));
    expect(s.metrics.trades as number).toBeGreaterThan(10);
    expect(typeof s.metrics.sharpe).toBe('number');
    const again = (await invokeTool('run_backtest', { yaml: SMA_CROSS, from: '2015-01-01', to: '2024-12-31' }, ctx)) as { ok: true; result: BacktestSummary };
    expect(again.result).toEqual(s);
  });

  it('runs the crypto example on its own feed', async () => {
    const c = createToolContext({ dataDir: CRYPTO_DATA });
    const yaml = readFileSync(join(ROOT, 'examples/btc-breakout.yaml'), 'utf8');
    const r = (await invokeTool('run_backtest', { yaml, from: '2024-01-01', to: '2024-03-31', cash: 10_000 }, c)) as { ok: true; result: BacktestSummary };
    expect(r.ok).toBe(true);
    expect(r.result.initialCash).toBe(10_000);
    expect(r.result.feed).toMatch(/^crypto\.binance\.spot\./);
  });

  it.each([
    ['an artifact that does not compile', { yaml: SMA_CROSS.replace('sma(close, $slow)', 'sma(close, $slw)') }, 'compile_failed', /E4\d\d at 1[0-9]:\d+/],
    ['a symbol without data', { yaml: SMA_CROSS.replace(/SPY/g, 'NOPE') }, 'unknown_symbol', /NOPE.*available on equities\.us\.daily: .*SPY/s],
    ['a range after the data', { yaml: SMA_CROSS, from: '2030-01-01' }, 'no_data', /after the end of the data/],
  ])('refuses %s with a fixable message', async (_label, args, code, message) => {
    const r = await invokeTool('run_backtest', args, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message).toMatch(message);
    }
  });
});

describe('emit_strategy', () => {
  it('accepts an artifact that compiles and hands it back for the loop to commit', async () => {
    const r = (await invokeTool('emit_strategy', { yaml: SMA_CROSS, message: 'the example' }, ctx)) as { ok: true; result: EmitStrategyResult };
    expect(r.result).toMatchObject({ accepted: true, name: 'sma-cross', hash: compileSource(SMA_CROSS).hash, warmup: { '1d': 30 }, message: 'the example', artifact: SMA_CROSS, warnings: [] });
  });

  it('refuses one that does not, with the compiler diagnostics as structured JSON', async () => {
    const r = await invokeTool('emit_strategy', { yaml: SMA_CROSS.replace('universe: [SPY]', 'universe: SPY'), message: 'x' }, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('compile_failed');
    const details = r.error.details as CompilePayload;
    expect(details.schema).toBe('strata.compile-result/v1');
    expect(details.results[0].diagnostics[0]).toMatchObject({ code: 'E203', line: 5, path: '/universe' });
    expect(r.error.message).toMatch(/^the artifact does not compile \(1 error\): E203 at 5:\d+/);
  });
});
