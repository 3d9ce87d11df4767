/**
 * The validation core shared by every bar adapter: raw parsed columns in file order →
 * a validated, optionally adjusted BarSeries plus located issues.
 */
import type { TradingCalendar } from '../calendar.js';
import { FEED_ISSUE_SEVERITY, type FeedIssueCode } from '../issues.js';
import { formatTs } from '../timeframe.js';
import type { BarSeries, FeedIssue } from '../types.js';

/** Parsed columns in file order. NaN marks a value whose parse failure is already reported. */
export interface RawBars {
  n: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly adj: Float64Array | null;
  readonly volume: Float64Array;
  readonly line: Int32Array;
}

/** A copy of `raw` with room for `capacity` rows. */
export function growRaw(raw: RawBars, capacity: number): RawBars {
  const grow = <T extends Float64Array | Int32Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(capacity);
    b.set(a.subarray(0, raw.n));
    return b;
  };
  return {
    n: raw.n,
    ts: grow(raw.ts),
    open: grow(raw.open),
    high: grow(raw.high),
    low: grow(raw.low),
    close: grow(raw.close),
    adj: raw.adj === null ? null : grow(raw.adj),
    volume: grow(raw.volume),
    line: grow(raw.line),
  };
}

export function allocRaw(capacity: number, withAdj: boolean): RawBars {
  return {
    n: 0,
    ts: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    adj: withAdj ? new Float64Array(capacity) : null,
    volume: new Float64Array(capacity),
    line: new Int32Array(capacity),
  };
}

export interface BuildContext {
  readonly file: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly stepMs: number;
  readonly calendar: TradingCalendar;
  /** Multiply O/H/L by adj/close and take close = adj (requires `raw.adj`). */
  readonly adjust: boolean;
  /** Timestamps are dates (daily layout): format them as `YYYY-MM-DD` in messages. */
  readonly dateOnly: boolean;
}

/** Collects issues with the file / symbol filled in. */
export class IssueSink {
  readonly issues: FeedIssue[] = [];
  constructor(
    readonly file: string,
    readonly symbol: string,
  ) {}

  add(code: FeedIssueCode, line: number, message: string, column?: string): void {
    const base = { severity: FEED_ISSUE_SEVERITY[code], code, message, file: this.file, line, symbol: this.symbol };
    this.issues.push(column === undefined ? base : { ...base, column });
  }

  /** Issues in line order (stable: same-line findings keep the order they were found in). */
  sorted(): FeedIssue[] {
    return this.issues.map((issue, k) => ({ issue, k })).sort((a, b) => a.issue.line - b.issue.line || a.k - b.k).map((x) => x.issue);
  }
}

const PRICE_COLUMNS = ['open', 'high', 'low', 'close'] as const;

export function emptySeries(symbol: string, timeframe: string, file: string): BarSeries {
  const z = new Float64Array(0);
  return { symbol, timeframe, ts: z, open: z, high: z, low: z, close: z, volume: z, length: 0, file, line: new Int32Array(0) };
}

interface OutColumns {
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly line: Int32Array;
}

/** Writes one accepted row at index k, applying the total-return adjustment when asked. */
function put(out: OutColumns, k: number, t: number, o: number, h: number, l: number, c: number, a: number, v: number, ln: number, adjust: boolean): void {
  out.ts[k] = t;
  if (adjust) {
    // Total-return adjustment: close := adj_close exactly, so close[j]/close[i] is the
    // adjusted-close return bit for bit; O/H/L scale by the same factor. Multiplication by
    // one positive factor preserves O/H/L order; only close (taken verbatim) can land an ulp
    // outside the scaled [low, high], so the range is widened to contain it.
    const f = a / c;
    const hh = h * f;
    const ll = l * f;
    out.open[k] = o * f;
    out.high[k] = a > hh ? a : hh;
    out.low[k] = a < ll ? a : ll;
    out.close[k] = a;
  } else {
    out.open[k] = o;
    out.high[k] = h;
    out.low[k] = l;
    out.close[k] = c;
  }
  out.volume[k] = v;
  out.line[k] = ln;
}

/**
 * Takes the run of ordinary rows starting at raw index `i` (output index `k`): each the next
 * bar on the timeframe grid after the previous one, a calendar session, with positive,
 * consistent prices and positive volume. Comparisons with NaN are false, so a NaN never
 * passes. Returns the index of the first row it did not take; every such row goes through
 * the full checks in buildSeries, which report findings. Small on purpose (optimised early).
 */
function takeOrdinaryRows(raw: RawBars, i: number, k: number, lastTs: number, stepMs: number, calendar: TradingCalendar, adjust: boolean, out: OutColumns): number {
  const { ts, open, high, low, close, volume, line, n } = raw;
  const adj = raw.adj;
  while (i < n) {
    const t = ts[i] as number;
    const o = open[i] as number;
    const h = high[i] as number;
    const l = low[i] as number;
    const c = close[i] as number;
    const v = volume[i] as number;
    const a = adj === null ? 1 : (adj[i] as number);
    if (!(t - lastTs === stepMs && l > 0 && l <= o && o <= h && l <= c && c <= h && v > 0 && a > 0 && calendar.isSession(t, stepMs))) break;
    put(out, k, t, o, h, l, c, a, v, line[i] as number, adjust);
    lastTs = t;
    i++;
    k++;
  }
  return i;
}

