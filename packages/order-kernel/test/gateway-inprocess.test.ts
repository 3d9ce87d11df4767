import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalGateway, OrderService } from '../src/node/index.js';
import { CONTRACT_CONTROLS, gatewayContract } from './gateway-contract.js';
import { MemoryVenue } from './support/memory-venue.js';

gatewayContract('in-process (LocalGateway over OrderService, MemoryVenue)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-gw-local-'));
  const venue = new MemoryVenue({ id: 'memory' });
  venue.setPrice('BTC/USDT', 30_000);
  const service = await OrderService.open({
    config: { controls: CONTRACT_CONTROLS, venue: { id: venue.id, capabilities: venue.capabilities } },
    venue,
    logPath: join(dir, 'orders.sqlite'),
    tickMs: 0,
  });
  const gateway = new LocalGateway(service);
  return {
    gateway,
    symbol: 'BTC/USDT',
    price: 30_000,
    venueOrderCount: async () => venue.created.length,
    venueOrdersWithId: async (id) => venue.created.filter((o) => o.clientOrderId === id).length,
    close: async () => {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
