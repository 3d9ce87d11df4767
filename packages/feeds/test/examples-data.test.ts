/** The ETF data bundled in examples/data: byte-identical to the shared source, documented, and clean. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../src/registry.js';
import { EXAMPLES_DATA, SECTOR_ROTATION_SYMBOLS, SHARED_DATA } from './helpers.js';

const sums = (file: string): Map<string, string> =>
  new Map(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [hash, name] = l.split(/\s+/);
        return [name as string, hash as string];
      }),
  );

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('examples/data', () => {
  const local = sums(join(EXAMPLES_DATA, 'SHA256SUMS'));

  it('holds exactly the 11 ETF files the examples need', () => {
    expect(readdirSync(join(EXAMPLES_DATA, 'etf')).sort()).toEqual(SECTOR_ROTATION_SYMBOLS.map((s) => `${s}.csv`).sort());
    expect([...local.keys()].sort()).toEqual(SECTOR_ROTATION_SYMBOLS.map((s) => `etf/${s}.csv`).sort());
  });

  it.each(SECTOR_ROTATION_SYMBOLS)('%s.csv matches SHA256SUMS, the shared source checksum, and PROVENANCE.md', (symbol) => {
    const name = `etf/${symbol}.csv`;
    const actual = sha256(join(EXAMPLES_DATA, name));
    expect(local.get(name)).toBe(actual);
    expect(sums(join(SHARED_DATA, 'SHA256SUMS')).get(name)).toBe(actual);
    expect(readFileSync(join(EXAMPLES_DATA, 'PROVENANCE.md'), 'utf8')).toContain(`| ${name} |`);
    expect(readFileSync(join(EXAMPLES_DATA, 'PROVENANCE.md'), 'utf8')).toContain(actual);
  });

  it('loads through equities.us.daily with zero errors; the only warning is XLI 1999-01-26 zero volume', async () => {
    const feed = createDefaultRegistry({ dataDir: EXAMPLES_DATA }).bars('equities.us.daily');
    const h = await feed.history({ symbols: SECTOR_ROTATION_SYMBOLS });
    expect(h.issues.map((i) => [i.symbol, i.severity, i.code, i.line])).toEqual([['XLI', 'warning', 'zero_volume', 24]]);
    expect(h.series.get('XLI')?.volume[22]).toBe(0);
    expect(new Date(h.series.get('XLI')?.ts[22] ?? 0).toISOString().slice(0, 10)).toBe('1999-01-26');
  });
});
