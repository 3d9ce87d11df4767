import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, strata } from './run-bin.js';

/**
 * End-to-end tests of `strata analyze warmup`: every case spawns the real bin
 * (`node packages/cli/bin/strata.js`, which runs the built `dist/`) on the bundled examples and
 * their data. The CLI is (re)built here when its dist is missing or older than the sources.
 */



/** A built file is stale when missing or older than its source. */
const stale = (src: string, built: string) => !existsSync(join(root, built)) || statSync(join(root, built)).mtimeMs < statSync(join(root, src)).mtimeMs;

beforeAll(() => {
  const pairs: [string, string][] = [
    ['packages/cli/src/analyze-command.ts', 'packages/cli/dist/analyze-command.js'],
    ['packages/cli/src/main.ts', 'packages/cli/dist/main.js'],
    ['packages/kernel/src/warmup-analysis.ts', 'packages/kernel/dist/warmup-analysis.js'],
    ['packages/kernel/src/index.ts', 'packages/kernel/dist/index.js'],
  ];
  if (pairs.some(([src, built]) => stale(src, built))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  }
}, 180_000);

interface JsonOutput {
  ref: string;
  op: string;
  labels: string[];
  lookback: number;
  warmupBars: number;
  unstable: boolean;
  convergedAfter: number | null;
  beyondWarmup: boolean;
  lengths: { bars: number; atEval: { status: string; absDiff: number | null; relDiff: number | null }; maxAbsDiff: number | null; maxRelDiff: number | null; disagreement?: number }[];
}

interface JsonReport {
  schema: string;
  artifact: { name: string; file: string; hash: string };
  feed: string;
  datasetHash: string;
  symbols: string[];
  tolerance: number;
  evaluation: { ts: number; time: string };
  declaredWarmup: { bars: number };
  historyLengths: number[];
  skippedLengths: number[];
  outputs: JsonOutput[];
  perSymbol: { symbol: string; outputs: JsonOutput[] }[];
  highlights: { ref: string; op: string; unstable: boolean; convergedAfter: number | null }[];
  recommendation: { minHistoryBars: number | null; declaredWarmupBars: number; text: string };
}

const byOp = (r: JsonReport, op: string) => r.outputs.filter((o) => o.op === op);

