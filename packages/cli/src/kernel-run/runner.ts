import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SubmitOrder } from '@strata/contract';
import type { OrderGateway, SendResult } from '@strata/order-kernel/node';
import type { Plan } from '@strata/compiler';
import { createKernel, type LogEntry, type MarketStream } from '@strata/kernel';

/**
 * The paper/live shell around the strategy kernel: steps the same `createKernel` fold a backtest
 * runs, bar by bar as the feed delivers them, and forwards every order the kernel decides
 * (its order/v1 SubmitOrder log entries, with their deterministic clientOrderIds) to the order
 * kernel through `OrderPort`. The strategy kernel keeps its own book (the shadow book); the venue
 * holds the real one; they are compared after every bar.
 *
 * Restart: the runner's state file records the last bar whose orders were all forwarded. On start
 * the kernel is replayed (no orders sent) up to that bar, which rebuilds its state exactly (the fold
 * is deterministic); the next bar's orders are all forwarded again, and the ones that already
 * reached the order kernel before the crash come back as duplicates (same clientOrderId, same
 * payload): nothing is sent twice.
 */


/** Bar-driven venue hooks (the simulated venue); absent for a venue with its own market. */
export interface BarVenue {
  beginBar(ts: number, bars: ReadonlyMap<string, { open: number; high: number; low: number; close: number; volume: number }>): void;
  endBar(): void;
}

export interface RunnerState {
  readonly schema: 'strata.kernel-run/v1';
  readonly artifactHash: string;
  readonly venue: string;
  readonly mode: 'paper' | 'live';
  /** The last bar (ms UTC) whose orders were all forwarded; -Infinity (null in JSON) before the first. */
  readonly lastBarTs: number | null;
  readonly ordersSent: number;
  /** The trading start (`--from`, ms UTC), null for none: the decisions depend on it, so a resume must keep it. */
  readonly from: number | null;
  readonly initialCash: number;
}

export interface RunnerOptions {
  readonly plan: Plan;
  readonly stream: MarketStream;
  readonly initialCash: number;
  /** Bars before this only warm the signals up (as in a backtest). */
  readonly from?: number;
  /** The order kernel: in process (OrderService) or across a socket (SocketGateway). */
  readonly port: OrderGateway;
  readonly barVenue?: BarVenue;
  readonly statePath: string;
  readonly mode: 'paper' | 'live';
  readonly venueId: string;
  /** Resolves when the next bar may be processed (pacing); rejects or returns false to stop. */
  readonly pace: (barTs: number, prevBarTs: number) => Promise<boolean>;
  readonly shouldStop: () => boolean;
  readonly onEvent?: (line: RunnerEvent) => void;
  /** Stop after this many bars have been processed live (tests, smoke runs). */
  readonly maxBars?: number;
  /** The venue's positions, compared with the strategy kernel's book after every bar. */
  readonly venuePositions?: () => Promise<ReadonlyMap<string, number>>;
}

export type RunnerEvent =
  | { readonly kind: 'catchup'; readonly bars: number; readonly lastBarTs: number }
  | { readonly kind: 'bar'; readonly ts: number; readonly orders: number }
  | { readonly kind: 'order'; readonly ts: number; readonly submit: SubmitOrder; readonly outcome: SendResult }
  | { readonly kind: 'drift'; readonly ts: number; readonly symbol: string; readonly shadow: number; readonly venue: number };

export interface RunnerSummary {
  readonly barsProcessed: number;
  readonly catchupBars: number;
  readonly ordersForwarded: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly stoppedBy: 'end_of_feed' | 'signal' | 'max_bars';
  readonly lastBarTs: number | undefined;
}

export class RunnerStateError extends Error {
  override readonly name = 'RunnerStateError';
}

export function readRunnerState(path: string): RunnerState | undefined {
  if (!existsSync(path)) return undefined;
  let state: RunnerState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as RunnerState;
  } catch (e) {
    throw new RunnerStateError(`run state ${path} is not valid JSON (${(e as Error).message}); restore it or start over with a new --state directory`);
  }
  if (state.schema !== 'strata.kernel-run/v1') throw new RunnerStateError(`run state ${path} has schema ${JSON.stringify(state.schema)}; expected strata.kernel-run/v1`);
  return state;
}

