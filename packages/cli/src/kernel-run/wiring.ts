import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '@strata/compiler';
import type { PreTradeControls, Venue } from '@strata/order-kernel';
import { CredentialsStore, LocalGateway, OrderService, SocketGateway, type Clock, type OrderGateway } from '@strata/order-kernel/node';
import { CcxtVenue, SimVenue } from '@strata/venues';
import type { BarVenue } from './runner.js';

/** A venue opened for a run, with what the shell needs to read its balances as strategy positions. */
export interface OpenedVenue {
  readonly venue: Venue;
  /** The simulated venue is driven by the replayed bars; a real venue has its own market. */
  readonly barVenue?: BarVenue;
  /** The time the order kernel's shell stamps venue events with (the bar's time for the simulated venue). */
  readonly clock?: Clock;
  /** The asset the venue holds cash in (not a position). */
  readonly cashAsset: string;
  /** The balance asset that holds a strategy symbol (BTC for BTC/USDT; the symbol itself for an ETF). */
  readonly assetOf: (symbol: string) => string;
}

/** The credentials file: $STRATA_CREDENTIALS_FILE or ~/.config/strata/credentials.json (key from STRATA_CREDENTIALS_KEY). */
export function credentialsPath(): string {
  return process.env.STRATA_CREDENTIALS_FILE ?? join(homedir(), '.config', 'strata', 'credentials.json');
}

export async function openVenue(spec: string, opts: { readonly plan: Plan; readonly initialCash: number; readonly stateDir: string; readonly url?: string }): Promise<OpenedVenue> {
  const { plan } = opts;
  if (spec === 'sim') {
    const ex = plan.execution;
    const sim = SimVenue.open({
      fill: ex.fill,
      feeBps: ex.feeBps,
      slippageBps: ex.slippageBps,
      maxParticipation: ex.maxParticipation,
      ...(plan.sizing?.lotSize !== undefined ? { lotSize: plan.sizing.lotSize } : {}),
      initialCash: opts.initialCash,
      noLeverage: plan.risk.maxGrossExposure <= 1 && plan.risk.maxPositionWeight <= 1,
      statePath: join(opts.stateDir, 'sim-venue.json'),
    });
    // The venue's events carry the replayed bar's time, not the wall clock.
    const feedClock = { t: 0, now: () => feedClock.t, setInterval: () => () => {} };
    const barVenue: BarVenue = {
      beginBar(ts, bars) {
        feedClock.t = ts;
        sim.beginBar(ts, bars);
      },
      endBar: () => sim.endBar(),
    };
    return { venue: withFailpoint(sim), barVenue, clock: feedClock, cashAsset: 'USD', assetOf: (s) => s };
  }
  const exchangeId = spec.slice('ccxt:'.length);
  // Credentials are read here, in the process that talks to the venue, and handed only to the adapter.
  const store = CredentialsStore.open(credentialsPath());
  const creds = store.require(spec);
  let venue: CcxtVenue;
  try {
    venue = await CcxtVenue.connect({
      exchangeId,
      credentials: { apiKey: creds.apiKey.reveal(), secret: creds.secret.reveal() },
      ...(opts.url !== undefined ? { apiBaseUrl: opts.url } : {}),
    });
  } catch (e) {
    throw Object.assign(new Error(`cannot connect to ${spec}: ${store.redact((e as Error).message)}`), { name: 'VenueError' });
  }
  const quote = plan.universe[0]?.split('/')[1] ?? 'USDT';
  return { venue, cashAsset: quote, assetOf: (s) => s.split('/')[0] ?? s };
}

/**
 * A failpoint for crash tests, off unless STRATA_FAILPOINT=kill-before-venue-submit:N is set: the
 * process kills itself (SIGKILL, no clean-up) at the N-th order the venue is about to receive —
 * after the order kernel logged it, before the venue saw it, the narrowest window a crash can hit.
 */
function withFailpoint(venue: SimVenue): Venue {
  const m = /^kill-before-venue-submit:(\d+)$/.exec(process.env.STRATA_FAILPOINT ?? '');
  if (!m) return venue;
  const at = Number(m[1]);
  let n = 0;
  const submit = venue.submit.bind(venue);
  venue.submit = async (order) => {
    if (++n === at) process.kill(process.pid, 'SIGKILL');
    return submit(order);
  };
  return venue;
}

/**
 * Pre-trade controls for a strategy run: a price collar on limit and stop orders (10 % from the
 * last price the order kernel saw), message-rate throttles far above what a bar strategy sends,
 * and an amend-loop guard. Size limits are left to the strategy's own risk block.
 */
export function defaultControls(): PreTradeControls {
  return {
    priceCollarBps: 1_000,
    throttle: { global: { limit: 500, windowMs: 1_000 }, perSymbol: { limit: 100, windowMs: 1_000 }, cancels: { limit: 200, windowMs: 1_000 } },
    amendLoop: { maxAmends: 20, windowMs: 60_000 },
  };
}

/**
 * The order side of a run. In process: an OrderService over the venue and the order log in the
 * state directory, reconciled on open. Across processes: a SocketGateway to an order-kernel server
 * (which owns the venue, its credentials and the log); its hello carries the server's drift.
 */
export async function openOrderSide(opts: {
  readonly plan: Plan;
  readonly venue?: Venue;
  readonly stateDir: string;
  readonly socket?: string;
  readonly controls?: PreTradeControls;
  readonly clock?: Clock;
}): Promise<{ gateway: OrderGateway; venueId: string; drift: readonly string[] }> {
  if (opts.socket !== undefined) {
    const gateway = await SocketGateway.connect(opts.socket, { client: `strata kernel run ${opts.plan.artifact.name}` });
    return { gateway, venueId: gateway.venue, drift: gateway.drift.map((d) => d.message) };
  }
  if (!opts.venue) throw new Error('openOrderSide: an in-process order kernel needs a venue');
  const service = await OrderService.open({
    config: { controls: opts.controls ?? defaultControls(), venue: { id: opts.venue.id, capabilities: opts.venue.capabilities } },
    venue: opts.venue,
    logPath: join(opts.stateDir, 'orders.sqlite'),
    ...(opts.clock ? { clock: opts.clock } : {}),
    // Timers run on the feed's time: the runner steps a Clock input at every bar.
    tickMs: 0,
  });
  const report = await service.reconcile();
  return { gateway: new LocalGateway(service, { closeService: true }), venueId: opts.venue.id, drift: report.drift.map((d) => d.message) };
}
