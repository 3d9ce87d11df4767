/** Shared test helpers: data locations and temp-dir fixtures. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(PACKAGE_DIR, '../..');
/** The shared real-data folder (CI checks it out beside the repository). */
export const SHARED_DATA = process.env['STRATA_SHARED_DATA'] ?? resolve(REPO_ROOT, '../shared/data');
/** The data bundled with the examples. */
export const EXAMPLES_DATA = join(REPO_ROOT, 'examples/data');

export const SECTOR_ROTATION_SYMBOLS = ['SPY', 'XLK', 'XLF', 'XLE', 'XLY', 'XLP', 'XLV', 'XLU', 'XLI', 'XLB', 'BIL'] as const;

/** A temp directory removed after the test file; `write` creates files (and parents) in it. */
export function tempDir(prefix = 'strata-feeds-'): { dir: string; write(rel: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(rel, text) {
      const file = join(dir, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
  };
}

/** ms of a `YYYY-MM-DD` date or ISO instant (UTC). */
export const utc = (s: string): number => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);

export const ETF_HEADER = 'date,open,high,low,close,adj_close,volume';
export const CRYPTO_HEADER = 'ts,open,high,low,close,volume';

/** The error `fn` throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the call to throw, it returned normally');
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejected(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the promise to reject, it resolved');
}