function writeRunnerState(path: string, state: RunnerState): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The contract v1 SubmitOrder for one of the strategy kernel's SubmitOrder log entries. */
export function toSubmitOrder(e: Extract<LogEntry, { type: 'SubmitOrder' }>, seq: number): SubmitOrder {
  const tif = e.tif === 'gtc' || e.tif === 'day' || e.tif === 'ioc' || e.tif === 'fok' ? e.tif : 'day';
  const base = { schema: 'order/v1', type: 'SubmitOrder', clientOrderId: e.clientOrderId, tsEvent: e.ts, seq, symbol: e.symbol, side: e.side, qty: e.qty, timeInForce: tif, reason: e.reason } as const;
  if (e.orderType === 'limit') return { ...base, orderType: 'limit', limitPrice: e.price! };
  if (e.orderType === 'stop') return { ...base, orderType: 'stop', stopPrice: e.price! };
  // The backtest's market order takes what its bar offers and expires the rest (unless GTC): that is
  // immediate-or-cancel, which venues understand where a "day" market order may not exist.
  return { ...base, orderType: 'market', timeInForce: tif === 'day' ? 'ioc' : tif };
}

/**
 * Runs until the feed ends, a stop is requested, or `maxBars`. Orders are forwarded only for bars
 * after the state file's `lastBarTs` and at or after `from`.
 */
