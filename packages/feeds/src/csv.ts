/**
 * CSV bar adapter for the `etf` and `crypto` file layouts.
 *
 * Parsing is a hand-written loop rather than a CSV library: the layouts are plain numeric
 * CSV (no embedded commas), and measured on the 11 bundled ETF files (73k rows) a cold
 * `csv-parse/sync` pass alone takes ~215 ms against ~85 ms for this whole validated load —
 * the difference between meeting and missing the <100 ms budget (bench/load.mjs). Well-formed
 * rows take a regex fast path (takeWellFormedRows); every other row goes through exact
 * per-field parsers that locate the findings. Tests check both paths agree and cross-check
 * every field of the real files against csv-parse + Number().
 */
import { readFileSync } from 'node:fs';
import type { LoadBarsOptions, LoadBarsResult } from './bar-file.js';
import { FeedError } from './errors.js';
import { allocRaw, buildSeries, emptySeries, growRaw, IssueSink, type RawBars } from './internal/build.js';
import { matchHeader, resolveLoad } from './internal/options.js';
import { daysInMonth, fastDecimal, parseDate, parseDecimal, parseIsoUtc, rowRegex } from './internal/parse.js';

const NUMERIC_ETF = ['open', 'high', 'low', 'close', 'adj_close', 'volume'] as const;
const NUMERIC_PLAIN = ['open', 'high', 'low', 'close', 'volume'] as const;

function unquote(field: string): string {
  return field.length >= 2 && field.charCodeAt(0) === 34 && field.charCodeAt(field.length - 1) === 34 ? field.slice(1, -1) : field;
}

function splitLine(text: string, start: number, end: number): string[] {
  if (end > start && text.charCodeAt(end - 1) === 13 /* \r */) end--;
  const line = text.slice(start, end);
  const fields = line.split(',');
  if (line.includes('"')) {
    for (let i = 0; i < fields.length; i++) fields[i] = unquote(fields[i] as string);
  }
  return fields;
}

/**
 * Takes consecutive well-formed rows starting at `pos` (the start of line `lineNo`) into
 * `raw`, stopping at the first row the sticky `re` does not match or whose values do not
 * convert, or when `raw` is full. Returns the position after the last row taken.
 *
 * This is the hot path: one native regex call and small-integer conversions per row, no
 * per-character JS loop — what matters most before V8 has optimised the code, i.e. on the
 * first file a process loads. It is kept small so it is optimised early.
 */
function takeWellFormedRows(text: string, pos: number, lineNo: number, re: RegExp, raw: RawBars, capacity: number, intraday: boolean): number {
  const g = intraday ? 8 : 4; // regex group of the first numeric field
  const hasAdj = raw.adj !== null;
  const { ts, open, high, low, close, volume, line } = raw;
  const adj = raw.adj ?? open;
  let i = raw.n;
  while (i < capacity) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) break;
    const y = +(m[1] as string);
    const mo = +(m[2] as string);
    const d = +(m[3] as string);
    let t = y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && (d <= 28 || d <= daysInMonth(y, mo)) ? Date.UTC(y, mo - 1, d) : Number.NaN;
    if (intraday) {
      const hh = +(m[4] as string);
      const mi = +(m[5] as string);
      const ss = +(m[6] as string);
      const frac = m[7];
      t = hh > 23 || mi > 59 || ss > 59 ? Number.NaN : t + hh * 3_600_000 + mi * 60_000 + ss * 1000 + (frac === undefined ? 0 : +`${frac}00`.slice(0, 3));
    }
    if (t !== t) break; // an impossible date / time: the exact path reports it
    const o = fastDecimal(m[g] as string, m[g + 1]);
    const hi = fastDecimal(m[g + 2] as string, m[g + 3]);
    const lo = fastDecimal(m[g + 4] as string, m[g + 5]);
    const cl = fastDecimal(m[g + 6] as string, m[g + 7]);
    const a = hasAdj ? fastDecimal(m[g + 8] as string, m[g + 9]) : 0;
    const v = hasAdj ? fastDecimal(m[g + 10] as string, m[g + 11]) : fastDecimal(m[g + 8] as string, m[g + 9]);
    ts[i] = t;
    open[i] = o;
    high[i] = hi;
    low[i] = lo;
    close[i] = cl;
    if (hasAdj) adj[i] = a;
    volume[i] = v;
    line[i] = lineNo++;
    i++;
    pos = re.lastIndex + 1;
  }
  raw.n = i;
  return pos;
}

/**
 * Parses CSV text in a bar layout. `file` is only used to locate findings. Data problems
 * come back as issues (never thrown); a bad option throws `FeedError`.
 */
