// The 16-year sector-rotation example end to end: `strata backtest` as a fresh process (load the
// 11 ETF files + run + metrics + summary), with and without the HTML report, plus the in-process
// cost of each phase.
//
//   node bench/sector-rotation.mjs [--runs 10]
//
// Prints figures; never asserts. Run against the built packages (npm run build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileFile } from '../packages/compiler/dist/index.js';
import { createDefaultRegistry } from '../packages/feeds/dist/index.js';
import { computeMetrics, periodsPerYearOf, runBacktest, SeriesStream } from '../packages/kernel/dist/index.js';

const args = process.argv.slice(2);
const i = args.indexOf('--runs');
const RUNS = i === -1 ? 10 : Number(args[i + 1]);
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/strata.js');
const artifact = join(root, 'examples/sector-rotation.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'strata-bench-'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

function wall(argv) {
  execFileSync(process.execPath, [bin, ...argv], { stdio: 'ignore' }); // warm the file cache
  const times = [];
  for (let k = 0; k < RUNS; k++) {
    const t = performance.now();
    execFileSync(process.execPath, [bin, ...argv], { stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  return times;
}

console.log(`sector-rotation end to end: ${RUNS} runs each, node ${process.version}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const plain = wall(['backtest', artifact, '--from', '2008-01-01']);
console.log(`  strata backtest (summary table):          median ${median(plain).toFixed(0)} ms, p95 ${p95(plain).toFixed(0)} ms   (goal < 500 ms)`);
const withOut = wall(['backtest', artifact, '--from', '2008-01-01', '--out', join(tmp, 'run'), '--report', join(tmp, 'report.html')]);
console.log(`  … with --out (CSV + run.sqlite) and --report: median ${median(withOut).toFixed(0)} ms, p95 ${p95(withOut).toFixed(0)} ms`);
const floor = [];
for (let k = 0; k < RUNS; k++) {
  const t = performance.now();
  execFileSync(process.execPath, ['-e', '0']);
  floor.push(performance.now() - t);
}
console.log(`  node -e 0 (the floor):                    median ${median(floor).toFixed(0)} ms`);

// In-process phases (warm after the first iteration).
const phases = { compile: [], load: [], run: [], metrics: [] };
for (let k = 0; k < RUNS; k++) {
  let t = performance.now();
  const compiled = compileFile(artifact);
  phases.compile.push(performance.now() - t);
  const plan = compiled.plan;
  t = performance.now();
  const registry = createDefaultRegistry({ dataDir: join(root, 'examples/data') });
  const h = await registry.bars('equities.us.daily').history({ symbols: [...plan.universe, 'BIL', 'SPY'] });
  phases.load.push(performance.now() - t);
  t = performance.now();
  const r = runBacktest({ plan, stream: new SeriesStream([...plan.universe, 'BIL'], h.series), from: Date.UTC(2008, 0, 1) });
  phases.run.push(performance.now() - t);
  t = performance.now();
  computeMetrics({ curve: r.curve, trades: r.trades, fills: r.fills, periodsPerYear: periodsPerYearOf(plan) });
  phases.metrics.push(performance.now() - t);
}
console.log(`  in process (median; first run is cold):  ${Object.entries(phases).map(([k, v]) => `${k} ${median(v).toFixed(1)} ms (cold ${v[0].toFixed(1)})`).join(', ')}`);
rmSync(tmp, { recursive: true, force: true });
