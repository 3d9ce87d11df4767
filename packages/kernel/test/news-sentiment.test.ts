import { compileSource, type Plan } from '@strata/compiler';
import { sentimentSeries, type ScoredNewsItem } from '@strata/feeds';
import { describe, expect, it } from 'vitest';
import { KernelError, NewsWindow, runBacktest, SeriesStream, SignalEngine, type NewsColumns } from '../src/index.js';
import { DAY, series, type Row } from './fixtures/helpers.js';

/**
 * The `news_sentiment(window)` node end to end inside the kernel: scored news aligned by the feeds'
 * `sentimentSeries`, carried by the stream like a bar field, evaluated by the generated signal code.
 */

const T0 = Date.UTC(2024, 0, 1);
const N = 30;
const ROWS: Row[] = Array.from({ length: N }, (_, t) => [100 + t, 101 + t, 99 + t, 100.5 + t, 1000] as const);
const BARS = series('AAA', ROWS, T0);

let id = 0;
const at = (day: number, hourUtc: number, score: number): ScoredNewsItem => ({ id: `i${id++}`, ts: T0 + day * DAY + hourUtc * 3_600_000, source: 'test', symbols: ['AAA'], headline: 'x', score });
// Several items in some bars, items exactly at a close (24:00 = the next day 00:00), long gaps without news.
const ITEMS: ScoredNewsItem[] = [
  at(2, 14, 0.8), at(2, 20, 0.6), at(3, 0, 0.4), // bars 2, 2, and 2 (00:00 of day 3 is bar 2's close)
  at(5, 12, -0.9),
  at(9, 23, 0.9), at(10, 1, -0.3),
  at(17, 8, -0.7), at(17, 9, -0.8), at(18, 10, 0.2),
  at(26, 16, 0.75),
];
const NEWS = sentimentSeries(ITEMS, BARS);

const plan = (signals: string, rules = 'entry:\n  long: a > 0.5\nexit:\n  long: b < -0.5\n', extra = ''): Plan => {
  const src = `strata: strategy/v1
name: news-test
universe: [AAA]
timeframe: 1d
${extra}feeds: { bars: test.bars, news: test.news }
signals:
${signals}
${rules}sizing: { kind: cash_fraction, value: 1.0 }
execution: { order_type: market, fill: next_open, fee_bps: 0, slippage_bps: 0 }
`;
  const r = compileSource(src, { file: 'news-test.yaml' });
  expect(r.diagnostics.filter((d) => d.severity === 'error'), 'the artifact compiles').toEqual([]);
  return r.plan!;
};

/** The node's value by direct computation from the aligned series. */
function expected(news: NewsColumns, window: number, t: number): number {
  if (t + 1 < window) return Number.NaN;
  let s = 0;
  let c = 0;
  for (let k = t - window + 1; k <= t; k++) {
    s += news.sum[k]!;
    c += news.count[k]!;
  }
  return c > 0 ? s / c : Number.NaN;
}

