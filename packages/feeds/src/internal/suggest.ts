import { distance } from 'fastest-levenshtein';

/** The closest candidate by edit distance (case-insensitive), if it is close enough to be a likely typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const hay = c.toLowerCase();
    const d = hay === needle ? 0 : hay.replaceAll('/', '') === needle.replaceAll('/', '') ? 0.5 : distance(needle, hay);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  // Short tickers are dense (GLD is two edits from XLB): one edit only below five characters.
  const len = Math.max(needle.length, best.length);
  const limit = len <= 4 ? 1 : Math.max(2, Math.floor(len / 4));
  return bestD <= limit ? best : undefined;
}

/** `a, b, c` — or the first `max` and a count of the rest. */
export function listSome(items: readonly string[], max = 40): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … (${items.length - max} more)`;
}
