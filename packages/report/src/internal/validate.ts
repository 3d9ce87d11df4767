import { ReportError } from '../errors.js';
import type { ReportModel, TimeValue } from '../model.js';

/** Chart times above this are almost certainly ms, not seconds (1e11 s is the year 5138). */
const MAX_SECONDS = 1e11;

function fail(message: string): never {
  throw new ReportError('INVALID_MODEL', message);
}

function checkTimes(where: string, times: readonly number[], ordered: boolean): void {
  for (let i = 0; i < times.length; i++) {
    const t = times[i] ?? Number.NaN;
    if (!Number.isFinite(t)) fail(`${where}[${i}].time is ${t}; chart times must be finite unix seconds`);
    if (Math.abs(t) > MAX_SECONDS) {
      fail(`${where}[${i}].time ${t} looks like milliseconds; chart times are unix seconds (seriesFromColumns converts ms columns)`);
    }
    const prev = times[i - 1];
    if (ordered && prev !== undefined && t <= prev) {
      fail(`${where}[${i}].time ${t} is not after ${where}[${i - 1}].time ${prev}; times must be strictly ascending`);
    }
  }
}

function checkSeries(where: string, series: readonly TimeValue[]): void {
  checkTimes(where, series.map((p) => p.time), true);
  series.forEach((p, i) => {
    if (!Number.isFinite(p.value)) fail(`${where}[${i}].value is ${p.value}; values must be finite`);
  });
}

/** Throws `ReportError('INVALID_MODEL')` with the first broken invariant; the charts would otherwise fail in the browser. */
export function validateModel(model: ReportModel): void {
  checkSeries('equity', model.equity);
  checkSeries('drawdown', model.drawdown);
  if (model.benchmark) {
    checkSeries('benchmark.equity', model.benchmark.equity);
    checkSeries('benchmark.drawdown', model.benchmark.drawdown);
  }
  const price = model.price;
  if (price) {
    if (price.kind === 'candles') {
      checkTimes('price.candles', price.candles.map((c) => c.time), true);
      price.candles.forEach((c, i) => {
        for (const k of ['open', 'high', 'low', 'close'] as const) {
          if (!Number.isFinite(c[k])) fail(`price.candles[${i}].${k} is ${c[k]}; values must be finite`);
        }
      });
    } else {
      checkSeries('price.line', price.line);
    }
    checkTimes('price.markers', price.markers.map((m) => m.time), false); // sorted by the renderer
  }
  model.monthly.forEach((row, i) => {
    if (row.months.length !== 12) fail(`monthly[${i}] (${row.year}) has ${row.months.length} months; 12 are required`);
  });
}