export function buildSeries(raw: RawBars, ctx: BuildContext, sink: IssueSink): BarSeries {
  const n = raw.n;
  const { stepMs, calendar } = ctx;
  const fmt = (t: number): string => formatTs(t, ctx.dateOnly);
  const unit = ctx.dateOnly ? 'trading day' : `${ctx.timeframe} bar`;
  const tsCol = ctx.dateOnly ? 'date' : 'ts';
  const inTs = raw.ts;
  const inOpen = raw.open;
  const inHigh = raw.high;
  const inLow = raw.low;
  const inClose = raw.close;
  const inVolume = raw.volume;
  const inLine = raw.line;
  const inAdj = raw.adj;
  const adjust = ctx.adjust && inAdj !== null;
  const ts = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  const line = new Int32Array(n);
  let k = 0;
  let lastTs = Number.NaN;
  let lastLine = 0;

  const out: OutColumns = { ts, open, high, low, close, volume, line };
  for (let i = 0; i < n; i++) {
    // Runs of ordinary rows go through the small, early-optimised takeOrdinaryRows.
    if (!Number.isNaN(lastTs)) {
      const end = takeOrdinaryRows(raw, i, k, lastTs, stepMs, calendar, adjust, out);
      if (end > i) {
        k += end - i;
        i = end - 1;
        lastTs = inTs[i] as number;
        lastLine = inLine[i] as number;
        continue;
      }
    }
    const ln = inLine[i] as number;
    const t = inTs[i] as number;
    const o = inOpen[i] as number;
    const h = inHigh[i] as number;
    const l = inLow[i] as number;
    const c = inClose[i] as number;
    const v = inVolume[i] as number;
    const a = inAdj === null ? 1 : (inAdj[i] as number);

    {
      let keep = true;
      // --- time axis ---------------------------------------------------------------------
      if (Number.isNaN(t)) {
        keep = false; // bad_timestamp / missing_value already reported by the parser
      } else {
        if (t % stepMs !== 0) {
          sink.add('misaligned_ts', ln, `${fmt(t)} is not on a ${ctx.timeframe} boundary (bars open on multiples of ${ctx.timeframe} since 1970-01-01T00:00:00Z)`, tsCol);
          keep = false;
        }
        if (!Number.isNaN(lastTs) && t < lastTs) {
          sink.add('non_monotonic', ln, `timestamp ${fmt(t)} is earlier than ${fmt(lastTs)} on line ${lastLine}; rows must be in ascending time order`, tsCol);
          keep = false;
        } else if (t === lastTs) {
          sink.add('duplicate_ts', ln, `timestamp ${fmt(t)} repeats line ${lastLine}; each bar must appear once`, tsCol);
          keep = false;
        } else {
          if (!Number.isNaN(lastTs) && t - lastTs !== stepMs) {
            const gap = calendar.sessionsBetween(lastTs, t, stepMs, 5);
            if (gap.count > 0) {
              const list = gap.sample.map(fmt).join(', ') + (gap.count > gap.sample.length ? ', …' : '');
              sink.add('gap', ln, `${gap.count} missing ${unit}${gap.count === 1 ? '' : 's'} (${calendar.id} calendar) between ${fmt(lastTs)} (line ${lastLine}) and ${fmt(t)}: ${list}`, tsCol);
            }
          }
          if (t % stepMs === 0 && !calendar.isSession(t, stepMs)) {
            sink.add('off_calendar', ln, `${fmt(t)} is not a session of the ${calendar.id} calendar (${calendar.description})`, tsCol);
          }
          lastTs = t;
          lastLine = ln;
        }
      }

      // --- values ------------------------------------------------------------------------
      if (Number.isNaN(o) || Number.isNaN(h) || Number.isNaN(l) || Number.isNaN(c) || Number.isNaN(v) || Number.isNaN(a)) {
        keep = false; // missing_value / non_numeric already reported by the parser
      } else {
        let pricesOk = true;
        if (o <= 0 || h <= 0 || l <= 0 || c <= 0) {
          [o, h, l, c].forEach((val, p) => {
            if (val > 0) return;
            const col = PRICE_COLUMNS[p] as string;
            sink.add('non_positive_price', ln, `${col} is ${String(val)}; prices must be > 0`, col);
          });
          pricesOk = false;
        }
        if (inAdj !== null && a <= 0) {
          sink.add('non_positive_price', ln, `adj_close is ${String(a)}; prices must be > 0`, 'adj_close');
          pricesOk = false;
        }
        if (pricesOk) {
          if (h < l) {
            sink.add('ohlc_inconsistent', ln, `high ${h} is below low ${l}`, 'high');
            pricesOk = false;
          } else {
            if (o < l || o > h) {
              sink.add('ohlc_inconsistent', ln, `open ${o} is outside [low ${l}, high ${h}]`, 'open');
              pricesOk = false;
            }
            if (c < l || c > h) {
              sink.add('ohlc_inconsistent', ln, `close ${c} is outside [low ${l}, high ${h}]`, 'close');
              pricesOk = false;
            }
          }
        }
        if (v < 0) {
          sink.add('negative_volume', ln, `volume is ${v}; volume must be >= 0`, 'volume');
          keep = false;
        } else if (v === 0 && pricesOk) {
          sink.add('zero_volume', ln, `volume is 0 (no trades${Number.isNaN(t) ? '' : ` on ${fmt(t)}`})`, 'volume');
        }
        if (!pricesOk) keep = false;
      }
      if (!keep) continue;
    }

    put(out, k, t, o, h, l, c, a, v, ln, adjust);
    k++;
  }

  const cut = <T extends Float64Array | Int32Array>(x: T): T => (k === n ? x : (x.slice(0, k) as T));
  return {
    symbol: ctx.symbol,
    timeframe: ctx.timeframe,
    ts: cut(ts),
    open: cut(open),
    high: cut(high),
    low: cut(low),
    close: cut(close),
    volume: cut(volume),
    length: k,
    file: ctx.file,
    line: cut(line),
  };
}
