import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile } from '@strata/compiler';
import { CredentialsStore } from '@strata/order-kernel/node';
import { BinanceEmulator } from '@strata/venues';
import git from 'isomorphic-git';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, root, strata } from './run-bin.js';

/**
 * `strata kernel run` end to end, through the built bin: the same strategy kernel as a backtest,
 * its orders through the order kernel (contract v1, SQLite order log) to a venue.
 */

const shared = process.env.STRATA_SHARED_DATA ?? join(root, '../shared/data');
const tmp = () => mkdtempSync(join(tmpdir(), 'strata-kernel-run-'));

interface SimFill {
  readonly clientOrderId: string;
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly ts: number;
}
const simFills = (stateDir: string): SimFill[] => (JSON.parse(readFileSync(join(stateDir, 'sim-venue.json'), 'utf8')) as { fills: SimFill[] }).fills;
const backtestFills = (outDir: string) =>
  (parseCsv(readFileSync(join(outDir, 'fills.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).map((r) => ({
    clientOrderId: r.client_order_id!,
    qty: Number(r.qty),
    price: Number(r.price),
    fee: Number(r.fee),
    ts: Date.parse(r.time!),
  }));
const key = (f: { clientOrderId: string; qty: number; price: number; fee: number; ts: number }) => `${f.clientOrderId} ${f.ts} ${f.qty} ${f.price} ${f.fee}`;

describe('strata kernel run --mode paper (the simulated venue)', () => {
  it('fills exactly where the backtest fills: sector rotation, 415 orders over 2020–2025', async () => {
    const state = join(tmp(), 'run');
    const out = join(tmp(), 'bt');
    const [run, bt] = await Promise.all([
      strata(['kernel', 'run', 'examples/sector-rotation.yaml', '--from', '2020-01-01', '--state', state, '--json'], { timeoutMs: 120_000 }),
      strata(['backtest', 'examples/sector-rotation.yaml', '--from', '2020-01-01', '--out', out]),
    ]);
    expect(run.stderr).not.toMatch(/drift|refus|error/i); // data warnings (zero-volume bars) are expected
    expect(run.code).toBe(0);
    expect(bt.code).toBe(0);
    const paper = simFills(state).map(key);
    const expected = backtestFills(out).map(key);
    expect(paper.length).toBeGreaterThan(100);
    expect(paper).toEqual(expected);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ schema: 'strata.kernel-run-summary/v1', mode: 'paper', venue: 'sim', stoppedBy: 'end_of_feed', duplicates: 0, rejected: 0, ordersForwarded: paper.length });
  });

  it('fills exactly where the backtest fills with protective stops on hourly crypto (btc-breakout, 2025)', async () => {
    const state = join(tmp(), 'run');
    const out = join(tmp(), 'bt');
    const [run, bt] = await Promise.all([
      strata(['kernel', 'run', 'examples/btc-breakout.yaml', '--data', shared, '--from', '2025-01-01', '--state', state], { timeoutMs: 120_000 }),
      strata(['backtest', 'examples/btc-breakout.yaml', '--data', shared, '--from', '2025-01-01', '--out', out]),
    ]);
    expect(run.code).toBe(0);
    expect(bt.code).toBe(0);
    const orders = readFileSync(join(out, 'orders.csv'), 'utf8');
    expect(orders).toMatch(/,stop,/); // the window has stop exits, so the stop path is compared too
    expect(simFills(state).map(key)).toEqual(backtestFills(out).map(key));
  });

  it('resumes after a stop: the run continued from its state equals an uninterrupted one', async () => {
    const whole = join(tmp(), 'whole');
    const parts = join(tmp(), 'parts');
    const args = ['kernel', 'run', 'examples/sector-rotation.yaml', '--from', '2023-01-01'];
    const full = await strata([...args, '--state', whole]);
    expect(full.code).toBe(0);
    for (const n of ['60', '45', '200']) expect((await strata([...args, '--state', parts, '--max-bars', n])).code).toBe(0);
    const last = await strata([...args, '--state', parts]);
    expect(last.code).toBe(0);
    expect(last.stderr).toMatch(/resumed: replayed \d+ bars already handled/);
    expect(simFills(parts).map(key)).toEqual(simFills(whole).map(key));
  });

  it('survives kill -9 at arbitrary moments: no duplicate order, no lost fill', async () => {
    const whole = join(tmp(), 'whole');
    const killed = join(tmp(), 'killed');
    const args = ['kernel', 'run', 'examples/sector-rotation.yaml', '--from', '2024-06-01'];
    expect((await strata([...args, '--state', whole])).code).toBe(0);
    // A daily bar every ~5 ms of wall time: each kill lands somewhere in the stream (between bars, or while a rebalance is being sent).
    for (const afterMs of [700, 1100, 900, 1300, 800]) {
      const child = spawn(process.execPath, [bin, ...args, '--state', killed, '--pace', '17280000x'], { cwd: root, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
      await new Promise((r) => setTimeout(r, afterMs));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
    }
    const finish = await strata([...args, '--state', killed]);
    expect(finish.code).toBe(0);
    const fills = simFills(killed);
    const ids = fills.map((f) => f.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length); // every order reached the venue once
    expect(fills.map(key)).toEqual(simFills(whole).map(key));
  }, 90_000);

  it('completes a bar cut off between the order log and the venue (failpoint): every order once, fills as uninterrupted', async () => {
    const whole = join(tmp(), 'whole');
    const crashed = join(tmp(), 'crashed');
    const args = ['kernel', 'run', 'examples/sector-rotation.yaml', '--from', '2024-06-01'];
    expect((await strata([...args, '--state', whole])).code).toBe(0);
    // The first run dies at its 3rd venue submit, the resumed one at its 5th: each after the order kernel
    // logged the order and before the venue saw it, in the middle of a multi-order rebalance bar.
    for (const at of [3, 5]) {
      const r = await strata([...args, '--state', crashed], { env: { STRATA_FAILPOINT: `kill-before-venue-submit:${at}` } });
      expect(r.code).toBeNull(); // killed
    }
    const finish = await strata([...args, '--state', crashed]);
    expect(finish.code).toBe(0);
    expect(finish.stdout).toMatch(/duplicates absorbed/);
    const fills = simFills(crashed);
    expect(new Set(fills.map((f) => f.clientOrderId)).size).toBe(fills.length);
    expect(fills.map(key)).toEqual(simFills(whole).map(key));
  });

  it('refuses to trade when the venue drifted from the order log, and says what drifted', async () => {
    const state = join(tmp(), 'run');
    const args = ['kernel', 'run', 'examples/sma-cross.yaml', '--from', '2024-01-01', '--state', state];
    expect((await strata([...args, '--max-bars', '120'])).code).toBe(0);
    const venueFile = join(state, 'sim-venue.json');
    const venue = JSON.parse(readFileSync(venueFile, 'utf8')) as { holdings: Record<string, number> };
    expect(venue.holdings.SPY).toBeGreaterThan(0);
    venue.holdings.SPY! += 5; // someone traded on the account behind the run's back
    writeFileSync(venueFile, JSON.stringify(venue));
    const r = await strata(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/drift: SPY: the order log's fills add up to \d+, sim holds \d+/);
    expect(r.stderr).toMatch(/refusing to trade/);
  });

  it('refuses to resume with options that change the decisions', async () => {
    const state = join(tmp(), 'run');
    expect((await strata(['kernel', 'run', 'examples/sma-cross.yaml', '--from', '2024-01-01', '--state', state, '--max-bars', '10'])).code).toBe(0);
    const r = await strata(['kernel', 'run', 'examples/sma-cross.yaml', '--from', '2023-01-01', '--state', state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/started with --from 2024-01-01.*resuming with --from 2023-01-01/);
  });

  it('stops cleanly on SIGINT and SIGTERM: no new orders, state flushed, exit 0', async () => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const state = join(tmp(), 'run');
      const child = spawn(process.execPath, [bin, 'kernel', 'run', 'examples/sma-cross.yaml', '--from', '2024-01-01', '--state', state, '--pace', '8640000x', '--cancel-all-on-exit'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      // Signal once it is trading (its handlers are installed by then), however slow the host is.
      for (let waited = 0; !/ sent /.test(stdout) && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toMatch(/ sent /);
      child.kill(sig);
      const code = await new Promise<number | null>((r) => child.once('close', r));
      expect(code).toBe(0);
      expect(stderr).toMatch(/stop requested: no new orders/);
      expect(stderr).toMatch(/cancel-all sent/);
      expect(stdout).toMatch(/^stopped: \d+ bars/m);
      const saved = JSON.parse(readFileSync(join(state, 'run-state.json'), 'utf8')) as { lastBarTs: number };
      expect(saved.lastBarTs).toBeGreaterThan(Date.UTC(2024, 0, 1));
    }
  }, 90_000);
});

describe('strata kernel run <file>@<git-rev>', () => {
  let repo: string;
  beforeAll(async () => {
    repo = tmp();
    mkdirSync(join(repo, 'data'));
    cpSync(join(root, 'examples/data'), join(repo, 'data'), { recursive: true });
    const src = readFileSync(join(root, 'examples/sma-cross.yaml'), 'utf8');
    await git.init({ fs, dir: repo, defaultBranch: 'main' });
    const author = { name: 'Strata test', email: 'test@strata.invalid', timestamp: 1_700_000_000, timezoneOffset: 0 };
    writeFileSync(join(repo, 'sma.yaml'), src);
    await git.add({ fs, dir: repo, filepath: 'sma.yaml' });
    await git.commit({ fs, dir: repo, message: 'v1', author });
    writeFileSync(join(repo, 'sma.yaml'), src.replace(/default: 10\b/, 'default: 12'));
    await git.add({ fs, dir: repo, filepath: 'sma.yaml' });
    await git.commit({ fs, dir: repo, message: 'v2', author: { ...author, timestamp: 1_700_000_100 } });
    await git.tag({ fs, dir: repo, ref: 'first', object: (await git.log({ fs, dir: repo })).at(-1)!.oid });
    writeFileSync(join(repo, 'sma.yaml'), src.replace(/default: 10\b/, 'default: 14')); // uncommitted working copy
  });

  it('runs exactly the committed version at a revision (HEAD~1, a tag, a short commit id)', async () => {
    const v1 = join(tmp(), 'v1.yaml');
    writeFileSync(v1, readFileSync(join(root, 'examples/sma-cross.yaml')));
    const hashV1 = compileFile(v1).plan!.artifact.hash;
    const firstOid = (await git.log({ fs, dir: repo })).at(-1)!.oid;
    for (const rev of ['HEAD~1', 'first', firstOid.slice(0, 8)]) {
      const r = await strata(['kernel', 'run', `sma.yaml@${rev}`, '--from', '2025-01-01', '--max-bars', '5', '--state', join(tmp(), 'run'), '--json'], { cwd: repo });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { artifact: { hash: string; rev: string; commit: string } };
      expect(summary.artifact).toEqual({ name: 'sma-cross', hash: hashV1, rev, commit: firstOid });
    }
  });

  it('says clearly when the revision or the file at it does not exist', async () => {
    const noRev = await strata(['kernel', 'run', 'sma.yaml@nope', '--state', join(tmp(), 'run')], { cwd: repo });
    expect(noRev.code).toBe(1);
    expect(noRev.stderr).toMatch(/revision nope is not a branch, tag or commit/);
    const tooFar = await strata(['kernel', 'run', 'sma.yaml@HEAD~5', '--state', join(tmp(), 'run')], { cwd: repo });
    expect(tooFar.code).toBe(1);
    expect(tooFar.stderr).toMatch(/~5 goes past the first commit/);
    const noFile = await strata(['kernel', 'run', 'other.yaml@HEAD', '--state', join(tmp(), 'run')], { cwd: repo });
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/other\.yaml does not exist at HEAD/);
  });
});

describe('strata kernel run --mode live (the lock, and a real venue over ccxt)', () => {
  it('refuses live trading without both the flag and the environment variable', async () => {
    const base = ['kernel', 'run', 'examples/btc-breakout.yaml', '--data', shared, '--mode', 'live', '--venue', 'ccxt:binance', '--state', join(tmp(), 'run')];
    const noFlag = await strata(base, { env: { STRATA_LIVE_TRADING: 'I_UNDERSTAND_REAL_MONEY_IS_AT_RISK' } });
    expect(noFlag.code).toBe(1);
    expect(noFlag.stderr).toMatch(/live trading is locked.*missing the flag --confirm-live\. Nothing was started/);
    const noEnv = await strata([...base, '--confirm-live'], { env: { STRATA_LIVE_TRADING: undefined } });
    expect(noEnv.code).toBe(1);
    expect(noEnv.stderr).toMatch(/missing the environment variable STRATA_LIVE_TRADING=I_UNDERSTAND_REAL_MONEY_IS_AT_RISK/);
    const liveSim = await strata(['kernel', 'run', 'examples/sma-cross.yaml', '--mode', 'live', '--venue', 'sim']);
    expect(liveSim.code).toBe(2);
    expect(liveSim.stderr).toMatch(/live mode needs a real venue/);
    const paperCcxt = await strata(['kernel', 'run', 'examples/sma-cross.yaml', '--venue', 'ccxt:binance']);
    expect(paperCcxt.code).toBe(2);
    expect(paperCcxt.stderr).toMatch(/paper mode trades on the simulated venue/);
  });

  it('trades on a Binance-compatible venue through ccxt once unlocked, with credentials from the encrypted store', async () => {
    // Binance keys and secrets are 64 alphanumerics (the emulator checks the format, as Binance does).
    const apiKey = 'LiveTestKey'.padEnd(64, '0');
    const secret = 'LiveTestSecret'.padEnd(64, '9');
    const emu = new BinanceEmulator({ apiKey, secret, balances: { USDT: 1_000_000 } });
    const url = await emu.start();
    try {
      emu.setPrice('BTCUSDT', 44_000);
      const dir = tmp();
      const credentials = join(dir, 'credentials.json');
      const keyB64 = Buffer.alloc(32, 7).toString('base64');
      CredentialsStore.open(credentials, { key: Buffer.from(keyB64, 'base64') }).set('ccxt:binance', { apiKey, secret });
      const r = await strata(
        ['kernel', 'run', 'examples/btc-breakout.yaml', '--data', shared, '--from', '2024-01-01', '--max-bars', '40', '--mode', 'live', '--venue', 'ccxt:binance', '--venue-url', url, '--confirm-live', '--state', join(dir, 'run')],
        { env: { STRATA_LIVE_TRADING: 'I_UNDERSTAND_REAL_MONEY_IS_AT_RISK', STRATA_CREDENTIALS_FILE: credentials, STRATA_CREDENTIALS_KEY: keyB64 }, timeoutMs: 60_000 },
      );
      expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
      expect(r.stderr).not.toMatch(/refus|rejected|error/i);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/filled +b6e1e343-BTC\/USDT-1704150000000-0 buy 2\.26009 BTC\/USDT @ 44000/);
      // Binance takes the fee in the asset bought, so the account holds a little less BTC than the
      // strategy's book: the runner says so after every bar rather than hiding it.
      expect(r.stderr).toMatch(/the strategy's book has 2\.26009\d* BTC\/USDT but the venue 2\.257/);
      const orders = emu.orders();
      expect(orders.length).toBeGreaterThanOrEqual(1);
      expect(orders.every((o) => o.status === 'FILLED')).toBe(true);
      expect(existsSync(join(dir, 'run', 'orders.sqlite'))).toBe(true);
    } finally {
      await emu.stop();
    }
  }, 60_000);
});
