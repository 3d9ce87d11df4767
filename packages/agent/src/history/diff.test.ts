import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSemanticDiff, semanticDiff, SemanticDiffError, type DiffChange } from './diff.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const SMA = readFileSync(join(root, 'examples/sma-cross.yaml'), 'utf8');
const ROTATION = readFileSync(join(root, 'examples/sector-rotation.yaml'), 'utf8');

/** sma-cross rewritten: other comments, key order, block style, spelled-out defaults, expression spacing. */
const SMA_REFORMATTED = `# the same strategy, written differently
name: sma-cross
strata: strategy/v1
timeframe: 1d
description: Long SPY when the 10-day SMA crosses above the 30-day SMA; flat when it crosses back below.
feeds:
  bars: equities.us.daily
universe:
  - SPY
benchmark: SPY
params:
  slow: { max: 200, min: 20, default: 30, type: int }
  fast: { type: int, default: 10.0, min: 5, max: 50 }
signals:
  slow_ma: sma( close,$slow )
  fast_ma: "sma(close, $fast)"
exit:
  long: crosses_below(fast_ma,slow_ma)
entry:
  long: crosses_above( fast_ma , slow_ma )   # unchanged meaning
sizing: { value: 1, kind: cash_fraction, lot_size: 1 }
risk: {}
execution:
  slippage_bps: 2
  fee_bps: 1
  time_in_force: day
  fill: next_open
  order_type: market
`;

const change = (d: ReturnType<typeof semanticDiff>, path: string): DiffChange | undefined => d.changes.find((c) => c.path === path);

