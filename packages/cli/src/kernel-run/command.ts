import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { compileSource, formatDiagnostic, type Plan } from '@strata/compiler';
import type { OrderEvent } from '@strata/contract';
import { FeedError } from '@strata/feeds';
import { KernelError } from '@strata/kernel';
import type { OrderGateway } from '@strata/order-kernel/node';
import { ArtifactRefError, resolveArtifactRef } from '../artifact-ref.js';
import { parseParamOverrides } from '../io.js';
import type { Io } from '../main.js';
import { loadMarket, MarketInputError } from '../market.js';
import { readRunnerState, runStrategy, RunnerStateError, type RunnerEvent } from './runner.js';
import { openOrderSide, openVenue, type OpenedVenue } from './wiring.js';

export interface KernelRunOptions {
  readonly mode?: string;
  readonly venue?: string;
  readonly venueUrl?: string;
  readonly feed?: string;
  readonly data?: string;
  readonly from?: string;
  readonly pace?: string;
  readonly state?: string;
  readonly cash?: string;
  readonly param?: readonly string[];
  readonly orderKernel?: string;
  readonly cancelAllOnExit?: boolean;
  readonly maxBars?: string;
  readonly confirmLive?: boolean;
  readonly json?: boolean;
  readonly color?: boolean;
}

/** The environment variable that must also be set for live trading (with the flag). */
export const LIVE_ENV = 'STRATA_LIVE_TRADING';
export const LIVE_ENV_VALUE = 'I_UNDERSTAND_REAL_MONEY_IS_AT_RISK';

class UsageError extends Error {}
class RefusedError extends Error {}

