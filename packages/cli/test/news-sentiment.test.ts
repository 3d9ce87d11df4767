import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, strata } from './run-bin.js';

/**
 * `strata backtest` with a news-reading artifact, end to end through the built bin: the CLI
 * loads `feeds.news`, scores it with the bundled ONNX model and hands the kernel the aligned series.
 */

let tmp: string;
beforeAll(() => {
  if (!existsSync(join(root, 'packages/cli/dist/main.js'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  }
  tmp = mkdtempSync(join(tmpdir(), 'strata-news-cli-'));
});

const EXAMPLE = 'examples/news-sentiment.yaml';

/** A data folder with the bundled SPY bars and the given news file text. */
function dataWithNews(label: string, news: string): string {
  const d = join(tmp, label);
  mkdirSync(join(d, 'etf'), { recursive: true });
  cpSync(join(root, 'examples/data/etf/SPY.csv'), join(d, 'etf/SPY.csv'));
  mkdirSync(join(d, 'news'));
  writeFileSync(join(d, 'news/SPY.jsonl'), news);
  return d;
}

describe('strata backtest examples/news-sentiment.yaml', () => {
  it('runs on the bundled data, trades only where the news is, and hashes news and model into the dataset', async () => {
    const [news, plain] = await Promise.all([strata(['backtest', EXAMPLE, '--json']), strata(['backtest', 'examples/sma-cross.yaml', '--json'])]);
    expect(news.code, news.stderr).toBe(0);
    const summary = JSON.parse(news.stdout) as { datasetHash: string; metrics: { trades: number }; feed: string };
    const bars = JSON.parse(plain.stdout) as { datasetHash: string };
    expect(summary.feed).toBe('equities.us.daily');
    expect(summary.metrics.trades, 'the example trades on the illustrative news').toBeGreaterThan(0);
    expect(summary.datasetHash, 'news and model are part of the data identity').not.toBe(bars.datasetHash);
  });

  it('trades only inside the news period: without news the node is NaN and nothing fires', async () => {
    const out = join(tmp, 'run');
    const r = await strata(['backtest', EXAMPLE, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const trades = readFileSync(join(out, 'trades.csv'), 'utf8').trim().split('\n').slice(1);
    expect(trades.length).toBeGreaterThan(0);
    for (const line of trades) {
      const entry = line.split(',')[2]!;
      expect(entry >= '2023-01-06' && entry <= '2025-01-31', `entry ${entry} is inside the news period (2023-01 … 2024-12)`).toBe(true);
    }
  });

  it('is deterministic: two runs give identical summaries', async () => {
    const [a, b] = await Promise.all([strata(['backtest', EXAMPLE, '--json']), strata(['backtest', EXAMPLE, '--json'])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('a malformed news line stops the run with file:line', async () => {
    const good = readFileSync(join(root, 'examples/data/news/SPY.jsonl'), 'utf8').split('\n');
    const d = dataWithNews('bad-line', [good[0], good[1], '{"schema":"news/v1","id":"x","ts":"yesterday"}', good[3], ''].join('\n'));
    const r = await strata(['backtest', EXAMPLE, '--data', d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/news\/SPY\.jsonl:3: error invalid_record: not a valid news\/v1 record: .*\/ts/);
    expect(r.stdout).toBe('');
  });

  it('news_sentiment without feeds.news stops with the fix', async () => {
    const src = readFileSync(join(root, EXAMPLE), 'utf8').replace('feeds: { bars: equities.us.daily, news: news.local }', 'feeds: { bars: equities.us.daily }');
    const file = join(tmp, 'no-news-feed.yaml');
    writeFileSync(file, src);
    const r = await strata(['backtest', file, '--data', join(root, 'examples/data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/uses news_sentiment but declares no news feed; add it to the artifact, e.g\. feeds: \{ bars: equities\.us\.daily, news: news\.local \}/);
  });

  it('a data folder without news for the symbol names the expected file', async () => {
    const d = join(tmp, 'no-news');
    mkdirSync(join(d, 'etf'), { recursive: true });
    cpSync(join(root, 'examples/data/etf/SPY.csv'), join(d, 'etf/SPY.csv'));
    const r = await strata(['backtest', EXAMPLE, '--data', d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/news\.local: no news for SPY in .*news \(expected SPY\.jsonl\)/);
  });
});
