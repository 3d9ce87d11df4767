/** Timeframes: `<n><unit>` with unit m (minute), h, d, w (week), M (calendar month). */

const UNIT_MINUTES: Readonly<Record<string, number>> = { m: 1, h: 60, d: 1440, w: 10080, M: 43200 };

export function parseTimeframe(tf: string): { n: number; unit: 'm' | 'h' | 'd' | 'w' | 'M' } | undefined {
  const m = /^([1-9][0-9]{0,3})(m|h|d|w|M)$/.exec(tf);
  if (!m) return undefined;
  return { n: Number(m[1]), unit: m[2] as 'm' | 'h' | 'd' | 'w' | 'M' };
}

/** Nominal length in minutes (a month counts 30 days): for ordering, never for calendars. */
export function tfMinutes(tf: string): number {
  const p = parseTimeframe(tf);
  return p ? p.n * UNIT_MINUTES[p.unit]! : Number.POSITIVE_INFINITY;
}

/**
 * Whether bars of `coarse` are made of whole bars of `base`, so a coarse bar closes exactly on a
 * base bar's close: minute/hour/day multiples; weeks over days (1d) or intraday; months over days
 * or intraday. Weeks do not nest in months, nor multi-day bars in weeks.
 */
export function nests(base: string, coarse: string): { ok: true } | { ok: false; reason: string } {
  const b = parseTimeframe(base);
  const c = parseTimeframe(coarse);
  if (!b || !c) return { ok: false, reason: 'not a timeframe' };
  const bm = tfMinutes(base);
  const cm = tfMinutes(coarse);
  if (cm <= bm) return { ok: false, reason: `\`${coarse}\` is not coarser than the base timeframe \`${base}\`` };
  if (c.unit === 'M') {
    if (b.unit === 'w') return { ok: false, reason: 'weeks do not nest in months' };
    if (b.unit === 'M') return b.n > 0 && c.n % b.n === 0 ? { ok: true } : { ok: false, reason: `\`${coarse}\` is not a whole number of \`${base}\` bars` };
    if (b.unit === 'd' && b.n !== 1) return { ok: false, reason: `\`${base}\` bars do not nest in months` };
    return 1440 % bm === 0 || b.unit === 'd' ? { ok: true } : { ok: false, reason: `\`${base}\` bars do not nest in days` };
  }
  if (c.unit === 'w') {
    if (b.unit === 'd' && b.n !== 1) return { ok: false, reason: `\`${base}\` bars do not nest in weeks` };
    if (b.unit === 'w') return c.n % b.n === 0 ? { ok: true } : { ok: false, reason: `\`${coarse}\` is not a whole number of \`${base}\` bars` };
    return b.unit === 'd' || 1440 % bm === 0 ? { ok: true } : { ok: false, reason: `\`${base}\` bars do not nest in days` };
  }
  return cm % bm === 0 ? { ok: true } : { ok: false, reason: `\`${coarse}\` is not a whole number of \`${base}\` bars` };
}