/** `strata kernel run`: 0 ran (to the end of the feed or a clean stop), 1 refused or failed, 2 usage error. */
export async function runKernelRunCommand(target: string, opts: KernelRunOptions, io: Io, signals: { onStop(listener: () => void): void } = processSignals()): Promise<number> {
  try {
    return await kernelRun(target, opts, io, signals);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`strata kernel run: ${e.message}`);
      return 2;
    }
    if (e instanceof RefusedError || e instanceof ArtifactRefError || e instanceof MarketInputError || e instanceof FeedError || e instanceof KernelError || e instanceof RunnerStateError) {
      io.err(`strata kernel run: ${e.message}`);
      return 1;
    }
    if (e instanceof Error && (e.name === 'VenueError' || e.name === 'OrderShellError' || e.name === 'ContractError' || e.name === 'CredentialsError')) {
      io.err(`strata kernel run: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function processSignals(): { onStop(listener: () => void): void } {
  return {
    onStop(listener) {
      process.once('SIGINT', listener);
      process.once('SIGTERM', listener);
    },
  };
}

function parsePace(value: string | undefined): { kind: 'max' } | { kind: 'speed'; factor: number } {
  if (value === undefined || value === 'max') return { kind: 'max' };
  if (value === 'realtime') return { kind: 'speed', factor: 1 };
  const m = /^(\d+(?:\.\d+)?)x$/.exec(value);
  if (!m || !(Number(m[1]) > 0)) throw new UsageError(`--pace ${value}: expected max, realtime or a speed-up such as 60x (bar time per wall-clock time)`);
  return { kind: 'speed', factor: Number(m[1]) };
}

function parseDay(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw new UsageError(`${flag} ${value}: expected a date as YYYY-MM-DD`);
  return ms;
}

async function kernelRun(target: string, opts: KernelRunOptions, io: Io, signals: { onStop(listener: () => void): void }): Promise<number> {
  // 1. the options, and the live-trading lock, before anything is opened
  const mode = opts.mode ?? 'paper';
  if (mode !== 'paper' && mode !== 'live') throw new UsageError(`--mode ${mode}: expected paper or live`);
  const venueSpec = opts.venue ?? 'sim';
  if (venueSpec !== 'sim' && !/^ccxt:[a-z0-9]+$/.test(venueSpec)) throw new UsageError(`--venue ${venueSpec}: expected sim or ccxt:<exchange id>, e.g. ccxt:binance`);
  if (mode === 'paper' && venueSpec !== 'sim') throw new UsageError(`paper mode trades on the simulated venue (--venue sim); ${venueSpec} is a real venue: use --mode live (with its confirmation) to trade there`);
  if (mode === 'live') {
    if (venueSpec === 'sim') throw new UsageError('live mode needs a real venue (--venue ccxt:<exchange>); the simulated venue is paper mode');
    const missing: string[] = [];
    if (opts.confirmLive !== true) missing.push('the flag --confirm-live');
    if (process.env[LIVE_ENV] !== LIVE_ENV_VALUE) missing.push(`the environment variable ${LIVE_ENV}=${LIVE_ENV_VALUE}`);
    if (missing.length > 0) throw new RefusedError(`live trading is locked: it needs both the flag --confirm-live and ${LIVE_ENV}=${LIVE_ENV_VALUE} in the environment; missing ${missing.join(' and ')}. Nothing was started`);
  }
  const pace = parsePace(opts.pace);
  const from = parseDay('--from', opts.from);
  const initialCash = opts.cash === undefined ? 100_000 : Number(opts.cash);
  if (!(initialCash > 0) || !Number.isFinite(initialCash)) throw new UsageError(`--cash ${opts.cash}: expected a positive amount`);
  const maxBars = opts.maxBars === undefined ? undefined : Number(opts.maxBars);
  if (maxBars !== undefined && !(Number.isInteger(maxBars) && maxBars > 0)) throw new UsageError(`--max-bars ${opts.maxBars}: expected a positive whole number`);
  if (opts.orderKernel !== undefined && !opts.orderKernel.startsWith('socket:')) throw new UsageError(`--order-kernel ${opts.orderKernel}: expected socket:<path> (an order-kernel server: node packages/order-kernel/dist/node/server-main.js --socket <path> …)`);
  if (opts.orderKernel !== undefined && venueSpec === 'sim') throw new UsageError('--order-kernel socket:… drives a real venue from its own process; the simulated venue runs in process with the replayed bars (drop --order-kernel for paper mode)');
  const overrides = parseParamOverrides(opts.param ?? []);
  if ('error' in overrides) throw new UsageError(overrides.error);

  // 2. the artifact (a file, or exactly the version at a git revision) and its plan
  const artifact = await resolveArtifactRef(target);
  const compiled = compileSource(artifact.source, { file: artifact.displayPath, baseDir: dirname(artifact.file), ...(Object.keys(overrides.params).length > 0 ? { params: overrides.params } : {}) });
  for (const d of compiled.diagnostics) io.err(formatDiagnostic(d, { color: opts.color ?? false }) + '\n');
  if (!compiled.ok || !compiled.plan) throw new RefusedError(`${artifact.displayPath} does not compile; nothing was started`);
  const plan = compiled.plan;

  // 3. the replayed feed
  const market = await loadMarket(plan, { ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.feed !== undefined ? { feed: opts.feed } : {}), artifactDir: artifact.dataBaseDir ?? dirname(artifact.file) }, io);

  // 4. the run's state directory: order log, venue state (sim), run state
  const stateDir = resolve(opts.state ?? join('run', `${plan.artifact.name}-${mode}`));
  mkdirSync(stateDir, { recursive: true });
  const statePath = join(stateDir, 'run-state.json');
  const prior = readRunnerState(statePath);

  // 5. venue and order kernel; reconcile before anything trades. Across processes the order-kernel
  // server owns the venue and its credentials; this process only speaks order/v1 to it.
  const socket = opts.orderKernel?.slice('socket:'.length);
  const venue: OpenedVenue | undefined = socket === undefined ? await openVenue(venueSpec, { plan, initialCash, stateDir, ...(opts.venueUrl !== undefined ? { url: opts.venueUrl } : {}) }) : undefined;
  let gateway: OrderGateway | undefined;
  try {
    const side = await openOrderSide({ plan, ...(venue ? { venue: venue.venue } : {}), ...(venue?.clock ? { clock: venue.clock } : {}), stateDir, ...(socket !== undefined ? { socket } : {}) });
    gateway = side.gateway;
    const venueId = venue?.venue.id ?? side.venueId;
    if (socket !== undefined && venueId !== venueSpec) throw new RefusedError(`the order-kernel server at ${socket} drives ${venueId}, not ${venueSpec}`);
    if (side.drift.length > 0) {
      for (const d of side.drift) io.err(`drift: ${d}`);
      throw new RefusedError(`reconciliation found ${side.drift.length} difference${side.drift.length === 1 ? '' : 's'} between the order log and ${venueId} (listed above); refusing to trade until they are resolved`);
    }
    const baseline = venue ? await positionBaseline(stateDir, venue, prior === undefined) : undefined;
    if (venue && baseline) {
      const positionsDrift = await positionDrift(gateway, venue, baseline, plan);
      if (positionsDrift.length > 0) {
        for (const d of positionsDrift) io.err(`drift: ${d}`);
        throw new RefusedError(`the venue's positions do not match the fills in the order log (listed above); refusing to trade. Resolve them on the venue, or start a new run with a new --state directory`);
      }
    }

    let stopRequested = false;
    const wake = new AbortController();
    signals.onStop(() => {
      stopRequested = true;
      wake.abort();
      io.err('strata kernel run: stop requested: no new orders; finishing the current step');
    });
    const unsubscribe = gateway.onEvent((e) => printEvent(e, io, opts.json === true));
    const started = Date.now();
    const summary = await runStrategy({
      plan,
      stream: market.stream(),
      initialCash,
      ...(from !== undefined ? { from } : {}),
      port: gateway,
      ...(venue?.barVenue ? { barVenue: venue.barVenue } : {}),
      statePath,
      mode,
      venueId,
      pace: async (nextTs, prevTs) => {
        if (pace.kind === 'max' || !(prevTs === prevTs)) return !stopRequested;
        try {
          await sleep(Math.max(0, (nextTs - prevTs) / pace.factor), undefined, { signal: wake.signal });
        } catch {
          return false;
        }
        return !stopRequested;
      },
      shouldStop: () => stopRequested,
      onEvent: (ev) => printRunnerEvent(ev, io, opts.json === true),
      ...(maxBars !== undefined ? { maxBars } : {}),
      ...(venue && baseline ? { venuePositions: async () => venuePositions(venue, baseline, plan) } : {}),
    });
    if (stopRequested && opts.cancelAllOnExit === true) {
      const r = await gateway.send({ schema: 'order/v1', type: 'CancelAll', clientOrderId: `cancel-all-${summary.lastBarTs ?? 0}-${Date.now()}`, tsEvent: summary.lastBarTs ?? 0, seq: 0, reason: 'strata kernel run stopped with --cancel-all-on-exit' });
      io.err(`strata kernel run: cancel-all sent (${r.events.length} event${r.events.length === 1 ? '' : 's'})`);
    }
    unsubscribe();
    const line = {
      schema: 'strata.kernel-run-summary/v1',
      artifact: { name: plan.artifact.name, hash: plan.artifact.hash, ...(artifact.commit ? { rev: artifact.rev, commit: artifact.commit } : {}) },
      mode,
      venue: venueId,
      feed: market.feedId,
      datasetHash: market.datasetHash,
      state: stateDir,
      ...summary,
      lastBar: summary.lastBarTs === undefined ? null : new Date(summary.lastBarTs).toISOString(),
      wallMs: Date.now() - started,
    };
    io.out(opts.json === true ? JSON.stringify(line) : `${summary.stoppedBy === 'signal' ? 'stopped' : 'done'}: ${summary.barsProcessed} bars (${summary.catchupBars} replayed after restart), ${summary.ordersForwarded} orders forwarded (${summary.duplicates} duplicates absorbed, ${summary.rejected} rejected), last bar ${line.lastBar ?? '-'}; state in ${stateDir}`);
  } finally {
    await gateway?.close();
    await venue?.venue.close();
  }
  return 0;
}

