import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReportError } from '../errors.js';

/** The standalone production build: an IIFE that defines `window.LightweightCharts`. */
const STANDALONE = 'dist/lightweight-charts.standalone.production.js';

export interface ChartLibrary {
  readonly version: string;
  readonly source: string;
}

let cached: ChartLibrary | undefined;

/**
 * Read TradingView Lightweight Charts' standalone build from `node_modules`. The package
 * only exports `.` and `./package.json`, so the file is located next to the resolved
 * `package.json`.
 */
export function loadChartLibrary(): ChartLibrary {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let pkgPath: string;
  try {
    pkgPath = require.resolve('lightweight-charts/package.json');
  } catch (cause) {
    throw new ReportError('CHART_LIBRARY_MISSING', 'cannot resolve the npm package "lightweight-charts"; run `npm install` at the repository root', { cause });
  }
  try {
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version?: unknown };
    const source = readFileSync(join(dirname(pkgPath), STANDALONE), 'utf8');
    cached = { version: typeof pkg.version === 'string' ? pkg.version : 'unknown', source };
    return cached;
  } catch (cause) {
    throw new ReportError('CHART_LIBRARY_MISSING', `cannot read ${STANDALONE} of lightweight-charts (${pkgPath}); reinstall the package`, { cause });
  }
}
