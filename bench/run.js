// Runs every benchmark in sequence, each in its own process: `npm run bench` (which builds first).
// Benchmarks print figures and never assert; they are not part of the test suite.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = [
  ['compile-300.mjs'],
  ['cli-cold.mjs'],
  ['backtest-throughput.mjs'],
  ['backtest-throughput.mjs', '--memory', '--bars', '1000000'],
  ['backtest-throughput.mjs', '--memory', '--bars', '10000000'],
  ['sector-rotation.mjs'],
  ['order-kernel-step.js'],
  ['order-kernel-step.js', '--retain', '1000'],
  ['order-kernel-rtt.js'],
];
const only = process.argv.slice(2);
let failed = 0;
for (const [b, ...args] of benches) {
  if (only.length > 0 && !only.some((o) => b.includes(o))) continue;
  const file = fileURLToPath(new URL(`./${b}`, import.meta.url));
  console.log(`\n▶ node bench/${[b, ...args].join(' ')}`);
  const r = spawnSync(process.execPath, [file, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${b} exited with ${r.status ?? r.signal}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