describe.concurrent('strata analyze warmup examples/rsi-reversion.yaml', () => {
  it('prints an aligned table, the unstable indicators and a one-line recommendation; exit 0', async () => {
    const r = await strata(['analyze', 'warmup', 'examples/rsi-reversion.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('rsi-reversion: warm-up analysis  SPY  1d  equities.us.daily');
    expect(r.stdout).toContain('declared warm-up 199 bars; history lengths tested: 199, 398, 597, 995, 1990 bars');
    // the first table: one header and one row per non-constant node, every row as wide as the header allows
    const head = lines.findIndex((l) => l.startsWith('node  signal'));
    expect(lines[head]).toMatch(/lookback\s+warm-up\s+unstable\s+199 bars\s+398 bars\s+597 bars\s+995 bars\s+1990 bars\s+converged after$/);
    const rows = lines.slice(head + 1, head + 11);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(['n0', 'n1', 'n2', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n11']);
    const col = lines[head]!.indexOf('converged after') + 'converged after'.length;
    for (const row of rows) expect(row.slice(0, col).trimEnd().length, row).toBe(col);
    expect(rows[3]).toMatch(/^n5\s+trend\s+sma\(close, 200\)\s+199\s+199\s+.*\s199 bars$/);
    expect(rows[4]).toMatch(/^n6\s+rsi_fast\s+rsi\(close, 2\)\s+2\s+2\s+yes\s.*\s\d+ bars\s+⚠ \d+× its warm-up$/);
    expect(rows[5]).toMatch(/^n7\s+—\s+atr\(14\)\s+14\s+14\s+yes\s.*\s\d+ bars\s+⚠ \d+× its warm-up$/);
    expect(rows[7]).toMatch(/^n9\s+—\s+lt\(rsi_fast, 10\)\s+0\s+2\s+(same\s+){5}\d+ bars$/);
    expect(r.stdout).toContain("Largest difference over every bar after the node's declared warm-up");
    expect(r.stdout).toMatch(/⚠ n7 atr\(14\): unstable, lookback 14, declared warm-up 14 bars; converged after \d+ bars/);
    expect(r.stdout).toMatch(/⚠ n6 \(rsi_fast\) rsi\(close, 2\): unstable, lookback 2, declared warm-up 2 bars; converged after \d+ bars/);
    expect(lines[lines.length - 1]).toBe("Recommendation: keep at least 199 bars of history before trading live; the plan's declared warm-up is 199.");
  });

  it('--json: schema strata.warmup-analysis/v1; SMA exact at its lookback, RSI and ATR far beyond theirs; byte-identical across runs', async () => {
    const [a, b] = await Promise.all([strata(['analyze', 'warmup', 'examples/rsi-reversion.yaml', '--json']), strata(['analyze', 'warmup', 'examples/rsi-reversion.yaml', '--json'])]);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    expect(b.stdout).toBe(a.stdout);
    const r = JSON.parse(a.stdout) as JsonReport;
    expect(r.schema).toBe('strata.warmup-analysis/v1');
    expect(r.artifact).toMatchObject({ name: 'rsi-reversion', file: 'examples/rsi-reversion.yaml' });
    expect(r.artifact.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.datasetHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.feed).toBe('equities.us.daily');
    expect(r.symbols).toEqual(['SPY']);
    expect(r.tolerance).toBe(1e-6);
    expect(r.evaluation.time).toBe('2025-09-25T00:00:00.000Z');
    expect(r.historyLengths).toEqual([199, 398, 597, 995, 1990]);
    expect(r.perSymbol.map((p) => p.symbol)).toEqual(['SPY']);

    const [sma] = byOp(r, 'sma');
    expect(sma).toMatchObject({ labels: ['trend'], lookback: 199, warmupBars: 199, unstable: false, convergedAfter: 199, beyondWarmup: false });
    for (const l of sma!.lengths) expect(l.maxRelDiff!).toBeLessThan(1e-12);
    const [rsi] = byOp(r, 'rsi');
    expect(rsi).toMatchObject({ labels: ['rsi_fast'], lookback: 2, unstable: true, beyondWarmup: true });
    expect(rsi!.convergedAfter!).toBeGreaterThan(5 * 2);
    // with 2 bars of history an RSI(2) can be off by tens of points
    expect(Math.max(...rsi!.lengths.map((l) => l.maxAbsDiff!))).toBeGreaterThan(1);
    const [atr] = byOp(r, 'atr');
    expect(atr).toMatchObject({ lookback: 14, unstable: true, beyondWarmup: true });
    expect(atr!.convergedAfter!).toBeGreaterThan(5 * 14);
    expect(r.highlights.map((h) => h.op).sort()).toEqual(['atr', 'rsi']);
    for (const f of byOp(r, 'field')) expect(f.convergedAfter).toBe(0);
    // bool outputs report the share of disagreeing bars
    for (const o of [...byOp(r, 'gt'), ...byOp(r, 'lt'), ...byOp(r, 'and')]) for (const l of o.lengths) expect(l.disagreement).toBeGreaterThanOrEqual(0);
    expect(r.recommendation).toMatchObject({ minHistoryBars: 199, declaredWarmupBars: 199 });
  });

  it('--at, --starts, --tolerance and --param: the evaluation bar, the lengths and the tolerance are the ones asked for', async () => {
    const r = await strata(['analyze', 'warmup', 'examples/rsi-reversion.yaml', '--at', '2020-03-22', '--starts', '400,20,50,100', '--tolerance', '1e-4', '--param', 'rsi_period=14', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as JsonReport;
    expect(j.evaluation.time).toBe('2020-03-20T00:00:00.000Z'); // a Sunday: the Friday before
    expect(j.historyLengths).toEqual([20, 50, 100, 400]);
    expect(j.tolerance).toBe(1e-4);
    const [rsi] = byOp(j, 'rsi');
    expect(rsi!.lookback).toBe(14);
    expect(rsi!.lengths.map((l) => l.atEval.status)).toEqual(['compared', 'compared', 'compared', 'compared']);
    // the difference at the evaluation bar shrinks as history grows
    const rel = rsi!.lengths.map((l) => l.atEval.relDiff!);
    expect(rel[0]!).toBeGreaterThan(rel[1]!);
    expect(rel[1]!).toBeGreaterThan(rel[2]!);
    expect(rel[2]!).toBeGreaterThan(rel[3]!);
    // the 200-day SMA is not even valid with 20, 50 or 100 bars
    const [sma] = byOp(j, 'sma');
    expect(sma!.lengths.map((l) => l.atEval.status)).toEqual(['short-nan', 'short-nan', 'short-nan', 'compared']);
  });
});

describe.concurrent('strata analyze warmup examples/sma-cross.yaml', () => {
  it('moving averages converge exactly at their lookback; the recommendation is the declared warm-up', async () => {
    const [human, json] = await Promise.all([strata(['analyze', 'warmup', 'examples/sma-cross.yaml']), strata(['analyze', 'warmup', 'examples/sma-cross.yaml', '--json'])]);
    expect(human.code).toBe(0);
    expect(human.stderr).toBe('');
    expect(human.stdout).toMatch(/^n2\s+fast_ma\s+sma\(close, 10\)\s+9\s+9\s+(0\s+){5}9 bars$/m);
    expect(human.stdout).toMatch(/^n1\s+slow_ma\s+sma\(close, 30\)\s+29\s+29\s+(0\s+){5}29 bars$/m);
    expect(human.stdout).toMatch(/^n3\s+—\s+crosses_above\(fast_ma, slow_ma\)\s+1\s+30\s+(same\s+){5}30 bars$/m);
    expect(human.stdout).not.toContain('⚠');
    expect(human.stdout.trimEnd().split('\n').pop()).toBe("Recommendation: keep at least 30 bars of history before trading live; the plan's declared warm-up is 30.");
    const j = JSON.parse(json.stdout) as JsonReport;
    expect(j.schema).toBe('strata.warmup-analysis/v1');
    expect(j.historyLengths).toEqual([30, 60, 90, 150, 300]);
    expect(byOp(j, 'sma').map((o) => [o.labels[0], o.convergedAfter])).toEqual([
      ['slow_ma', 29],
      ['fast_ma', 9],
    ]);
    expect(j.highlights).toEqual([]);
    expect(j.recommendation.minHistoryBars).toBe(30);
  });
});

describe.concurrent('strata analyze warmup: exit status', () => {
  it('2 on usage errors, with a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['--starts', '0,5'], /--starts 0,5: expected a comma-separated list of history lengths/],
      [['--starts', '10,abc'], /--starts 10,abc: expected/],
      [['--tolerance', '-1'], /--tolerance -1: expected a relative tolerance ≥ 0/],
      [['--tolerance', 'x'], /--tolerance x: expected/],
      [['--at', '2020-02-30'], /--at 2020-02-30: expected a date as YYYY-MM-DD/],
      [['--param', 'nope'], /--param nope: expected name=value/],
      [['--bogus'], /unknown option '--bogus'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => strata(['analyze', 'warmup', 'examples/rsi-reversion.yaml', ...args])));
    runs.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(r.stdout).toBe('');
    });
    const missing = await strata(['analyze', 'warmup']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'artifact'/);
  });

  it('1 on artifact and data errors, with a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['nope.yaml'], /nope\.yaml does not compile; nothing was analysed/],
      [['examples/rsi-reversion.yaml', '--data', 'no/such/dir'], /data directory no\/such\/dir does not exist; pass --data DIR/],
      [['examples/rsi-reversion.yaml', '--at', '1990-01-01'], /--at 1990-01-01 is before the start of the data \(1993-01-29\)/],
      [['examples/rsi-reversion.yaml', '--at', '1993-03-01'], /not enough history: the evaluation bar 1993-03-01T00:00:00.000Z has 20 bars before it/],
      [['examples/btc-breakout.yaml'], /no data for BTC\/USDT/],
    ];
    const runs = await Promise.all(cases.map(([args]) => strata(['analyze', 'warmup', ...args])));
    runs.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(1);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(r.stdout).toBe('');
    });
  });

  it('--help exits 0 and documents the options and the exit status', async () => {
    const r = await strata(['analyze', 'warmup', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--data', '--feed', '--at', '--starts', '--tolerance', '--json', 'Exit status: 0 analysed, 1 the artifact or the data has errors, 2 usage error.']) expect(r.stdout).toContain(opt);
    const top = await strata(['--help']);
    expect(top.stdout).toMatch(/^\s+analyze\b/m);
  });
});
