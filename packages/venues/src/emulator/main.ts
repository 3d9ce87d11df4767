#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { BinanceEmulator } from './server.js';

const USAGE = `usage: strata-binance-emulator [--port N] [--host H] [--state FILE] [--api-key KEY] [--secret S]
                              [--balance ASSET=AMOUNT]... [--price SYMBOL=PRICE]...
Serves Binance spot REST v3 (the subset ccxt uses) on http://HOST:PORT/api/v3 until interrupted.
  --port      port to listen on (default 0: an ephemeral port, printed on start)
  --host      interface (default 127.0.0.1)
  --state     JSON file holding the exchange state: loaded when present, rewritten after every change
  --api-key   accepted API key (default: $BINANCE_EMULATOR_API_KEY or "emulatorkey")
  --secret    its HMAC secret (default: $BINANCE_EMULATOR_SECRET or "emulatorsecret")
  --balance   opening free balance, e.g. --balance USDT=10000 (ignored when --state exists)
  --price     opening price, e.g. --price BTCUSDT=30000`;

function pairs(values: readonly string[] | undefined, flag: string): [string, number][] {
  return (values ?? []).map((v) => {
    const m = /^([A-Z0-9]+)=([0-9]+(\.[0-9]+)?)$/.exec(v);
    if (m === null) throw new Error(`${flag} expects NAME=NUMBER, got "${v}"`);
    return [m[1] as string, Number(m[2])];
  });
}

async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        state: { type: 'string' },
        'api-key': { type: 'string' },
        secret: { type: 'string' },
        balance: { type: 'string', multiple: true },
        price: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (args.values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const port = Number(args.values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port expects 0..65535, got "${args.values.port}"`);
    const emulator = new BinanceEmulator({
      apiKey: args.values['api-key'] ?? process.env['BINANCE_EMULATOR_API_KEY'] ?? 'emulatorkey',
      secret: args.values.secret ?? process.env['BINANCE_EMULATOR_SECRET'] ?? 'emulatorsecret',
      host: args.values.host,
      port,
      balances: Object.fromEntries(pairs(args.values.balance, '--balance')),
      ...(args.values.state === undefined ? {} : { statePath: args.values.state }),
    });
    const prices = pairs(args.values.price, '--price');
    const url = await emulator.start();
    for (const [symbol, price] of prices) emulator.setPrice(symbol, price);
    process.stdout.write(`binance emulator listening on ${url}/api/v3\n`);
    await new Promise<void>((resolve) => {
      const stop = () => void emulator.stop().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
