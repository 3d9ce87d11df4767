import { fileURLToPath } from 'node:url';
import { createDefaultRegistry, scoreNews } from '@strata/feeds';
import { describe, expect, it } from 'vitest';
import { onnxSentimentScorer, registryNewsSource } from './index.js';

const DATA = fileURLToPath(new URL('../../../../examples/data', import.meta.url));

describe('the agent adapters over the local sentiment pipeline', () => {
  it('registryNewsSource serves news.local by symbol and range', async () => {
    const src = registryNewsSource(createDefaultRegistry({ dataDir: DATA }));
    const all = await src.news({ symbol: 'SPY' });
    expect(all.length).toBe(43);
    const h2 = await src.news({ symbol: 'SPY', from: Date.UTC(2024, 6, 1), to: Date.UTC(2024, 11, 31) });
    expect(h2.length).toBeGreaterThan(0);
    expect(h2.every((h) => h.ts >= Date.UTC(2024, 6, 1) && h.ts <= Date.UTC(2024, 11, 31) && h.symbols.includes('SPY'))).toBe(true);
  });

  it('onnxSentimentScorer gives the same scores as scoreNews', async () => {
    const texts = ['Stocks surge as inflation cools', 'Shares tumble on recession fears'];
    const scores = await onnxSentimentScorer().score(texts);
    expect(scores).toEqual(await scoreNews(texts.map((headline) => ({ headline }))));
    expect(scores[0]).toBeGreaterThan(0);
    expect(scores[1]).toBeLessThan(0);
  });
});
