/**
 * @strata/report — self-contained HTML backtest reports.
 *
 * `renderReport(model)` returns one HTML document (inline CSS, inlined Lightweight Charts,
 * data embedded as JSON, no network requests); the helpers build model pieces from raw
 * backtest results.
 */
export { renderReport, REPORT_DATA_SCHEMA, DEFAULT_MAX_TRADES } from './render.js';
export { seriesFromColumns, msToSeconds, tradeMarkers, perSymbolRows } from './helpers.js';
export { ReportError, ReportErrorCode } from './errors.js';
export type {
  Candle,
  MonthlyRow,
  PerSymbolRow,
  RenderOptions,
  ReportBenchmark,
  ReportDrawdown,
  ReportMeta,
  ReportMetrics,
  ReportModel,
  ReportPriceChart,
  ReportTrade,
  TimeValue,
  TradeMarker,
} from './model.js';
