import { WindowSum } from './indicators/core.js';

/**
 * Per-bar scored news of one symbol, row-aligned with its bars (built before the run by
 * `@strata/feeds`' `sentimentSeries`): the sum of the sentiment scores of the items first visible
 * at each bar, and their number. A bar without news has 0 and 0.
 */
export interface NewsColumns {
  readonly sum: Float64Array;
  readonly count: Float64Array;
}

/**
 * The `news_sentiment(window)` node: the mean score of the news items visible in the last
 * `window` bars (this one included), weighted by item — Σ sums / Σ counts over the window. NaN
 * until `window` bars have been seen (lookback window − 1) and whenever the window holds no item.
 * O(1) per bar, no allocation (two windowed sums; the counts are whole numbers, so their sum is
 * exact).
 */
export class NewsWindow {
  readonly #sum: WindowSum;
  readonly #count: WindowSum;
  readonly #x = new Float64Array(2);

  constructor(window: number) {
    this.#sum = new WindowSum(window);
    this.#count = new WindowSum(window);
  }

  /** Consumes one bar's (sum, count) from the news columns at `row`; returns the node's value. */
  update(news: NewsColumns, row: number): number {
    const x = this.#x;
    x[0] = news.sum[row]!;
    x[1] = news.count[row]!;
    const ready = this.#sum.push(x, 0);
    this.#count.push(x, 1);
    const c = this.#count.sum;
    return ready && c > 0 ? this.#sum.sum / c : Number.NaN;
  }
}
