/**
 * Content identity of loaded market data: `sha256:<hex>` over a canonical binary form of
 * the series — never over file paths, line numbers or load options — so two runs that saw
 * the same numbers report the same hash wherever the files lived.
 *
 * Canonical form (version tag `strata.bars.v1`):
 *   "strata.bars.v1\n"
 *   u32le count of series
 *   per series, ordered by symbol then timeframe (UTF-16 code-unit order):
 *     u32le byte length + UTF-8 symbol, u32le byte length + UTF-8 timeframe,
 *     u32le row count n,
 *     ts[n], open[n], high[n], low[n], close[n], volume[n] as IEEE-754 float64 little-endian
 *   (-0 is written as +0 and every NaN as the canonical quiet NaN).
 */
import { createHash, type Hash } from 'node:crypto';
import type { BarSeries } from './types.js';

const TAG = 'strata.bars.v1\n';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function str(h: Hash, s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  h.update(u32(bytes.length));
  h.update(bytes);
}

function column(h: Hash, col: Float64Array, n: number): void {
  const view = col.subarray(0, n);
  let canonical = LITTLE_ENDIAN;
  if (canonical) {
    for (let i = 0; i < n; i++) {
      const v = view[i] as number;
      if (v === 0 ? Object.is(v, -0) : v !== v) {
        canonical = false;
        break;
      }
    }
  }
  if (canonical) {
    h.update(new Uint8Array(view.buffer, view.byteOffset, n * 8));
    return;
  }
  const out = new Uint8Array(n * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = view[i] as number;
    dv.setFloat64(i * 8, v === 0 ? 0 : v !== v ? Number.NaN : v, true);
  }
  h.update(out);
}

/** `sha256:<hex>` of the series (a Map's keys are ignored: each series carries its symbol). */
export function datasetHash(series: ReadonlyMap<string, BarSeries> | Iterable<BarSeries>): string {
  const list = [...(series instanceof Map ? (series as ReadonlyMap<string, BarSeries>).values() : (series as Iterable<BarSeries>))];
  list.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.timeframe < b.timeframe ? -1 : a.timeframe > b.timeframe ? 1 : 0));
  const h = createHash('sha256');
  h.update(TAG);
  h.update(u32(list.length));
  for (const s of list) {
    str(h, s.symbol);
    str(h, s.timeframe);
    h.update(u32(s.length));
    for (const col of [s.ts, s.open, s.high, s.low, s.close, s.volume]) column(h, col, s.length);
  }
  return `sha256:${h.digest('hex')}`;
}