export function parseCsvBars(text: string, file: string, options: LoadBarsOptions): LoadBarsResult {
  const r = resolveLoad(options, file);
  const sink = new IssueSink(file, options.symbol);
  const empty = (): LoadBarsResult => ({ series: emptySeries(options.symbol, options.timeframe, file), issues: sink.sorted(), adjusted: false });

  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Line ends at the very end of the file are not rows (nor blank-line findings).
  let len = text.length;
  while (len > pos && (text.charCodeAt(len - 1) === 10 || text.charCodeAt(len - 1) === 13)) len--;
  let eol = text.indexOf('\n', pos);
  if (eol === -1) eol = len;
  const header = splitLine(text, pos, eol);
  if (header.length === 1 && header[0] === '') {
    sink.add('empty_file', 1, 'empty file: expected a header line and at least one row');
    return empty();
  }
  const h = matchHeader(options.layout, header, r.adjustWanted);
  if ('message' in h) {
    sink.add('header_mismatch', 1, h.message);
    return empty();
  }
  const adjust = (r.adjustWanted ?? (h.adj ? 'total_return' : 'none')) === 'total_return';
  const ncols = header.length;
  const numeric = h.adj ? NUMERIC_ETF : NUMERIC_PLAIN;
  const parseTs = options.layout === 'etf' ? parseDate : parseIsoUtc;
  const tsName = header[0] as string;
  const tsHint = options.layout === 'etf' ? 'YYYY-MM-DD' : 'ISO-8601 UTC like 2021-03-04T05:00:00Z';

  // Columns sized from a typical row length, doubled when full.
  let capacity = Math.ceil((len - eol) / 40) + 16;
  let raw = allocRaw(capacity, h.adj);
  const valueColumns = (x: RawBars): Float64Array[] => [x.open, x.high, x.low, x.close, ...(x.adj === null ? [] : [x.adj]), x.volume];
  let cols = valueColumns(raw);

  // Field boundaries of the current row (slow path): starts[c], ends[c] index into `src`,
  // which is `text` itself, or the re-joined unquoted row when the file uses quoting.
  const starts = new Int32Array(ncols);
  const ends = new Int32Array(ncols);
  const quoted = text.includes('"');
  const numCount = numeric.length;

  const intraday = options.layout !== 'etf';
  const fast = quoted ? null : rowRegex(intraday, numCount);

  let lineNo = 1;
  pos = eol + 1;
  while (pos < len) {
    lineNo++;
    if (raw.n === capacity) {
      capacity *= 2;
      raw = growRaw(raw, capacity);
      cols = valueColumns(raw);
    }
    // Fast path: runs of well-formed rows (see takeWellFormedRows). A row it does not take
    // goes through the exact per-field path below, which reports findings.
    if (fast !== null) {
      const before = raw.n;
      pos = takeWellFormedRows(text, pos, lineNo, fast, raw, capacity, intraday);
      if (raw.n > before) {
        lineNo += raw.n - before - 1;
        continue;
      }
    }
    let end = text.indexOf('\n', pos);
    if (end === -1 || end > len) end = len;
    const next = end + 1;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13 /* \r */) stop--;
    if (stop === pos) {
      sink.add('blank_line', lineNo, 'blank line (skipped)');
      pos = next;
      continue;
    }
    let src = text;
    let nf = 0;
    if (quoted) {
      const f = splitLine(text, pos, stop);
      src = f.join(',');
      nf = f.length;
      let p = 0;
      for (let c = 0; c < f.length && c < ncols; c++) {
        starts[c] = p;
        p += (f[c] as string).length;
        ends[c] = p;
        p++;
      }
    } else {
      let p = pos;
      while (true) {
        const comma = text.indexOf(',', p);
        const fe = comma === -1 || comma > stop ? stop : comma;
        if (nf < ncols) {
          starts[nf] = p;
          ends[nf] = fe;
        }
        nf++;
        if (fe === stop) break;
        p = fe + 1;
      }
    }
    pos = next;
    const i = raw.n++;
    raw.line[i] = lineNo;
    if (nf !== ncols) {
      // Keep the row on the time axis when its timestamp reads, so it causes no gap finding.
      sink.add('column_count', lineNo, `expected ${ncols} fields (${header.join(',')}), got ${nf}`);
      raw.ts[i] = parseTs(src, starts[0] as number, ends[0] as number);
      for (let c = 0; c < numCount; c++) (cols[c] as Float64Array)[i] = Number.NaN;
      continue;
    }
    const ts0 = starts[0] as number;
    const ts1 = ends[0] as number;
    const t = parseTs(src, ts0, ts1);
    if (Number.isNaN(t)) {
      if (ts0 === ts1) sink.add('missing_value', lineNo, `${tsName} is empty`, tsName);
      else sink.add('bad_timestamp', lineNo, `malformed ${tsName} "${src.slice(ts0, ts1)}": expected ${tsHint}`, tsName);
    }
    raw.ts[i] = t;
    for (let c = 0; c < numCount; c++) {
      const a = starts[c + 1] as number;
      const b = ends[c + 1] as number;
      const v = parseDecimal(src, a, b);
      if (Number.isNaN(v)) {
        const name = numeric[c] as string;
        if (a === b) sink.add('missing_value', lineNo, `${name} is empty`, name);
        else sink.add('non_numeric', lineNo, `${name} "${src.slice(a, b)}" is not a finite decimal number`, name);
      }
      (cols[c] as Float64Array)[i] = v;
    }
  }
  if (raw.n === 0) {
    sink.add('empty_file', 1, 'no data rows after the header');
    return empty();
  }
  const series = buildSeries(raw, { ...r, adjust }, sink);
  return { series, issues: sink.sorted(), adjusted: adjust };
}

/** Reads and parses a CSV bar file. A missing / unreadable file throws `FeedError('io_error')`. */
export function loadCsvBars(file: string, options: LoadBarsOptions): LoadBarsResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FeedError('io_error', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  return parseCsvBars(text, file, options);
}
