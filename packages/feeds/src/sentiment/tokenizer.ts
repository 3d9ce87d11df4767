/**
 * The `strata-bow/v1` tokenizer: text → tokens → a bag-of-words count vector over a fixed
 * vocabulary. Shared by the model build (scripts/build-sentiment-model.mjs) and inference
 * (`scoreNews`), so both see exactly the same features.
 *
 * Rules, in order:
 * 1. NFKC-normalise, lower-case, curly apostrophes → `'`.
 * 2. Split into clauses at `. , ; : ! ? ( ) [ ] "` and quotes.
 * 3. Split each clause into words at anything other than `a-z 0-9 ' -`; strip leading and
 *    trailing `'` / `-`, and a trailing possessive `'s`.
 * 4. Negation: a negator (`not`, `no`, `never`, `without`, `nor`, `neither`, `cannot`, `none`,
 *    `hardly`, or any word ending in `n't`) is dropped and marks the next
 *    {@link NEGATION_SCOPE} words of the same clause with a leading `!` (`no recession` →
 *    `!recession`). Negated words are features of their own.
 *
 * Counting: every token whose text is in the vocabulary adds 1 to its feature; the rest are
 * ignored.
 */

export const TOKENIZER_ID = 'strata-bow/v1' as const;

/** Words after a negator that are marked as negated. */
export const NEGATION_SCOPE = 3;

export const NEGATORS: ReadonlySet<string> = new Set(['not', 'no', 'never', 'without', 'nor', 'neither', 'cannot', 'none', 'hardly']);

const CLAUSE = /[.,;:!?()[\]"\u201c\u201d]+/;
const WORD_SPLIT = /[^a-z0-9'-]+/;

/** The tokens of `text` (see the module comment for the rules). */
export function tokenize(text: string): string[] {
  const s = text.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'");
  const out: string[] = [];
  for (const clause of s.split(CLAUSE)) {
    let scope = 0;
    for (const raw of clause.split(WORD_SPLIT)) {
      let t = raw.replace(/^['-]+|['-]+$/g, '');
      if (t.endsWith("'s")) t = t.slice(0, -2);
      if (t === '') continue;
      if (NEGATORS.has(t) || t.endsWith("n't")) {
        scope = NEGATION_SCOPE;
        continue;
      }
      if (scope > 0) {
        out.push(`!${t}`);
        scope--;
      } else {
        out.push(t);
      }
    }
  }
  return out;
}

/** Feature index of each vocabulary entry; throws on duplicates. */
export function vocabularyIndex(features: readonly string[]): ReadonlyMap<string, number> {
  const index = new Map<string, number>();
  features.forEach((f, i) => {
    if (index.has(f)) throw new Error(`duplicate vocabulary feature "${f}"`);
    index.set(f, i);
  });
  return index;
}

/**
 * Adds the counts of `text`'s tokens into `out[offset .. offset + V)`, where V is the vocabulary
 * size (the caller zeroes the row). Returns how many tokens were in the vocabulary.
 */
export function countFeatures(text: string, index: ReadonlyMap<string, number>, out: Float32Array | Float64Array, offset = 0): number {
  let hits = 0;
  for (const t of tokenize(text)) {
    const k = index.get(t);
    if (k !== undefined) {
      out[offset + k]! += 1;
      hits++;
    }
  }
  return hits;
}
