/**
 * Parquet bar adapter, read through DuckDB (`@duckdb/node-api`). The file must have the
 * same columns, in the same order, as the CSV layout (`LAYOUT_COLUMNS`). Column types may
 * be native (DATE / TIMESTAMP[TZ] for the time column, any numeric type for values) or
 * VARCHAR holding the CSV text forms; every value goes through the same validation as the
 * CSV adapter. Parquet has no header line, so `line` / `FeedIssue.line` is the 1-based
 * row number.
 */
import { existsSync } from 'node:fs';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { LoadBarsOptions, LoadBarsResult } from './bar-file.js';
import { FeedError } from './errors.js';
import { allocRaw, buildSeries, emptySeries, IssueSink } from './internal/build.js';
import { matchHeader, resolveLoad } from './internal/options.js';
import { parseDate, parseDecimal, parseIsoUtc } from './internal/parse.js';

let instance: Promise<DuckDBInstance> | undefined;

/**
 * One in-memory DuckDB per process, created on first use. The native module is imported
 * lazily, so CSV-only users never load it.
 */
function duck(): Promise<DuckDBInstance> {
  instance ??= import('@duckdb/node-api').then(({ DuckDBInstance: Duck }) => Duck.create(':memory:', { threads: '2' })).catch((e: unknown) => {
    instance = undefined;
    throw e;
  });
  return instance;
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;

const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/;

/** Reads a Parquet bar file. Data problems come back as issues; I/O problems throw `FeedError('io_error')`. */
export async function loadParquetBars(file: string, options: LoadBarsOptions): Promise<LoadBarsResult> {
  const r = resolveLoad(options, file);
  const sink = new IssueSink(file, options.symbol);
  const empty = (): LoadBarsResult => ({ series: emptySeries(options.symbol, options.timeframe, file), issues: sink.sorted(), adjusted: false });
  if (!existsSync(file)) throw new FeedError('io_error', `cannot read ${file}: no such file`);

  const db = await duck();
  const con = await db.connect();
  try {
    const src = `read_parquet(${sqlString(file)})`;
    const described = await con.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
    const schema = described.getRowObjectsJS().map((row) => ({ name: String(row['column_name']), type: String(row['column_type']) }));
    const names = schema.map((c) => c.name);
    const h = matchHeader(options.layout, names, r.adjustWanted);
    if ('message' in h) {
      sink.add('header_mismatch', 1, h.message);
      return empty();
    }
    const adjust = (r.adjustWanted ?? (h.adj ? 'total_return' : 'none')) === 'total_return';

    // Time column → ms (DOUBLE) when native, text otherwise; values → DOUBLE when numeric.
    const exprs: string[] = [];
    const kinds: ('num' | 'text')[] = [];
    for (const [idx, col] of schema.entries()) {
      const id = ident(col.name);
      let expr: string | undefined;
      let kind: 'num' | 'text' = 'num';
      if (col.type === 'VARCHAR') [expr, kind] = [id, 'text'];
      else if (idx > 0 && NUMERIC_TYPES.test(col.type)) expr = `CAST(${id} AS DOUBLE)`;
      else if (idx === 0 && col.type === 'DATE') expr = `CAST(epoch_ms(CAST(${id} AS TIMESTAMP)) AS DOUBLE)`;
      else if (idx === 0 && col.type === 'TIMESTAMP WITH TIME ZONE') expr = `CAST(epoch_ms(${id}) AS DOUBLE)`;
      else if (idx === 0 && col.type.startsWith('TIMESTAMP')) expr = `CAST(epoch_ms(CAST(${id} AS TIMESTAMP)) AS DOUBLE)`;
      if (expr === undefined) {
        const want = idx === 0 ? 'DATE, TIMESTAMP or VARCHAR' : 'a numeric type or VARCHAR';
        sink.add('header_mismatch', 1, `column ${col.name} has type ${col.type}; expected ${want}`, col.name);
        return empty();
      }
      exprs.push(expr);
      kinds.push(kind);
    }
    const reader = await con.runAndReadAll(`SELECT ${exprs.join(', ')} FROM ${src}`);
    const columns = reader.getColumnsJS();
    const n = reader.currentRowCount;
    if (n === 0) {
      sink.add('empty_file', 1, 'no rows');
      return empty();
    }
    const raw = allocRaw(n, h.adj);
    const targets = [raw.ts, raw.open, raw.high, raw.low, raw.close, ...(raw.adj === null ? [] : [raw.adj]), raw.volume];
    const parseTs = options.layout === 'etf' ? parseDate : parseIsoUtc;
    for (let c = 0; c < targets.length; c++) {
      const values = columns[c] ?? [];
      const out = targets[c] as Float64Array;
      const name = names[c] as string;
      const isText = kinds[c] === 'text';
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let x: number;
        if (v === null || v === undefined || v === '') {
          sink.add('missing_value', i + 1, `${name} is ${v === '' ? 'empty' : 'NULL'}`, name);
          x = Number.NaN;
        } else if (isText) {
          x = c === 0 ? parseTs(String(v)) : parseDecimal(String(v));
          if (Number.isNaN(x)) {
            if (c === 0) sink.add('bad_timestamp', i + 1, `malformed ${name} "${String(v)}": expected ${options.layout === 'etf' ? 'YYYY-MM-DD' : 'ISO-8601 UTC like 2021-03-04T05:00:00Z'}`, name);
            else sink.add('non_numeric', i + 1, `${name} "${String(v)}" is not a finite decimal number`, name);
          }
        } else {
          x = Number(v);
          if (!Number.isFinite(x)) {
            sink.add(c === 0 ? 'bad_timestamp' : 'non_numeric', i + 1, `${name} is ${String(v)}`, name);
            x = Number.NaN;
          } else x += 0;
        }
        out[i] = x;
      }
    }
    for (let i = 0; i < n; i++) raw.line[i] = i + 1;
    raw.n = n;
    const series = buildSeries(raw, { ...r, adjust }, sink);
    return { series, issues: sink.sorted(), adjusted: adjust };
  } catch (cause) {
    if (cause instanceof FeedError) throw cause;
    throw new FeedError('io_error', `cannot read Parquet file ${file}: ${(cause as Error).message}`, { cause });
  } finally {
    con.closeSync();
  }
}
