/// <reference lib="dom" />
/**
 * The report in a real browser: Debian's Chromium driven by playwright-core.
 *
 * Renders a report of real SPY data, opens the file, and checks that it loads with no
 * console errors and no network requests, draws its charts, shows the expected numbers,
 * and looks like something (a full-page screenshot that is neither tiny nor one colour).
 *
 * Chromium is required, not optional: when /usr/bin/chromium is missing the test fails
 * and says how to install it (packages/report/scripts/ensure-chromium.sh).
 * Set STRATA_KEEP_REPORT=1 to keep the HTML and the screenshot (the path is printed).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../../kernel/src/metrics/index.js';
import { renderReport, seriesFromColumns } from '../src/index.js';
import { buildSpyModel } from './spy-model.js';

const CHROMIUM = process.env['STRATA_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const MAX_TRADES = 10;

/** Independent of the renderer's formatter: fraction → "1,234.56%". */
function expectedPct(x: number): string {
  const [i = '', f = ''] = (x * 100).toFixed(2).split('.');
  return `${i.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${f}%`;
}

describe('HTML report in Chromium (real SPY data)', () => {
  const { model, metrics, benchMetrics } = buildSpyModel();
  const dir = mkdtempSync(join(tmpdir(), 'strata-report-'));
  const htmlPath = join(dir, 'report.html');
  const pngPath = join(dir, 'report.png');

  afterAll(() => {
    if (process.env['STRATA_KEEP_REPORT']) console.log(`report kept: ${htmlPath}\nscreenshot: ${pngPath}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  it('renders, loads offline without errors, draws charts and shows the numbers', async () => {
    const browser = await launchChromium();
    try {
      await checkReport(browser);
    } finally {
      await browser.close();
    }
  }, 90_000);

  it('a minimal report (no benchmark, no price chart, no trades, flat equity) loads without errors', async () => {
    const t = [0, 1, 2].map((d) => Date.UTC(2024, 0, 2 + d));
    const flat = computeMetrics({
      curve: { ts: Float64Array.from(t), equity: Float64Array.from([1000, 1000, 1000]), cash: Float64Array.from([1000, 1000, 1000]), exposure: new Float64Array(3), length: 3 },
      trades: [],
      fills: [],
      periodsPerYear: 252,
    });
    const html = renderReport({
      meta: { strategyName: 'flat', artifactHash: 'sha256:00', datasetHash: 'sha256:11', engineVersion: '0.1.0' },
      metrics: flat,
      benchmark: null,
      equity: seriesFromColumns(t, [1000, 1000, 1000]),
      drawdown: seriesFromColumns(t, [0, 0, 0]),
      price: null,
      perSymbol: [],
      monthly: [{ year: 2024, months: [0, null, null, null, null, null, null, null, null, null, null, null], total: 0 }],
      trades: [],
    });
    const path = join(dir, 'minimal.html');
    writeFileSync(path, html);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
      await page.waitForFunction(() => document.body.getAttribute('data-ready') !== null, undefined, { timeout: 20_000 });
      expect(await page.locator('body').getAttribute('data-ready')).toBe('1');
      expect(errors).toEqual([]);
      expect(await page.locator('#summary tr[data-metric="sharpe"] td.strategy').textContent()).toBe('—');
      expect(await page.locator('#chart-equity canvas').count()).toBeGreaterThan(0);
      expect(await page.locator('#trades .empty').textContent()).toBe('No trades.');
    } finally {
      await browser.close();
    }
  }, 60_000);

  async function checkReport(browser: Browser): Promise<void> {
    const html = renderReport(model, { maxTrades: MAX_TRADES });
    expect(renderReport(model, { maxTrades: MAX_TRADES })).toBe(html); // deterministic
    writeFileSync(htmlPath, html);
    const url = pathToFileURL(htmlPath).href;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const failed: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText ?? '?'}`));

    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.getAttribute('data-ready') !== null, undefined, { timeout: 20_000 });

    expect(await page.evaluate(() => document.body.getAttribute('data-ready')), 'charts report ready, not error').toBe('1');
    expect(consoleErrors, 'no console errors').toEqual([]);
    expect(failed, 'no failed requests').toEqual([]);
    expect(requests, 'the page requests nothing but itself').toEqual([url]);

    // Every chart drew at least one canvas of non-zero size.
    const canvases = await page.evaluate(() =>
      ['chart-equity', 'chart-drawdown', 'chart-price'].map((id) => {
        const el = document.getElementById(id);
        const sizes = Array.from(el?.querySelectorAll('canvas') ?? []).map((c) => {
          const r = c.getBoundingClientRect();
          return { w: c.width, h: c.height, cw: r.width, ch: r.height };
        });
        return { id, count: sizes.length, largest: sizes.reduce((a, s) => Math.max(a, s.w * s.h), 0), boxes: sizes.filter((s) => s.cw > 0 && s.ch > 0).length };
      }),
    );
    for (const c of canvases) {
      expect(c.count, `${c.id} has canvases`).toBeGreaterThan(0);
      expect(c.boxes, `${c.id} has visible canvases`).toBeGreaterThan(0);
      expect(c.largest, `${c.id} has a canvas with pixels`).toBeGreaterThan(100 * 100);
    }

    // Summary table: strategy and benchmark total returns.
    const cell = async (sel: string) => (await page.locator(sel).textContent())?.trim();
    expect(await cell('#summary tr[data-metric="totalReturn"] td.strategy')).toBe(expectedPct(metrics.totalReturn));
    expect(await cell('#summary tr[data-metric="totalReturn"] td.benchmark')).toBe('482.80%'); // 580.989136 / 99.688606 - 1
    expect(benchMetrics.totalReturn).toBeCloseTo(4.828039525399724, 12);
    expect(await cell('#summary tr[data-metric="maxDrawdownTrough"] td.benchmark')).toBe('2009-03-09');
    expect(await cell('.kpi[data-kpi="totalReturn"] .value')).toBe(expectedPct(metrics.totalReturn));

    // Heatmap: one cell per month 2007-01 .. 2024-12, and 18 yearly totals.
    const months = await page.locator('#monthly td[data-month]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-month')));
    const expectedMonths = Array.from({ length: 18 * 12 }, (_, k) => `${2007 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`);
    expect(months).toEqual(expectedMonths);
    expect(await page.locator('#monthly td[data-year]').count()).toBe(18);
    const firstYear = model.monthly[0];
    expect(await cell('#monthly td[data-year="2007"]')).toBe(expectedPct(firstYear?.total ?? Number.NaN));

    // Trades table truncated with a note; markers passed to the price chart.
    expect(await page.locator('#trades tbody tr').count()).toBe(MAX_TRADES);
    expect(await cell('#trades-truncated')).toContain(`first ${MAX_TRADES} of ${model.trades.length} trades`);
    expect(await page.locator('#chart-price').getAttribute('data-markers')).toBe(String(model.trades.length * 2));

    // The embedded JSON parses back to the model's numbers.
    const embedded = await page.evaluate(() => JSON.parse(document.getElementById('strata-report-data')?.textContent ?? 'null') as { model: { metrics: { totalReturn: number } } });
    expect(embedded.model.metrics.totalReturn).toBe(metrics.totalReturn);

    // A full-page screenshot that is not trivial.
    await page.screenshot({ path: pngPath, fullPage: true });
    const bytes = statSync(pngPath).size;
    expect(bytes, 'screenshot size').toBeGreaterThan(20 * 1024);
    const png = PNG.sync.read(readFileSync(pngPath));
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) {
      colours.add((((png.data[i] ?? 0) << 16) | ((png.data[i + 1] ?? 0) << 8) | (png.data[i + 2] ?? 0)) >>> 0);
    }
    expect(png.width).toBe(1280);
    expect(png.height).toBeGreaterThan(1500);
    expect(colours.size, 'distinct colours in the screenshot').toBeGreaterThan(200);

    // The log-scale toggle works without errors.
    await page.locator('#log-scale').check();
    await page.waitForTimeout(100);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }
});

/** Chromium is required: a missing binary fails the test with install instructions (never a skip). */
async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is required for the report browser test, but ${CHROMIUM} does not exist.\n` +
        "Install Debian's chromium (as root):  packages/report/scripts/ensure-chromium.sh\n" +
        '  (equivalent to: apt-get update && apt-get install -y chromium)\n' +
        'or point STRATA_CHROMIUM at an existing Chromium binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