function printEvent(e: OrderEvent, io: Io, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(e));
    return;
  }
  const t = new Date(e.tsEvent).toISOString().replace('.000Z', 'Z');
  switch (e.type) {
    case 'OrderFilled':
      io.out(`${t} filled   ${e.clientOrderId} ${e.side} ${e.qty} ${e.symbol} @ ${e.price} fee ${e.fee.toFixed(4)} (cum ${e.cumQty}, leaves ${e.leavesQty})`);
      break;
    case 'OrderRejected':
      io.out(`${t} rejected ${e.clientOrderId} ${e.code}: ${e.reason}`);
      break;
    case 'OrderSubmitted':
      io.out(`${t} sent     ${e.clientOrderId}`);
      break;
    default:
      io.out(`${t} ${e.type.replace('Order', '').toLowerCase().padEnd(8)} ${e.clientOrderId}`);
  }
}

function printRunnerEvent(ev: RunnerEvent, io: Io, json: boolean): void {
  if (ev.kind === 'catchup') io.err(`strata kernel run: resumed: replayed ${ev.bars} bars already handled (to ${new Date(ev.lastBarTs).toISOString()}) without sending orders`);
  else if (ev.kind === 'drift') io.err(`warning: after ${new Date(ev.ts).toISOString()} the strategy's book has ${ev.shadow} ${ev.symbol} but the venue ${ev.venue}`);
  else if (ev.kind === 'order' && ev.outcome.duplicate && !json) io.out(`${new Date(ev.ts).toISOString()} duplicate ${ev.submit.clientOrderId}: already with the order kernel, not sent again`);
}

