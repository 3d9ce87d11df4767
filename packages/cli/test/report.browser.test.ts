/// <reference lib="dom" />
/**
 * The report `strata backtest --report` writes, opened in Debian's Chromium: it loads offline with
 * no console errors and no requests, draws its charts, shows the numbers the CLI printed, and
 * looks like something (a screenshot that is neither tiny nor one colour). Chromium is required:
 * see packages/report/scripts/ensure-chromium.sh (npm test runs it first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'packages/cli/bin/strata.js');
const CHROMIUM = process.env['STRATA_CHROMIUM'] ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

describe('strata backtest --report, in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cli-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the sector-rotation report loads offline, draws every chart and shows the printed total return', async () => {
    if (!existsSync(join(root, 'packages/cli/dist/main.js'))) execFileSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root });
    const html = join(dir, 'report.html');
    const json = execFileSync(process.execPath, [bin, 'backtest', 'examples/sector-rotation.yaml', '--from', '2008-01-01', '--json', '--report', html], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const summary = JSON.parse(json) as { artifact: { hash: string }; metrics: { totalReturn: number } };
    expect(readFileSync(html, 'utf8')).toContain(summary.artifact.hash);

    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is required at ${CHROMIUM}: run packages/report/scripts/ensure-chromium.sh (apt-get install -y chromium) or set STRATA_CHROMIUM`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(html).href;
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForSelector('canvas');
      expect(errors, 'no console errors').toEqual([]);
      expect(requests.filter((r) => r !== url), 'a self-contained report makes no requests').toEqual([]);
      const canvases = await page.evaluate(() => Array.from(document.querySelectorAll('canvas')).filter((c) => c.width > 0 && c.height > 0).length);
      expect(canvases, 'equity, drawdown and price charts drew').toBeGreaterThanOrEqual(3);
      const pct = `${(summary.metrics.totalReturn * 100).toFixed(2)}%`;
      expect(await page.textContent('body')).toContain(pct);
      const png = PNG.sync.read(await page.screenshot({ fullPage: true }));
      const colours = new Set<number>();
      for (let i = 0; i < png.data.length; i += 4 * 97) colours.add(png.data.readUInt32BE(i));
      expect(png.height, 'a full page').toBeGreaterThan(1500);
      expect(colours.size, 'not a blank page').toBeGreaterThan(50);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
