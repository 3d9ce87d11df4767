/**
 * The reusable contract every bar FeedSource must satisfy. Call `describeBarFeedContract`
 * from a *.test.ts with a factory; the factory receives a manual scheduler that the source
 * must use for `subscribe`.
 */
import { describe, expect, it } from 'vitest';
import { datasetHash } from '../src/dataset-hash.js';
import { isFeedError } from '../src/errors.js';
import { createManualScheduler, type ManualScheduler } from '../src/replay.js';
import { validateRecord, serializeRecord, type BarRecord } from '../src/schemas.js';
import { FEED_SPEC_VERSION, type BarFeedSource } from '../src/spec.js';
import { timeframeMs } from '../src/timeframe.js';
import { rejected } from './helpers.js';

export interface BarFeedFixture {
  readonly feed: BarFeedSource;
  /** Two symbols the source has data for. */
  readonly symbols: readonly [string, string];
  /** A range inside both symbols' data with a handful of bars. */
  readonly from: number;
  readonly to: number;
}

export function describeBarFeedContract(name: string, make: (scheduler: ManualScheduler) => BarFeedFixture | Promise<BarFeedFixture>): void {
  describe(`bar feed contract: ${name}`, () => {
    it('identifies itself (spec version, id, kind, timeframe) consistently', async () => {
      const { feed } = await make(createManualScheduler());
      expect(feed.specVersion).toBe(FEED_SPEC_VERSION);
      expect(feed.kind).toBe('bars');
      expect(() => timeframeMs(feed.timeframe)).not.toThrow();
      const d = feed.describe();
      expect(d).toMatchObject({ specVersion: FEED_SPEC_VERSION, id: feed.id, kind: 'bars', timeframe: feed.timeframe });
      expect(d.description.length).toBeGreaterThan(0);
    });

    it('lists the symbols it serves', async () => {
      const { feed, symbols } = await make(createManualScheduler());
      const listed = await feed.symbols();
      for (const s of symbols) expect(listed).toContain(s);
    });

    it('history: one valid, ascending, in-range series per requested symbol, hashed', async () => {
      const { feed, symbols, from, to } = await make(createManualScheduler());
      const h = await feed.history({ symbols, from, to });
      expect([...h.series.keys()]).toEqual([...symbols]);
      for (const [symbol, s] of h.series) {
        expect(s.symbol).toBe(symbol);
        expect(s.timeframe).toBe(feed.timeframe);
        expect(s.length).toBeGreaterThan(0);
        for (const col of [s.ts, s.open, s.high, s.low, s.close, s.volume]) {
          expect(col).toBeInstanceOf(Float64Array);
          expect(col.length).toBe(s.length);
        }
        expect(s.line.length).toBe(s.length);
        for (let i = 0; i < s.length; i++) {
          const [t, o, hi, lo, c, v] = [s.ts[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]] as number[];
          if (!(t! >= from && t! <= to)) throw new Error(`${symbol}[${i}] ts ${t} outside the range`);
          if (i > 0 && !(t! > (s.ts[i - 1] as number))) throw new Error(`${symbol}[${i}] ts not strictly ascending`);
          if (!(lo! > 0 && lo! <= o! && o! <= hi! && lo! <= c! && c! <= hi! && v! >= 0)) throw new Error(`${symbol}[${i}] breaks the OHLCV invariants`);
        }
      }
      expect(h.datasetHash).toBe(datasetHash(h.series));
      for (const issue of h.issues) {
        expect(issue.file.length).toBeGreaterThan(0);
        expect(issue.line).toBeGreaterThanOrEqual(1);
      }
    });

    it('history is deterministic', async () => {
      const { feed, symbols, from, to } = await make(createManualScheduler());
      const a = await feed.history({ symbols, from, to });
      const b = await feed.history({ symbols: [...symbols], from, to });
      expect(b.datasetHash).toBe(a.datasetHash);
    });

    it('rejects unknown symbols and malformed requests with FeedError', async () => {
      const { feed, symbols, from, to } = await make(createManualScheduler());
      expect(isFeedError(await rejected(feed.history({ symbols: ['NOSUCHSYMBOL42'] })), 'unknown_symbol')).toBe(true);
      expect(isFeedError(await rejected(feed.history({ symbols: [] })), 'invalid_request')).toBe(true);
      expect(isFeedError(await rejected(feed.history({ symbols, from: to, to: from })), 'invalid_request')).toBe(true);
    });

    it('subscribe replays the same bars at their close, in (close time, request order), through the injected scheduler', async () => {
      const scheduler = createManualScheduler();
      const { feed, symbols, from, to } = await make(scheduler);
      const h = await feed.history({ symbols, from, to });
      const got: BarRecord[] = [];
      let ended = 0;
      await feed.subscribe({ symbols, from, to, speed: 'max', onEnd: () => ended++ }, (r) => got.push(r));
      expect(got).toEqual([]); // nothing before the caller holds the unsubscribe handle
      scheduler.runAll();
      expect(ended).toBe(1);
      const total = [...h.series.values()].reduce((n, s) => n + s.length, 0);
      expect(got.length).toBe(total);
      const step = timeframeMs(feed.timeframe);
      for (let i = 1; i < got.length; i++) {
        const a = got[i - 1] as BarRecord;
        const b = got[i] as BarRecord;
        expect(a.ts + step <= b.ts + step).toBe(true);
        if (a.ts === b.ts) expect(symbols.indexOf(a.symbol)).toBeLessThan(symbols.indexOf(b.symbol));
      }
      for (const r of got) expect(validateRecord(serializeRecord('bars', r)).ok).toBe(true);
      const first = h.series.get(symbols[0]);
      const firstRecords = got.filter((r) => r.symbol === symbols[0]);
      expect(firstRecords.map((r) => r.close)).toEqual([...(first?.close ?? [])]);
    });

    it('subscribe at real-time pace delivers one bar per timeframe of scheduler time; unsubscribe stops it', async () => {
      const scheduler = createManualScheduler();
      const { feed, symbols, from, to } = await make(scheduler);
      const step = timeframeMs(feed.timeframe);
      const got: BarRecord[] = [];
      const stop = await feed.subscribe({ symbols: [symbols[0]], from, to, speed: 1 }, (r) => got.push(r));
      scheduler.advance(0);
      expect(got).toHaveLength(1);
      const firstClose = (got[0] as BarRecord).ts + step;
      const h = await feed.history({ symbols: [symbols[0]], from, to });
      const s = h.series.get(symbols[0]);
      const second = s?.ts[1];
      if (second === undefined) throw new Error('fixture range needs at least 2 bars');
      scheduler.advance(second + step - firstClose - 1);
      expect(got).toHaveLength(1);
      scheduler.advance(1);
      expect(got).toHaveLength(2);
      stop();
      scheduler.runAll();
      expect(got).toHaveLength(2);
    });
  });
}
