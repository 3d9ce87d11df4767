#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PreTradeControls } from '../core/types.js';
import type { Venue } from '../core/venue-port.js';
import { CredentialsStore } from './credentials.js';
import { OrderShellError } from './errors.js';
import { LocalGateway } from './gateway.js';
import { GatewayServer } from './server.js';
import { OrderService } from './service.js';

const USAGE = `usage: strata-order-kernel --socket PATH --log FILE --venue ccxt:EXCHANGE [--venue-url URL]
                           [--credentials FILE] [--controls FILE] [--tick-ms N] [--poll-ms N] [--venue-timeout-ms N]
       strata-order-kernel credentials set --venue ID [--credentials FILE]   (reads STRATA_VENUE_API_KEY, STRATA_VENUE_SECRET)
       strata-order-kernel credentials list [--credentials FILE]

Runs the order kernel as a server: one venue, one order log, a Unix domain socket speaking the
gateway protocol (order/v1 over newline-delimited JSON). On start it replays the log, reconciles
with the venue and refuses commands while there is drift. SIGTERM / SIGINT: stop accepting,
finish what is in flight, flush, exit 0.
  --socket       the Unix socket path to listen on
  --log          the order log (SQLite; created when missing; one log per venue)
  --venue        ccxt:<exchange id>, e.g. ccxt:binance
  --venue-url    send the exchange's API requests to this origin (e.g. a local emulator)
  --credentials  the encrypted credentials file (default $STRATA_CREDENTIALS_FILE or ~/.config/strata/credentials.json);
                 its key comes from STRATA_CREDENTIALS_KEY
  --controls     a JSON file with the pre-trade controls (default: none)
  --tick-ms      how often timers are evaluated (default 1000)
  --poll-ms      how often the venue is polled for order updates (default 1000)
  --venue-timeout-ms  HTTP timeout of one venue request (default 10000)`;

/** The venues package is loaded at run time: it depends on this one, so a static import would be a build cycle. */
const VENUES_MODULE = '@strata/venues';
interface VenuesModule {
  CcxtVenue: { connect(options: Record<string, unknown>): Promise<Venue> };
}

function fail(message: string, code = 2): never {
  process.stderr.write(`strata-order-kernel: ${message}\n`);
  process.exit(code);
}

function credentialsPath(flag: string | undefined): string {
  return flag ?? process.env['STRATA_CREDENTIALS_FILE'] ?? join(homedir(), '.config', 'strata', 'credentials.json');
}

async function credentialsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { venue: { type: 'string' }, credentials: { type: 'string' } }, allowPositionals: true, strict: true });
  const store = CredentialsStore.open(credentialsPath(values.credentials));
  if (positionals[0] === 'list') {
    process.stdout.write(`${store.venues().join('\n')}\n`);
    return 0;
  }
  if (positionals[0] === 'set') {
    if (!values.venue) fail('credentials set needs --venue');
    const apiKey = process.env['STRATA_VENUE_API_KEY'];
    const secret = process.env['STRATA_VENUE_SECRET'];
    if (!apiKey || !secret) fail('credentials set reads the key and secret from STRATA_VENUE_API_KEY and STRATA_VENUE_SECRET (never from the command line, which other users can see)');
    store.set(values.venue, { apiKey, secret, ...(process.env['STRATA_VENUE_PASSWORD'] ? { password: process.env['STRATA_VENUE_PASSWORD'] } : {}) });
    process.stdout.write(`stored credentials for ${values.venue} in ${store.path}\n`);
    return 0;
  }
  fail(`unknown credentials command ${JSON.stringify(positionals[0])}; use set or list`);
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'credentials') return credentialsCommand(argv.slice(1));
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        socket: { type: 'string' },
        log: { type: 'string' },
        venue: { type: 'string' },
        'venue-url': { type: 'string' },
        credentials: { type: 'string' },
        controls: { type: 'string' },
        'tick-ms': { type: 'string', default: '1000' },
        'poll-ms': { type: 'string', default: '1000' },
        'venue-timeout-ms': { type: 'string', default: '10000' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.socket || !values.log || !values.venue) fail(`--socket, --log and --venue are required\n${USAGE}`);
  const tickMs = Number(values['tick-ms']);
  const pollMs = Number(values['poll-ms']);
  if (!Number.isInteger(tickMs) || tickMs < 0) fail(`--tick-ms expects a whole number ≥ 0, got ${values['tick-ms']}`);
  if (!Number.isInteger(pollMs) || pollMs < 1) fail(`--poll-ms expects a whole number ≥ 1, got ${values['poll-ms']}`);
  const venueTimeoutMs = Number(values['venue-timeout-ms']);
  if (!Number.isInteger(venueTimeoutMs) || venueTimeoutMs < 1) fail(`--venue-timeout-ms expects a whole number ≥ 1, got ${values['venue-timeout-ms']}`);
  let controls: PreTradeControls = {};
  if (values.controls) {
    try {
      controls = JSON.parse(readFileSync(values.controls, 'utf8')) as PreTradeControls;
    } catch (e) {
      fail(`cannot read --controls ${values.controls}: ${(e as Error).message}`);
    }
  }
  const m = /^ccxt:([a-z0-9]+)$/.exec(values.venue);
  if (!m) fail(`unsupported --venue ${JSON.stringify(values.venue)}: this server drives ccxt:<exchange id> venues (e.g. ccxt:binance)`);

  const store = CredentialsStore.open(credentialsPath(values.credentials));
  const creds = store.require(values.venue);
  let venues: VenuesModule;
  try {
    venues = (await import(VENUES_MODULE)) as VenuesModule;
  } catch (e) {
    fail(`cannot load ${VENUES_MODULE} (build it with \`npx turbo run build\`): ${(e as Error).message}`, 1);
  }
  let venue: Venue;
  try {
    venue = await venues.CcxtVenue.connect({
      exchangeId: m[1],
      credentials: { apiKey: creds.apiKey.reveal(), secret: creds.secret.reveal() },
      ...(values['venue-url'] ? { apiBaseUrl: values['venue-url'] } : {}),
      pollIntervalMs: pollMs,
      timeoutMs: venueTimeoutMs,
    });
  } catch (e) {
    fail(`cannot connect to ${values.venue}: ${store.redact((e as Error).message)}`, 1);
  }

  const service = await OrderService.open({
    config: { controls, venue: { id: venue.id, capabilities: venue.capabilities } },
    venue,
    logPath: values.log,
    tickMs,
    redact: (text) => store.redact(text),
    onIssue: (issue) => process.stderr.write(`strata-order-kernel: ${issue.kind}${issue.clientOrderId ? ` ${issue.clientOrderId}` : ''}: ${store.redact(issue.message)}\n`),
  });
  const gateway = new LocalGateway(service);
  const server = new GatewayServer(gateway, { onError: (msg) => process.stderr.write(`strata-order-kernel: ${store.redact(msg)}\n`) });
  await server.listen(values.socket);
  const drift = service.drift();
  for (const d of drift) process.stderr.write(`strata-order-kernel: drift ${d.kind} ${d.clientOrderId}: ${d.message}\n`);
  process.stdout.write(`order-kernel listening on ${values.socket} (venue ${venue.id}, ${service.orders().length} orders in the log, ${drift.length === 0 ? 'no drift' : `${drift.length} drift item(s): commands refused`})\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`strata-order-kernel: ${signal}: stopping\n`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await server.close();
  await gateway.close();
  await venue.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const message = e instanceof OrderShellError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`strata-order-kernel: ${message}\n`);
    process.exit(1);
  },
);
