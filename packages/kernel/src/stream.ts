import type { BarSeries } from '@strata/feeds';
import type { NewsColumns } from './news.js';
import type { BarColumns } from './signals.js';

/**
 * The kernel's input: one step per distinct timestamp, in time order. At each step `rows[s]` is
 * the row of symbol s in `columns[s]` (or −1 when s has no bar now). `nextTs` is when the next bar
 * is due by the trading calendar (NaN when unknown): the calendar is known ahead, prices are not.
 */
export interface MarketStream {
  readonly symbols: readonly string[];
  readonly columns: readonly BarColumns[];
  readonly rows: Int32Array;
  ts: number;
  nextTs: number;
  /** Advances to the next timestamp; false at the end. */
  next(): boolean;
  /** Total steps when known (for progress), else NaN. */
  readonly total: number;
}

/** A stream over in-memory series, merging their timestamps. */
export class SeriesStream implements MarketStream {
  readonly columns: BarColumns[];
  readonly rows: Int32Array;
  ts = Number.NaN;
  nextTs = Number.NaN;
  readonly total: number;
  readonly #series: BarSeries[];
  readonly #cursor: Int32Array;
  #started = false;
  /** The next timestamp in the data (what `next()` moves to), whatever the calendar says. */
  #nextData = Number.NaN;

  readonly #nextSession: ((ts: number) => number) | undefined;

  /**
   * `nextSession(ts)` gives the next bar time the trading calendar expects after a bar at `ts`
   * (e.g. from the feed's NYSE or 24/7 calendar). Without it, `nextTs` is the next timestamp in
   * the data, which also "knows" unscheduled gaps such as exchange outages — fine for tests and
   * daily data, but pass the calendar for intraday feeds. `news` carries, per symbol, scored news
   * aligned to its bars (`sentimentSeries` in @strata/feeds), read by `news_sentiment` nodes.
   */
  constructor(
    readonly symbols: readonly string[],
    series: ReadonlyMap<string, BarSeries>,
    options: { readonly nextSession?: (ts: number) => number; readonly news?: ReadonlyMap<string, NewsColumns> } = {},
  ) {
    this.#nextSession = options.nextSession;
    this.#series = symbols.map((s) => {
      const x = series.get(s);
      if (!x) throw new Error(`no data for symbol ${s}`);
      return x;
    });
    this.columns = this.#series.map((x, i) => {
      const fields = [x.open, x.high, x.low, x.close, x.volume] as const;
      const news = options.news?.get(symbols[i]!);
      if (news === undefined) return { fields };
      if (news.sum.length !== x.length || news.count.length !== x.length) throw new Error(`the news series of ${symbols[i]} has ${news.sum.length} rows but its bars have ${x.length}`);
      return { fields, news };
    });
    this.rows = new Int32Array(symbols.length).fill(-1);
    this.#cursor = new Int32Array(symbols.length);
    this.total = countDistinct(this.#series.map((x) => x.ts.subarray(0, x.length)));
    this.#nextData = this.#peek();
    this.nextTs = this.#nextData;
  }

  #peek(): number {
    if (this.#series.length === 1) {
      const x = this.#series[0]!;
      const c = this.#cursor[0]!;
      return c < x.length ? x.ts[c]! : Number.NaN;
    }
    let t = Number.POSITIVE_INFINITY;
    for (let s = 0; s < this.#series.length; s++) {
      const x = this.#series[s]!;
      const c = this.#cursor[s]!;
      if (c < x.length && x.ts[c]! < t) t = x.ts[c]!;
    }
    return t === Number.POSITIVE_INFINITY ? Number.NaN : t;
  }

  next(): boolean {
    this.#started = true;
    const t = this.#nextData;
    if (t !== t) return false;
    for (let s = 0; s < this.#series.length; s++) {
      const x = this.#series[s]!;
      const c = this.#cursor[s]!;
      if (c < x.length && x.ts[c] === t) {
        this.rows[s] = c;
        this.#cursor[s] = c + 1;
      } else {
        this.rows[s] = -1;
      }
    }
    this.ts = t;
    const peek = this.#peek();
    this.#nextData = peek;
    // The calendar's expectation, but never later than a bar the data actually has.
    this.nextTs = this.#nextSession && peek === peek ? Math.min(this.#nextSession(t), peek) : peek;
    return true;
  }

  get started(): boolean {
    return this.#started;
  }
}

/** Number of distinct values across ascending arrays (a k-way merge; no per-value allocation). */
function countDistinct(arrays: readonly Float64Array[]): number {
  if (arrays.length === 1) return arrays[0]!.length;
  const pos = new Int32Array(arrays.length);
  let count = 0;
  for (;;) {
    let t = Number.POSITIVE_INFINITY;
    for (let k = 0; k < arrays.length; k++) {
      const a = arrays[k]!;
      if (pos[k]! < a.length && a[pos[k]!]! < t) t = a[pos[k]!]!;
    }
    if (t === Number.POSITIVE_INFINITY) return count;
    count++;
    for (let k = 0; k < arrays.length; k++) {
      const a = arrays[k]!;
      if (pos[k]! < a.length && a[pos[k]!] === t) pos[k]!++;
    }
  }
}
