// Load-time benchmark of the CSV adapter (run on purpose: `npm run bench -w packages/feeds`
// after a build). Prints figures; asserts nothing. Each figure is measured in a fresh child
// process ("cold": first load in a process, as a backtest sees it) and then warm.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const sharedData = process.env.STRATA_SHARED_DATA ?? resolve(repo, '../shared/data');
const runs = Number(process.env.RUNS ?? 7);

const child = `
import { loadCsvBars, nyseCalendar, alwaysOpenCalendar } from ${JSON.stringify(resolve(here, '../dist/index.js'))};
const etf = ['SPY','XLK','XLF','XLE','XLY','XLP','XLV','XLU','XLI','XLB','BIL'];
const measure = (fn) => { const c0 = process.cpuUsage(); const t0 = performance.now(); fn(); const c = process.cpuUsage(c0); return [performance.now() - t0, (c.user + c.system) / 1000]; };
const loadEtf = () => { for (const s of etf) loadCsvBars(${JSON.stringify(resolve(repo, 'examples/data/etf'))} + '/' + s + '.csv', { symbol: s, layout: 'etf', timeframe: '1d', calendar: nyseCalendar }); };
const loadBtc = () => loadCsvBars(${JSON.stringify(sharedData)} + '/crypto/BTCUSDT-1h.csv', { symbol: 'BTC/USDT', layout: 'crypto', timeframe: '1h', calendar: alwaysOpenCalendar });
const which = process.argv[1];
const cold = measure(which === 'etf' ? loadEtf : loadBtc);
let warm = Infinity; for (let i = 0; i < 10; i++) warm = Math.min(warm, measure(which === 'etf' ? loadEtf : loadBtc)[0]);
console.log(JSON.stringify({ cold: cold[0], coldCpu: cold[1], warm }));
`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [which, label] of [['etf', '11 ETF files (73,423 rows, examples/data/etf)'], ['btc', 'BTCUSDT-1h.csv (50,368 rows)']]) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', child, which], { encoding: 'utf8' })));
  const f = (k) => `${median(results.map((r) => r[k])).toFixed(1)} ms (min ${Math.min(...results.map((r) => r[k])).toFixed(1)})`;
  console.log(`${label}\n  cold wall ${f('cold')}, cold cpu ${f('coldCpu')}, warm wall ${f('warm')}   [median of ${runs} processes]`);
}