describe('news_sentiment in the kernel', () => {
  it('the aligned fixture has items in 7 of 30 bars, three of them in bar 2', () => {
    expect(Array.from(NEWS.count).reduce((a, b) => a + b, 0)).toBe(ITEMS.length);
    expect(NEWS.count[2], 'an item published exactly at the close belongs to the closing bar').toBe(3);
    expect(NEWS.count.filter((c) => c > 0).length).toBe(7);
  });

  it.each([1, 3, 7])('news_sentiment(%i) equals the window mean of the aligned series on every bar', (window) => {
    const p = plan(`  a: news_sentiment(${window})\n  b: news_sentiment(${window}) * -1\n`);
    const stream = new SeriesStream(['AAA'], new Map([['AAA', BARS]]), { news: new Map([['AAA', NEWS]]) });
    const eng = new SignalEngine(p, ['AAA']);
    eng.checkColumns(stream.columns);
    const slot = eng.slot(p.signals['a']!);
    let compared = 0;
    for (let t = 0; stream.next(); t++) {
      eng.clock[0] = stream.ts;
      eng.clock[1] = stream.nextTs;
      eng.step(stream.rows, stream.columns);
      const got = eng.values(0)[slot]!;
      const want = expected(NEWS, window, t);
      if (Number.isNaN(want)) expect(got, `bar ${t}: NaN (warm-up or no item in the window)`).toBeNaN();
      else {
        expect(Math.abs(got - want), `bar ${t}: ${got} vs ${want}`).toBeLessThan(1e-12);
        compared++;
      }
    }
    expect(compared, 'some bars have news in the window').toBeGreaterThan(0);
    const node = p.nodes.find((n) => n.op === 'news_sentiment')!;
    expect(node.lookback, 'lookback window − 1').toBe(window - 1);
  });

  it('drives trades in a backtest: entry on the bar after the first bar whose news mean is above 0.5', () => {
    const p = plan('  a: news_sentiment(1)\n  b: news_sentiment(3)\n');
    const r = runBacktest({ plan: p, stream: new SeriesStream(['AAA'], new Map([['AAA', BARS]]), { news: new Map([['AAA', NEWS]]) }), initialCash: 10_000 });
    const firstSignal = Array.from({ length: N }, (_, t) => expected(NEWS, 1, t)).findIndex((v) => v > 0.5);
    expect(firstSignal, 'bar 2: mean of 0.8, 0.6, 0.4').toBe(2);
    expect(r.trades.length).toBeGreaterThan(0);
    expect(r.trades[0]!.entryTs, 'next_open fill: the bar after the signal').toBe(BARS.ts[firstSignal + 1]);
    const firstExit = Array.from({ length: N }, (_, t) => expected(NEWS, 3, t)).findIndex((v, t) => t > firstSignal && v < -0.5);
    expect(r.trades[0]!.exitTs, 'exit when the 3-bar mean drops below -0.5').toBe(BARS.ts[firstExit + 1]);
  });

  it('an item published after a bar closes does not change that bar or any earlier one', () => {
    const p = plan('  a: news_sentiment(4)\n  b: news_sentiment(2)\n');
    const valuesWith = (items: ScoredNewsItem[]): number[] => {
      const news = sentimentSeries(items, BARS);
      const stream = new SeriesStream(['AAA'], new Map([['AAA', BARS]]), { news: new Map([['AAA', news]]) });
      const eng = new SignalEngine(p, ['AAA']);
      const slot = eng.slot(p.signals['a']!);
      const out: number[] = [];
      while (stream.next()) {
        eng.clock[0] = stream.ts;
        eng.step(stream.rows, stream.columns);
        out.push(eng.values(0)[slot]!);
      }
      return out;
    };
    const base = valuesWith(ITEMS);
    const late = valuesWith([...ITEMS, at(12, 0, -1) /* exactly bar 11's close → bar 11 */, { ...at(12, 0, -1), id: 'late', ts: T0 + 12 * DAY + 1 } /* 1 ms later → bar 12 */]);
    expect(late.slice(0, 11), 'bars 0..10 unchanged').toEqual(base.slice(0, 11));
    expect(late[11], 'bar 11 sees the item published at its close').not.toBe(base[11]);
    expect(late[12]).not.toBe(base[12]);
  });

  it('refuses to run without a news series, naming the symbol and the fix', () => {
    const p = plan('  a: news_sentiment(1)\n  b: news_sentiment(3)\n');
    const run = () => runBacktest({ plan: p, stream: new SeriesStream(['AAA'], new Map([['AAA', BARS]])) });
    expect(run).toThrow(KernelError);
    expect(run).toThrow(/uses news_sentiment but no news series was loaded for AAA/);
  });

  it('refuses a news series that is not row-aligned with the bars', () => {
    const short = { sum: NEWS.sum.subarray(0, 10), count: NEWS.count.subarray(0, 10) };
    expect(() => new SeriesStream(['AAA'], new Map([['AAA', BARS]]), { news: new Map([['AAA', short]]) })).toThrow(/news series of AAA has 10 rows but its bars have 30/);
  });

  it('refuses news_sentiment on a coarser timeframe', () => {
    const p = plan('  a: news_sentiment(2)@1w\n  b: news_sentiment(3)\n', 'entry:\n  long: a > 0.5\nexit:\n  long: b < -0.5\n', 'timeframes: [1w]\n');
    expect(() => new SignalEngine(p, ['AAA'])).toThrow(/news_sentiment node n\d+ on timeframe 1w: news is aligned to the base timeframe only/);
  });

  it('NewsWindow is item-weighted and ignores bars without news', () => {
    const w = new NewsWindow(3);
    const cols: NewsColumns = { sum: Float64Array.from([1.5, 0, -0.5, 0, 0, 0]), count: Float64Array.from([2, 0, 1, 0, 0, 0]) };
    const got = [0, 1, 2, 3, 4, 5].map((row) => w.update(cols, row));
    expect(got.slice(0, 2), 'warm-up').toEqual([Number.NaN, Number.NaN]);
    expect(got[2], '(1.5 − 0.5) / 3 items').toBeCloseTo(1 / 3, 15);
    expect(got[3], 'bar 0 left the window: −0.5 / 1').toBe(-0.5);
    expect(got[4]).toBe(-0.5);
    expect(got[5], 'no item in the window').toBeNaN();
  });
});
