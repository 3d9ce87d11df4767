import { SocketGateway } from '../src/node/index.js';
import { expect } from 'vitest';
import { CONTRACT_CONTROLS, gatewayContract } from './gateway-contract.js';
import { serverFiles, startEmulator, startServer, stopServer } from './support/server-process.js';

/**
 * The same suite across a process boundary: a spawned `server-main.js` (OrderService + CcxtVenue
 * + SqliteOrderLog) on a Unix socket, ccxt speaking real HTTP to the Binance emulator running in
 * this process, the client a SocketGateway. Orders are counted at the emulator.
 */
gatewayContract(
  'cross-process (SocketGateway → server-main → CcxtVenue → Binance emulator)',
  async () => {
    const emu = await startEmulator();
    const files = serverFiles(CONTRACT_CONTROLS);
    const server = await startServer(files, emu.url);
    const gateway = await SocketGateway.connect(files.socket, { client: 'contract-suite' });
    return {
      gateway,
      symbol: 'BTC/USDT',
      price: 30_000,
      venueOrderCount: async () => emu.orders().length,
      venueOrdersWithId: async (id) => emu.orders().filter((o) => o.clientOrderId === id).length,
      close: async () => {
        await gateway.close();
        const code = await stopServer(server);
        await emu.stop();
        files.cleanup();
        expect(code, `server exit code (stderr: ${server.stderr()})`).toBe(0);
      },
    };
  },
  { timeoutMs: 60_000 },
);
