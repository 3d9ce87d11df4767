import { describe, expect, it } from 'vitest';
import { countFeatures, tokenize, vocabularyIndex } from './tokenizer.js';

describe('strata-bow/v1 tokenizer', () => {
  it.each([
    ['Stocks RALLY to Records', ['stocks', 'rally', 'to', 'records'], 'lower-cased, split at spaces'],
    ['Sell-off deepens; bank’s shares slide', ['sell-off', 'deepens', 'bank', 'shares', 'slide'], 'hyphen kept, curly possessive dropped'],
    ['No recession in sight', ['!recession', '!in', '!sight'], 'a negator marks the next three words'],
    ['Markets do not expect a recession this year', ['markets', 'do', '!expect', '!a', '!recession', 'this', 'year'], 'the scope is three words'],
    ["Fed won't cut, stocks fall", ['fed', '!cut', 'stocks', 'fall'], "a word ending in n't negates; the scope ends at the comma"],
    ['  --Gains--  ', ['gains'], 'leading and trailing dashes stripped'],
    ['', [], 'empty text'],
  ])('%s', (text, tokens, why) => {
    expect(tokenize(text), why).toEqual(tokens);
  });

  it('counts only vocabulary words, repeats included, at the row offset', () => {
    const index = vocabularyIndex(['fall', 'rally', '!recession']);
    const out = new Float32Array(6);
    const hits = countFeatures('Rally, rally! No recession; shares fall', index, out, 3);
    expect(Array.from(out), 'row 2 holds rally ×2, !recession ×1, fall ×1').toEqual([0, 0, 0, 1, 2, 1]);
    expect(hits).toBe(4);
  });

  it('refuses a vocabulary with duplicates', () => {
    expect(() => vocabularyIndex(['a', 'b', 'a'])).toThrow(/duplicate vocabulary feature "a"/);
  });
});