describe('semanticDiff', () => {
  it('formatting, comments, key order, spelled-out defaults and expression spacing are no semantic change (hash equal)', () => {
    const d = semanticDiff(SMA, SMA_REFORMATTED);
    expect(d.basis).toBe('canonical');
    expect(d.changes).toEqual([]);
    expect(d).toMatchObject({ changed: false, hashChanged: false, textChanged: true, sections: [] });
    expect(d.hashBefore).toBe(d.hashAfter);
    expect(formatSemanticDiff(d, { before: 'v1', after: 'v2' })).toBe(`v1 → v2: no semantic change (formatting, comments, key order or spelled-out defaults only)\nhash: ${d.hashBefore} (unchanged)`);
    const same = semanticDiff(SMA, SMA);
    expect(same).toMatchObject({ changed: false, textChanged: false, hashChanged: false });
  });

  it.each([
    ['a param default', SMA.replace('fast: { default: 10,', 'fast: { default: 12,'), 'params', 'params.fast.default', 'changed', 10, 12],
    ['a param range', SMA.replace('max: 200,', 'max: 300,'), 'params', 'params.slow.max', 'changed', 200, 300],
    ['a param added', SMA.replace('\nsignals:', '  band: { default: 2 }\n\nsignals:'), 'params', 'params.band', 'added', undefined, { default: 2, type: 'float' }],
    ['a signal expression', SMA.replace('fast_ma: sma(close, $fast)', 'fast_ma: ema(close, $fast)'), 'signals', 'signals.fast_ma', 'changed', 'sma(close, $fast)', 'ema(close, $fast)'],
    ['a signal added', SMA.replace('\nentry:', '  trend: sma(close, 200)\n\nentry:').replace('long: crosses_above(fast_ma, slow_ma)', 'long: crosses_above(fast_ma, slow_ma) and close > trend'), 'signals', 'signals.trend', 'added', undefined, 'sma(close, 200)'],
    ['an entry rule', SMA.replace('long: crosses_above(fast_ma, slow_ma)', 'long: fast_ma > slow_ma'), 'rules', 'entry.long', 'changed', 'crosses_above(fast_ma, slow_ma)', 'fast_ma > slow_ma'],
    ['a stop added', SMA.replace('long: crosses_below(fast_ma, slow_ma)', 'long: crosses_below(fast_ma, slow_ma)\n  stop_loss: { kind: atr, multiple: 2 }'), 'rules', 'exit.stop_loss', 'added', undefined, { kind: 'atr', multiple: 2, period: 14 }],
    ['max_bars added', SMA.replace('long: crosses_below(fast_ma, slow_ma)', 'long: crosses_below(fast_ma, slow_ma)\n  max_bars: 10'), 'rules', 'exit.max_bars', 'added', undefined, 10],
    ['the sizing value', SMA.replace('value: 1.0', 'value: 0.5'), 'sizing', 'sizing.value', 'changed', 1, 0.5],
    ['execution fees', SMA.replace('fee_bps: 1', 'fee_bps: 5'), 'execution', 'execution.fee_bps', 'changed', 1, 5],
    ['a risk limit (from its default)', SMA + 'risk: { max_gross_exposure: 0.5 }\n', 'risk', 'risk.max_gross_exposure', 'changed', 1, 0.5],
    ['the benchmark', SMA.replace('benchmark: SPY', 'benchmark: QQQ'), 'universe', 'benchmark', 'changed', 'SPY', 'QQQ'],
    ['the feed', SMA.replace('bars: equities.us.daily', 'bars: equities.us.daily.adj'), 'feeds', 'feeds.bars', 'changed', 'equities.us.daily', 'equities.us.daily.adj'],
    ['the timeframe', SMA.replace('timeframe: 1d', 'timeframe: 1h'), 'timeframes', 'timeframe', 'changed', '1d', '1h'],
    ['the description', SMA.replace(/^description: .*$/m, 'description: Golden cross.'), 'meta', 'description', 'changed', 'Long SPY when the 10-day SMA crosses above the 30-day SMA; flat when it crosses back below.', 'Golden cross.'],
  ] as const)('reports %s with its section, path, before and after', (_label, after, section, path, kind, before, afterValue) => {
    const d = semanticDiff(SMA, after);
    const c = change(d, path);
    expect(c, `a change at ${path}; got ${JSON.stringify(d.changes.map((x) => x.path))}`).toBeDefined();
    expect(c).toMatchObject({ section, kind });
    expect(c!.before).toEqual(before);
    expect(c!.after).toEqual(afterValue);
    expect(d.changed).toBe(true);
    expect(d.hashChanged).toBe(true);
    expect(d.sections.map((s) => s.section)).toContain(section);
  });

  it('a change of a stop kind replaces the whole stop rather than mixing the fields of two kinds', () => {
    const withStop = SMA.replace('long: crosses_below(fast_ma, slow_ma)', 'long: crosses_below(fast_ma, slow_ma)\n  stop_loss: { kind: atr, multiple: 2 }');
    const d = semanticDiff(withStop, withStop.replace('{ kind: atr, multiple: 2 }', '{ kind: percent, value: 0.05 }'));
    expect(d.changes).toEqual([{ section: 'rules', path: 'exit.stop_loss', kind: 'changed', before: { kind: 'atr', multiple: 2, period: 14 }, after: { kind: 'percent', value: 0.05 } }]);
    const same = semanticDiff(withStop, withStop.replace('multiple: 2', 'multiple: 3'));
    expect(same.changes.map((c) => [c.path, c.before, c.after])).toEqual([['exit.stop_loss.multiple', 2, 3]]);
  });

  it('lists the members a universe gained and lost, and portfolio changes field by field', () => {
    const after = ROTATION.replace('universe: [XLK, XLF, XLE, XLY, XLP, XLV, XLU, XLI, XLB]', 'universe: [XLK, XLF, XLE, XLY, XLP, XLV, XLU, XLI, XLRE]').replace('select: { top: 6 }', 'select: { top: 4 }');
    const d = semanticDiff(ROTATION, after);
    expect(change(d, 'universe')!.members).toEqual({ added: ['XLRE'], removed: ['XLB'] });
    expect(change(d, 'portfolio.select.top')).toMatchObject({ section: 'portfolio', before: 6, after: 4 });
    expect(d.sections.map((s) => s.section)).toEqual(['universe', 'portfolio']); // section order, not key order
    const text = formatSemanticDiff(d, { before: 'v1', after: 'v2' });
    expect(text).toContain('v1 → v2: 2 semantic changes');
    expect(text).toContain('  ~ universe: [XLK, XLF, XLE, XLY, XLP, XLV, XLU, XLI, XLB] → [XLK, XLF, XLE, XLY, XLP, XLV, XLU, XLI, XLRE]  (+XLRE -XLB)');
    expect(text).toContain('portfolio\n  ~ portfolio.select.top: 6 → 4');
  });

  it('renders added and removed entries with + and -, grouped under their section titles', () => {
    const after = SMA.replace('  fast_ma: sma(close, $fast)\n', '  fast_ma: sma(close, $fast)\n  unused: rsi(close, 14)\n').replace('fast: { default: 10,', 'fast: { default: 12,');
    const text = formatSemanticDiff(semanticDiff(SMA, after));
    expect(text.split('\n').slice(2)).toEqual(['', 'params', '  ~ params.fast.default: 10 → 12', '', 'signals', '  + signals.unused: rsi(close, 14)']);
    const removed = formatSemanticDiff(semanticDiff(after, SMA));
    expect(removed).toContain('  - signals.unused: rsi(close, 14)');
  });

  it('falls back to comparing YAML values when a version does not compile (no hash to compare)', () => {
    const broken = SMA.replace('crosses_above(fast_ma, slow_ma)', 'crosses_above(fast_ma, nope)');
    const d = semanticDiff(SMA, broken);
    expect(d).toMatchObject({ basis: 'yaml', hashChanged: null, hashAfter: null, changed: true, errors: { before: 0, after: 1 } });
    expect(d.changes).toEqual([{ section: 'rules', path: 'entry.long', kind: 'changed', before: 'crosses_above(fast_ma, slow_ma)', after: 'crosses_above(fast_ma, nope)' }]);
    expect(formatSemanticDiff(d)).toMatch(/compared as YAML: a version does not compile\)\nhash: sha256:[0-9a-f]{64} → \(does not compile: 1 error\)/);
  });

  it('refuses text that is not a YAML mapping', () => {
    expect(() => semanticDiff(SMA, 'a: [unclosed')).toThrow(SemanticDiffError);
    expect(() => semanticDiff('- a list\n', SMA)).toThrow(/the before version is not a YAML mapping/);
  });
});
