// Cold start of the CLI: wall time of a fresh `node packages/cli/bin/strata.js compile
// examples/sma-cross.yaml` process, against the floor of a bare `node -e 0`, plus a breakdown of
// where the time goes inside the process (module imports, the strategy/v1 schema compile, the
// first compile).
//
//   node bench/cli-cold.mjs [--runs 20] [--no-breakdown]
//
// Runs the built bin (packages/cli/dist); build first (`npm run build`). Prints figures; never
// asserts. Goal: median < 300 ms.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = 'packages/cli/bin/strata.js';
if (!existsSync(new URL('../packages/cli/dist/main.js', import.meta.url))) {
  console.error('cli-cold: packages/cli/dist is missing; run `npm run build` first');
  process.exit(1);
}

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const RUNS = at === -1 ? 20 : Number(args[at + 1]);
const env = { ...process.env, NO_COLOR: '1' };

function time(argv) {
  const s = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - s;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function measure(label, argv) {
  time(argv); // one unmeasured run: OS file cache, not the process, is what we do not want to time
  const xs = [];
  for (let i = 0; i < RUNS; i++) xs.push(time(argv));
  xs.sort((a, b) => a - b);
  const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  return { label, median: q(0.5), p95: q(0.95), min: xs[0], max: xs[xs.length - 1] };
}

const rows = [
  measure('node -e 0 (floor)', ['-e', '0']),
  measure('strata --version', [bin, '--version']),
  measure('strata compile examples/sma-cross.yaml', [bin, 'compile', 'examples/sma-cross.yaml']),
];
const f = (x) => `${x.toFixed(0).padStart(5)} ms`;
console.log(`cli-cold: wall time of fresh processes, ${RUNS} runs each (node ${process.version}, ${process.platform}/${process.arch})`);
console.log(`  ${'command'.padEnd(42)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}`);
for (const r of rows) console.log(`  ${r.label.padEnd(42)} ${f(r.median)} ${f(r.p95)} ${f(r.min)} ${f(r.max)}`);
const compile = rows[2];
const { loadavg, cpus } = await import('node:os');
console.log(`  load average ${loadavg()[0].toFixed(2)} (1 min) on ${cpus().length} CPUs: figures are noisy when it exceeds the CPU count`);
console.log(`  compile above the node floor: ${f(compile.median - rows[0].median).trim()} (median); goal < 300 ms total: ${compile.median < 300 ? 'met' : 'NOT met'}`);

if (!args.includes('--no-breakdown')) {
  // Inside one fresh process: each step's cost, in the order the CLI pays it.
  const script = `
    const t0 = performance.now(); let last = t0; const out = [];
    const lap = (label) => { const now = performance.now(); out.push([label, now - last]); last = now; };
    await import('commander'); lap('import commander');
    await import('yaml'); lap('import yaml');
    await import('ajv'); lap('import ajv');
    await import('@strata/schemas'); lap('import @strata/schemas (JSON files)');
    const c = await import('@strata/compiler'); lap('import rest of @strata/compiler');
    const { strategyValidator } = await import('./packages/compiler/dist/internal/schema-check.js');
    strategyValidator(); lap('ajv compile of strategy/v1 (first use)');
    c.compileFile('examples/sma-cross.yaml'); lap('first compile of sma-cross (cold JIT)');
    c.compileFile('examples/sma-cross.yaml'); lap('second compile of sma-cross');
    await import('./packages/cli/dist/main.js'); lap('import CLI (commander program)');
    console.log(JSON.stringify(out));`;
  const sums = new Map();
  const n = Math.max(5, Math.floor(RUNS / 2));
  for (let i = 0; i < n; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    for (const [label, ms] of JSON.parse(r.stdout)) sums.set(label, [...(sums.get(label) ?? []), ms]);
  }
  console.log(`  in-process breakdown (median of ${n} fresh processes, after node's own start-up):`);
  let total = 0;
  for (const [label, xs] of sums) {
    xs.sort((a, b) => a - b);
    const m = xs[Math.floor(xs.length / 2)];
    total += m;
    console.log(`    ${label.padEnd(40)} ${m.toFixed(1).padStart(6)} ms`);
  }
  console.log(`    ${'total'.padEnd(40)} ${total.toFixed(1).padStart(6)} ms`);
}
