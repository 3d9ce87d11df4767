import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DATA } from '../test/helpers.js';
import { FeedError, isFeedError } from './errors.js';
import { createFileNewsFeed, loadNews, parseNews } from './news-file.js';
import { createDefaultRegistry } from './registry.js';

const good = (id: string, ts: number, symbols: string[] = ['SPY'], headline = 'Stocks rally'): string => JSON.stringify({ schema: 'news/v1', id, ts, source: 'test', symbols, headline });


describe('news JSON Lines files', () => {
  it('parses valid lines, sorts by time (stable), and warns about blank lines', () => {
    const text = [good('b', 2000), '', good('a', 1000), good('c', 2000)].join('\n') + '\n';
    const { items, issues } = parseNews(text, 'f.jsonl');
    expect(items.map((i) => i.id), 'sorted by ts; b before c (file order) at equal ts').toEqual(['a', 'b', 'c']);
    expect(issues).toEqual([{ severity: 'warning', code: 'blank_line', message: 'empty line (skipped)', file: 'f.jsonl', line: 2 }]);
  });

  it.each([
    ['not JSON', '{"schema": "news/v1", "id": ', /f\.jsonl:2: error invalid_record: not JSON/],
    ['a missing headline', JSON.stringify({ schema: 'news/v1', id: 'x', ts: 1, source: 's', symbols: [] }), /f\.jsonl:2: error invalid_record: not a valid news\/v1 record: .*headline/],
    ['a wrong schema tag', JSON.stringify({ schema: 'bar/v1', id: 'x' }), /f\.jsonl:2: error invalid_record: .*expected news\/v1/],
    ['a fractional timestamp', good('x', 1.5), /f\.jsonl:2: error invalid_record: .*\/ts/],
    ['a repeated id', good('a', 5), /f\.jsonl:2: error duplicate_id: id "a" is already used on line 1/],
  ])('a line with %s fails the load with file:line', (_label, line, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-news-'));
    const file = join(dir, 'f.jsonl');
    writeFileSync(file, `${good('a', 1)}\n${line}\n${good('z', 9)}\n`);
    let err: unknown;
    try {
      loadNews(file);
    } catch (e) {
      err = e;
    }
    expect(isFeedError(err, 'invalid_data'), String(err)).toBe(true);
    expect((err as FeedError).message).toMatch(/has 1 invalid line:/);
    expect((err as FeedError).message).toMatch(message);
    expect((err as FeedError).issues.filter((i) => i.severity === 'error').map((i) => i.line)).toEqual([2]);
  });

  it('a missing file is an io_error naming it', () => {
    expect(() => loadNews('/nonexistent/SPY.jsonl')).toThrow(/cannot read news file \/nonexistent\/SPY\.jsonl: no such file/);
  });
});

describe('the news.local feed', () => {
  const feed = createDefaultRegistry({ dataDir: EXAMPLES_DATA }).news('news.local');

  it('serves the bundled illustrative SPY news, sorted by time, every item naming SPY', async () => {
    const { records, issues } = await feed.history({ symbols: ['SPY'] });
    expect(issues).toEqual([]);
    expect(records.length).toBe(43);
    expect(records.every((r, i) => i === 0 || records[i - 1]!.ts <= r.ts)).toBe(true);
    expect(records.every((r) => r.symbols.includes('SPY') && r.source === 'strata-illustrative' && r.meta?.['illustrative'] === true)).toBe(true);
    expect(await feed.symbols()).toEqual(['SPY']);
  });

  it('filters by publication time', async () => {
    const { records } = await feed.history({ symbols: ['SPY'], from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 11, 31, 23, 59, 59) });
    expect(records.length).toBeGreaterThan(10);
    expect(records.every((r) => r.ts >= Date.UTC(2024, 0, 1))).toBe(true);
  });

  it('names the missing file and the available symbols for an unknown symbol', async () => {
    await expect(feed.history({ symbols: ['SPX'] })).rejects.toThrow(/news\.local: no news for SPX \(did you mean SPY\?\) in .*news \(expected SPX\.jsonl\); available: SPY/);
  });

  it('keeps one copy of an item listed in two symbol files and refuses a differing copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-news-'));
    mkdirSync(join(dir, 'news'));
    writeFileSync(join(dir, 'news', 'SPY.jsonl'), `${good('both', 5, ['SPY', 'QQQ'])}\n${good('s', 6)}\n`);
    writeFileSync(join(dir, 'news', 'QQQ.jsonl'), `${good('both', 5, ['SPY', 'QQQ'])}\n${good('q', 4, ['QQQ'])}\n`);
    const f = createFileNewsFeed({ id: 'news.test', dataDir: dir });
    const { records } = await f.history({ symbols: ['SPY', 'QQQ'] });
    expect(records.map((r) => r.id)).toEqual(['q', 'both', 's']);
    writeFileSync(join(dir, 'news', 'QQQ.jsonl'), `${good('both', 5, ['SPY', 'QQQ'], 'Other text')}\n`);
    await expect(f.history({ symbols: ['SPY', 'QQQ'] })).rejects.toThrow(/news id "both" differs between/);
  });
});
