import { closest as closestOf, distance } from 'fastest-levenshtein';

/** Close enough to suggest: at most a third of the letters differ (at least one may). */
export function similar(a: string, b: string): boolean {
  if (a === b) return false;
  if (isTransposition(a.toLowerCase(), b.toLowerCase())) return true;
  return distance(a.toLowerCase(), b.toLowerCase()) <= Math.max(1, Math.floor(Math.max(a.length, b.length) / 3));
}

/** The candidate nearest to `name`. Candidates must be non-empty. */
export function closest(name: string, candidates: readonly string[]): string {
  return closestOf(name, candidates as string[]);
}

/** The nearest candidate when it is close enough to be a likely typo, else undefined. Deterministic: ties go to the first candidate in sorted order. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...new Set(candidates)].sort();
  if (list.length === 0) return undefined;
  const swapped = list.find((c) => isTransposition(name.toLowerCase(), c.toLowerCase()));
  if (swapped !== undefined) return swapped;
  const best = closestOf(name, list);
  return similar(name, best) ? best : undefined;
}

/** Whether b is a with two adjacent letters swapped (`fsat` / `fast`): one typo, though Levenshtein counts two. */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a.length < 2) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