interface Baseline {
  readonly schema: 'strata.kernel-run-baseline/v1';
  /** Venue holdings per asset when the run first started (what the strategy did not buy). */
  readonly holdings: Record<string, number>;
}

/** The venue's holdings at the run's first start, recorded once; later starts read it back. */
async function positionBaseline(stateDir: string, venue: OpenedVenue, first: boolean): Promise<Baseline> {
  const path = join(stateDir, 'baseline.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as Baseline;
  if (!first) throw new RefusedError(`${path} is missing but the run has state: it cannot tell the strategy's positions from others on the venue; restore the file or start a new --state directory`);
  const holdings: Record<string, number> = {};
  for (const b of await venue.venue.fetchBalances()) if (b.asset !== venue.cashAsset) holdings[b.asset] = b.total;
  const baseline: Baseline = { schema: 'strata.kernel-run-baseline/v1', holdings };
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline;
}

/** The venue's positions in strategy symbols, net of the baseline. */
async function venuePositions(venue: OpenedVenue, baseline: Baseline, plan: Plan): Promise<ReadonlyMap<string, number>> {
  const balances = new Map((await venue.venue.fetchBalances()).map((b) => [b.asset, b.total]));
  const out = new Map<string, number>();
  const traded = [...plan.universe, ...(plan.portfolio?.cash ? [plan.portfolio.cash] : [])];
  for (const sym of traded) {
    const asset = venue.assetOf(sym);
    const q = (balances.get(asset) ?? 0) - (baseline.holdings[asset] ?? 0);
    if (Math.abs(q) > 1e-12) out.set(sym, q);
  }
  return out;
}

/** Positions implied by the fills in the order log against the venue's (net of the baseline). */
async function positionDrift(gateway: OrderGateway, venue: OpenedVenue, baseline: Baseline, plan: Plan): Promise<string[]> {
  const expected = new Map<string, number>();
  for (const o of await gateway.orders()) if (o.filledQty > 0) expected.set(o.symbol, (expected.get(o.symbol) ?? 0) + (o.side === 'buy' ? o.filledQty : -o.filledQty));
  const actual = await venuePositions(venue, baseline, plan);
  const out: string[] = [];
  for (const sym of new Set([...expected.keys(), ...actual.keys()])) {
    const a = expected.get(sym) ?? 0;
    const b = actual.get(sym) ?? 0;
    if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) out.push(`${sym}: the order log's fills add up to ${a}, ${venue.venue.id} holds ${b} (beyond what it held when the run started)`);
  }
  return out;
}

