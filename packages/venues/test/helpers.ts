import { BinanceEmulator, type BinanceEmulatorOptions } from '../src/emulator/server.js';
import { CcxtVenue, type CcxtVenueOptions } from '../src/ccxt/venue.js';
import type { VenueHarness } from './venue-contract.js';

export const API_KEY = 'vmUiEvKZ0T4bTestKeyDoNotUse7Hq';
export const SECRET = 'Sxq3nRw9TestSecretDoNotUse0aLp2';

export async function startEmulator(options: Partial<BinanceEmulatorOptions> = {}): Promise<BinanceEmulator> {
  const emu = new BinanceEmulator({ apiKey: API_KEY, secret: SECRET, balances: { USDT: 10_000, BTC: 0.5, ETH: 2 }, ...options });
  await emu.start();
  emu.setPrice('BTCUSDT', 30_000);
  emu.setPrice('ETHUSDT', 2_000);
  return emu;
}

/** A CcxtVenue on the emulator: ccxt's real binance class and HTTP client, short timeouts and pauses. */
export function connectVenue(emu: BinanceEmulator, options: Partial<CcxtVenueOptions> = {}): Promise<CcxtVenue> {
  return CcxtVenue.connect({
    exchangeId: 'binance',
    credentials: { apiKey: API_KEY, secret: SECRET },
    apiBaseUrl: emu.url,
    enableRateLimit: false,
    timeoutMs: 2_000,
    readRetry: { attempts: 4, budgetMs: 2_000, baseDelayMs: 5, maxDelayMs: 40, jitter: 0.5, seed: 7 },
    pollIntervalMs: 25,
    ...options,
  });
}

export async function ccxtHarness(): Promise<VenueHarness> {
  const emu = await startEmulator();
  const venue = await connectVenue(emu, { watchSymbols: ['BTC/USDT'] });
  return {
    venue,
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    price: 30_000,
    qty: 0.01,
    setPrice: async (p) => emu.setPrice('BTCUSDT', p),
    settle: () => venue.poll(),
    close: async () => {
      await venue.close();
      await emu.stop();
    },
  };
}