export async function runStrategy(opts: RunnerOptions): Promise<RunnerSummary> {
  const { plan, stream, port } = opts;
  const prior = readRunnerState(opts.statePath);
  if (prior && prior.artifactHash !== plan.artifact.hash) {
    throw new RunnerStateError(
      `the run state in ${opts.statePath} belongs to artifact ${prior.artifactHash}, not ${plan.artifact.hash}: a different version of the strategy. Use a new --state directory for a new version (or the same artifact revision to resume)`,
    );
  }
  if (prior && prior.venue !== opts.venueId) throw new RunnerStateError(`the run state in ${opts.statePath} was made against venue ${prior.venue}, not ${opts.venueId}`);
  const from = opts.from ?? null;
  if (prior && (prior.from !== from || prior.initialCash !== opts.initialCash)) {
    const day = (t: number | null) => (t === null ? 'none' : new Date(t).toISOString().slice(0, 10));
    throw new RunnerStateError(
      `the run in ${opts.statePath} started with --from ${day(prior.from)} and --cash ${prior.initialCash}; resuming with --from ${day(from)} and --cash ${opts.initialCash} would make different decisions. Resume with the same options, or use a new --state directory`,
    );
  }
  const resumeAfter = prior?.lastBarTs ?? Number.NEGATIVE_INFINITY;
  let state: RunnerState = prior ?? { schema: 'strata.kernel-run/v1', artifactHash: plan.artifact.hash, venue: opts.venueId, mode: opts.mode, lastBarTs: null, ordersSent: 0, from, initialCash: opts.initialCash };
  let unsaved = 0;

  const kernel = createKernel({ plan, stream, initialCash: opts.initialCash, ...(opts.from !== undefined ? { from: opts.from } : {}), recordCurve: false, recordFills: false });
  const symbols = stream.symbols;
  let logIdx = 0;
  let catchup = 0;
  let processed = 0;
  let forwarded = 0;
  let duplicates = 0;
  let rejected = 0;
  let prevTs = Number.NaN;
  let stoppedBy: RunnerSummary['stoppedBy'] = 'end_of_feed';
  let lastBarTs: number | undefined;
  let orderSeq = state.ordersSent;
  // Orders still working at the order kernel (for the Clock input).
  const working = new Set<string>();
  for (const o of await port.orders()) if (o.state !== 'FILLED' && o.state !== 'CANCELED' && o.state !== 'REJECTED' && o.state !== 'EXPIRED') working.add(o.clientOrderId);
  const unsubscribe = port.onEvent((ev) => {
    if (ev.type === 'OrderSubmitted' || ev.type === 'OrderAccepted') working.add(ev.clientOrderId);
    else if (ev.type === 'OrderCanceled' || ev.type === 'OrderExpired' || ev.type === 'OrderRejected' || (ev.type === 'OrderFilled' && ev.leavesQty <= 0)) working.delete(ev.clientOrderId);
  });

  for (;;) {
    if (opts.shouldStop()) {
      stoppedBy = 'signal';
      break;
    }
    if (opts.maxBars !== undefined && processed >= opts.maxBars) {
      stoppedBy = 'max_bars';
      break;
    }
    // Catch-up bars are replayed at full speed; live bars wait for the pace.
    const nextTs = stream.nextTs;
    if (nextTs === nextTs && nextTs > resumeAfter && !(opts.from !== undefined && nextTs < opts.from) && !(await opts.pace(nextTs, prevTs))) {
      stoppedBy = 'signal';
      break;
    }
    if (!kernel.step()) break;
    const ts = stream.ts;
    prevTs = ts;
    const log = kernel.log;
    if (ts <= resumeAfter) {
      // Replay of a bar already handled before a restart: its orders went out then.
      logIdx = log.length;
      catchup++;
      continue;
    }
    if (opts.from !== undefined && ts < opts.from) {
      // Warm-up: the kernel only feeds its signals; it decides nothing before `from`.
      logIdx = log.length;
      continue;
    }
    if (processed === 0 && catchup > 0) opts.onEvent?.({ kind: 'catchup', bars: catchup, lastBarTs: resumeAfter });
    // The market as of this bar: the venue opens it, the collars see its open.
    const bars = new Map<string, { open: number; high: number; low: number; close: number; volume: number }>();
    for (let s = 0; s < symbols.length; s++) {
      const row = stream.rows[s]!;
      if (row < 0) continue;
      const f = stream.columns[s]!.fields;
      bars.set(symbols[s]!, { open: f[0][row]!, high: f[1][row]!, low: f[2][row]!, close: f[3][row]!, volume: f[4][row]! });
    }
    opts.barVenue?.beginBar(ts, bars);
    // The order kernel's timers (deadlines, re-quotes, algo slices) run on the feed's time; with
    // nothing working there is nothing for them to do (and nothing to write to the order log).
    if (working.size > 0) await port.control({ type: 'Clock', tsEvent: ts });
    const quoted = new Set<string>();
    let sentThisBar = 0;
    for (; logIdx < log.length; logIdx++) {
      const e = log[logIdx]!;
      if (e.type !== 'SubmitOrder') continue;
      if (opts.shouldStop()) break; // no new orders once a stop is requested
      const submit = toSubmitOrder(e, orderSeq);
      if (!quoted.has(submit.symbol)) {
        // The price collar's reference: this bar's open, as the order goes out.
        const b = bars.get(submit.symbol);
        if (b) await port.control({ type: 'MarketUpdate', tsEvent: ts, symbol: submit.symbol, last: b.open });
        quoted.add(submit.symbol);
      }
      const outcome = await port.send(submit);
      orderSeq++;
      sentThisBar++;
      forwarded++;
      if (outcome.duplicate) duplicates++;
      if (outcome.conflict) throw new RunnerStateError(`order ${submit.clientOrderId} conflicts with the order log: ${outcome.conflict.message}. The run state and the order log disagree; nothing more was sent`);
      if (outcome.events.some((ev) => ev.type === 'OrderRejected')) rejected++;
      opts.onEvent?.({ kind: 'order', ts, submit, outcome });
    }
    if (opts.shouldStop() && logIdx < log.length) {
      // Stopped in the middle of the bar: it is not marked done, so a restart forwards its orders again (duplicates are absorbed).
      stoppedBy = 'signal';
      break;
    }
    opts.barVenue?.endBar();
    if (opts.venuePositions) {
      const shadow = kernel.positions();
      const venue = await opts.venuePositions();
      for (const sym of new Set([...shadow.keys(), ...venue.keys()])) {
        const a = shadow.get(sym) ?? 0;
        const b = venue.get(sym) ?? 0;
        if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) opts.onEvent?.({ kind: 'drift', ts, symbol: sym, shadow: a, venue: b });
      }
    }
    state = { ...state, lastBarTs: ts, ordersSent: orderSeq };
    // Saved after every bar that sent orders (and every 1,000 bars): a resume replays the bars since
    // the last save, whose orders come back from the order kernel as duplicates, so nothing is lost.
    if (sentThisBar > 0 || ++unsaved >= 1_000) {
      writeRunnerState(opts.statePath, state);
      unsaved = 0;
    }
    lastBarTs = ts;
    processed++;
    opts.onEvent?.({ kind: 'bar', ts, orders: sentThisBar });
  }
  unsubscribe();
  writeRunnerState(opts.statePath, state);
  return { barsProcessed: processed, catchupBars: catchup, ordersForwarded: forwarded, duplicates, rejected, stoppedBy, lastBarTs };
}
