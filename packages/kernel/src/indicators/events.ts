import type { IndicatorFactory, StreamingIndicator } from './types.js';

/**
 * A cross of a over b: true (1) on the bar where a goes from ≤ b to > b (`above`), or from ≥ b to
 * < b (`below`); false (0) otherwise. The comparison is with the previous bar on which both inputs
 * were known. Inputs a, b. Lookback 1.
 */
export class Cross implements StreamingIndicator {
  readonly outputs = 1;
  private readonly above: boolean;
  private started = false;
  private prevA = 0;
  private prevB = 0;

  constructor(direction: 'above' | 'below') {
    this.above = direction === 'above';
  }

  update(x: Float64Array, _ts: number, out: Float64Array, o: number): void {
    const a = x[0]!;
    const b = x[1]!;
    if (a !== a || b !== b) {
      out[o] = Number.NaN;
      return;
    }
    if (!this.started) {
      this.started = true;
      out[o] = Number.NaN;
    } else if (this.above) {
      out[o] = this.prevA <= this.prevB && a > b ? 1 : 0;
    } else {
      out[o] = this.prevA >= this.prevB && a < b ? 1 : 0;
    }
    this.prevA = a;
    this.prevB = b;
  }
}

export const events: Readonly<Record<string, IndicatorFactory>> = {
  crosses_above: () => new Cross('above'),
  crosses_below: () => new Cross('below'),
};
