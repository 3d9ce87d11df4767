import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Daily SPY bars (examples/data/etf/SPY.csv; see examples/data/PROVENANCE.md), as columns. `ts` is the date at 00:00 UTC. */
export interface Bars {
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export const SPY_CSV = fileURLToPath(new URL('../../../../examples/data/etf/SPY.csv', import.meta.url));

export function loadSpy(path = SPY_CSV): Bars {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${path}: no column ${name}`);
    return i;
  };
  const [iDate, iOpen, iHigh, iLow, iClose, iVol] = ['date', 'open', 'high', 'low', 'close', 'volume'].map(col) as [number, number, number, number, number, number];
  const n = lines.length - 1;
  const bars = {
    length: n,
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let t = 0; t < n; t++) {
    const f = lines[t + 1]!.split(',');
    bars.ts[t] = Date.parse(f[iDate]!);
    bars.open[t] = Number(f[iOpen]);
    bars.high[t] = Number(f[iHigh]);
    bars.low[t] = Number(f[iLow]);
    bars.close[t] = Number(f[iClose]);
    bars.volume[t] = Number(f[iVol]);
    if (!Number.isFinite(bars.ts[t]!) || !Number.isFinite(bars.close[t]!)) throw new Error(`${path}:${t + 2}: unparsable row`);
  }
  return bars;
}
