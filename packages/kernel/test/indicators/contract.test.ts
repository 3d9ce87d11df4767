/**
 * The contract suite every streaming indicator must pass (one suite, applied to each registry entry):
 *  (a) on the real SPY series, after warm-up, values match an independent implementation (TA-Lib
 *      where the catalog names a reference) to 1e-9 relative (1e-9 absolute below magnitude 1), and
 *      the first valid bar is the catalog's lookback, NaN before it;
 *  (b) incremental == batch: any chunking, any output offset, interleaved instances, fresh
 *      instances — all bit-identical (Object.is) to one pass;
 *  (c) bars with a NaN input (leading or anywhere) leave the state unchanged and output NaN, so
 *      they only shift the warm-up;
 *  (d) update writes exactly its outputs, in place, and touches neither the rest of `out` nor `x`.
 */
import { CATALOG } from '@strata/compiler';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { INDICATORS, runIndicator, type IndicatorParams, type StreamingIndicator } from '../../src/indicators/index.js';
import { CASES, IMPLEMENTED_KINDS, entryOf, inputColumns, lookbackOf, type IndicatorCase } from './cases.js';
import { loadSpy } from './spy.js';

const TOL = 1e-9;
const spy = loadSpy();
const casesByName = new Map(CASES.map((c) => [c.name, c]));
const registry = Object.keys(INDICATORS).sort();

function make(name: string, params: IndicatorParams): StreamingIndicator {
  const f = INDICATORS[name];
  if (!f) throw new Error(`no indicator ${name}`);
  return f(params);
}

function firstValid(a: Float64Array): number {
  for (let t = 0; t < a.length; t++) if (!Number.isNaN(a[t]!)) return t;
  return a.length;
}

const dateOf = (t: number): string => new Date(spy.ts[t]!).toISOString().slice(0, 10);

/** Observed worst error per (indicator, params), printed at the end for the record. */
const observed: { name: string; params: string; against: string; maxRel: number; compared: number }[] = [];

afterAll(() => {
  const rows = observed
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r) => `${r.name.padEnd(16)} ${r.params.padEnd(62)} ${r.maxRel.toExponential(2).padStart(9)}  (${r.compared} values vs ${r.against})`);
  console.info(`max |kernel − reference| / max(1, |reference|) on SPY (${spy.length} bars):\n${rows.join('\n')}`);
});

describe('registry', () => {
  const wanted = [...CATALOG.values()].filter((e) => IMPLEMENTED_KINDS.includes(e.kind)).map((e) => e.name).sort();

  it('implements exactly the catalog entries of kind indicator, rolling, event and drawing', () => {
    expect(registry, 'INDICATORS keys must equal the catalog names of those kinds').toEqual(wanted);
  });

  it('has a contract case for every implementation', () => {
    expect([...casesByName.keys()].sort(), 'every indicator needs a row in cases.ts').toEqual(registry);
  });

  it.each(registry)('%s declares as many outputs as its catalog entry', (name) => {
    const c = casesByName.get(name)!;
    expect(make(name, c.small).outputs, 'outputs must match the catalog entry').toBe(entryOf(name).outputs.length);
  });

  it('has SPY data of the expected length', () => {
    expect(spy.length, 'the full SPY series (PROVENANCE.md)').toBeGreaterThanOrEqual(8221);
  });
});

// ——— random bars for the property tests ———

interface RandomBars {
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/**
 * Prices on a quarter grid (exact in binary) so equal highs, flat closes, zero ranges and exact
 * crosses happen often; volume is sometimes 0; bars are 1 to 24 hours apart, crossing UTC days.
 */
const barsArb: fc.Arbitrary<RandomBars> = fc
  .array(
    fc.record({
      step: fc.integer({ min: -4, max: 4 }),
      open: fc.integer({ min: -2, max: 2 }),
      up: fc.integer({ min: 0, max: 3 }),
      down: fc.integer({ min: 0, max: 3 }),
      volume: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
      gapHours: fc.constantFrom(1, 1, 1, 4, 24),
    }),
    { maxLength: 240 },
  )
  .map((rows) => {
    const n = rows.length;
    const b = {
      length: n,
      ts: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    let close = 100;
    let ts = 0;
    rows.forEach((r, t) => {
      const open = Math.max(1, close + r.open * 0.25);
      close = Math.max(1, close + r.step * 0.25);
      ts += r.gapHours * 3_600_000;
      b.ts[t] = ts;
      b.open[t] = open;
      b.close[t] = close;
      b.high[t] = Math.max(open, close) + r.up * 0.25;
      b.low[t] = Math.max(0.25, Math.min(open, close) - r.down * 0.25);
      b.volume[t] = r.volume;
    });
    return b;
  });

const SENTINEL = -123456.789;

/**
 * Feeds bars one at a time, in chunks; each chunk writes at its own offset of a sentinel-filled
 * buffer. Checks the in-place contract on every update and returns the outputs per bar.
 */
function feed(ind: StreamingIndicator, cols: readonly Float64Array[], ts: Float64Array, chunks: readonly number[], offsets: readonly number[]): Float64Array[] {
  const k = ind.outputs;
  const n = ts.length;
  const m = cols.length;
  const buf = new Float64Array(k + 40).fill(SENTINEL);
  const x = new Float64Array(m);
  const res = Array.from({ length: k }, () => new Float64Array(n));
  let t = 0;
  let c = 0;
  while (t < n) {
    const size = chunks.length > 0 ? chunks[c % chunks.length]! : n;
    const o = offsets.length > 0 ? offsets[c % offsets.length]! : 0;
    for (let end = Math.min(n, t + size); t < end; t++) {
      for (let i = 0; i < m; i++) x[i] = cols[i]![t]!;
      const ret: unknown = ind.update(x, ts[t]!, buf, o);
      if (ret !== undefined) throw new Error('update must return nothing');
      for (let i = 0; i < m; i++) if (!Object.is(x[i], cols[i]![t])) throw new Error(`update modified input ${i}`);
      for (let j = 0; j < buf.length; j++) {
        const inside = j >= o && j < o + k;
        if (!inside && !Object.is(buf[j], SENTINEL)) throw new Error(`update wrote out[${j}] outside [${o}, ${o + k})`);
        if (inside && Object.is(buf[j], SENTINEL)) throw new Error(`update left out[${j}] unwritten`);
      }
      for (let j = 0; j < k; j++) {
        res[j]![t] = buf[o + j]!;
        buf[o + j] = SENTINEL;
      }
    }
    c++;
  }
  return res;
}

function expectIdentical(a: readonly Float64Array[], b: readonly Float64Array[], what: string): void {
  expect(a.length).toBe(b.length);
  for (let j = 0; j < a.length; j++) {
    for (let t = 0; t < a[j]!.length; t++) {
      if (!Object.is(a[j]![t], b[j]![t])) throw new Error(`${what}: output ${j} at bar ${t}: ${a[j]![t]} vs ${b[j]![t]}`);
    }
  }
}

// ——— the suite ———

function contractSuite(c: IndicatorCase): void {
  const entry = entryOf(c.name);

  describe('(a) values match an independent implementation on SPY', () => {
    it.each(c.cases.map((k) => [JSON.stringify(k.params), k.against, k] as const))('params %s vs %s', (label, _against, k) => {
      const outs = runIndicator(make(c.name, k.params), inputColumns(c, spy), spy.ts);
      const ref = k.reference(spy);
      const lookback = lookbackOf(c.name, k.params);
      expect(outs.length).toBe(entry.outputs.length);
      expect(ref.length, `${k.against} gives one series per catalog output`).toBe(outs.length);
      let maxRel = 0;
      let compared = 0;
      outs.forEach((ours, j) => {
        const theirs = ref[j]!;
        const out = entry.outputs[j]!.name;
        expect(firstValid(ours), `${c.name}.${out} ${label}: first valid bar must be the catalog lookback`).toBe(lookback);
        expect(firstValid(theirs), `${c.name}.${out} ${label}: ${k.against} must start at the catalog lookback`).toBe(lookback);
        for (let t = lookback; t < spy.length; t++) {
          const a = ours[t]!;
          const r = theirs[t]!;
          const err = Math.abs(a - r) / Math.max(1, Math.abs(r));
          if (!(err <= TOL)) {
            throw new Error(`${c.name}.${out} ${label} at bar ${t} (${dateOf(t)}): kernel ${a} vs ${k.against} ${r} (error ${err.toExponential(2)} > ${TOL})`);
          }
          if (err > maxRel) maxRel = err;
          compared++;
        }
      });
      observed.push({ name: c.name, params: label, against: k.against, maxRel, compared });
    });
  });

  describe('(b) incremental == batch, deterministic', () => {
    it('any chunking and output offset gives the one-pass result, bit for bit', () => {
      fc.assert(
        fc.property(barsArb, fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 5 }), (bars, chunks, offsets) => {
          const cols = inputColumns(c, bars);
          const once = runIndicator(make(c.name, c.small), cols, bars.ts);
          expectIdentical(feed(make(c.name, c.small), cols, bars.ts, chunks, offsets), once, 'chunked');
          expectIdentical(runIndicator(make(c.name, c.small), cols, bars.ts), once, 'fresh instance');
        }),
      );
    });

    it('instances share no state: interleaving two series gives each its own result', () => {
      fc.assert(
        fc.property(barsArb, barsArb, (s1, s2) => {
          const c1 = inputColumns(c, s1);
          const c2 = inputColumns(c, s2);
          const want1 = runIndicator(make(c.name, c.small), c1, s1.ts);
          const want2 = runIndicator(make(c.name, c.small), c2, s2.ts);
          const i1 = make(c.name, c.small);
          const i2 = make(c.name, c.small);
          const k = i1.outputs;
          const got1 = Array.from({ length: k }, () => new Float64Array(s1.length));
          const got2 = Array.from({ length: k }, () => new Float64Array(s2.length));
          const x1 = new Float64Array(c1.length);
          const x2 = new Float64Array(c2.length);
          const out = new Float64Array(2 * k);
          for (let t = 0; t < Math.max(s1.length, s2.length); t++) {
            if (t < s1.length) {
              c1.forEach((col, i) => (x1[i] = col[t]!));
              i1.update(x1, s1.ts[t]!, out, 0);
              for (let j = 0; j < k; j++) got1[j]![t] = out[j]!;
            }
            if (t < s2.length) {
              c2.forEach((col, i) => (x2[i] = col[t]!));
              i2.update(x2, s2.ts[t]!, out, k);
              for (let j = 0; j < k; j++) got2[j]![t] = out[k + j]!;
            }
          }
          expectIdentical(got1, want1, 'interleaved series 1');
          expectIdentical(got2, want2, 'interleaved series 2');
        }),
      );
    });
  });

  describe('(c) NaN inputs are skipped', () => {
    it('leading and interior bars with any NaN input output NaN and change nothing else', () => {
      const m = entry.inputs.length + entry.bar.length;
      const nanRow = fc.record({
        // Which inputs are NaN (at least one); the others carry garbage that must be ignored.
        mask: fc.array(fc.boolean(), { minLength: m, maxLength: m }).filter((a) => a.some(Boolean)),
        garbage: fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: m, maxLength: m }),
        ts: fc.integer({ min: 0, max: 2_000_000_000_000 }),
      });
      fc.assert(
        fc.property(barsArb, fc.array(nanRow, { maxLength: 30 }), fc.array(fc.tuple(fc.nat(), nanRow), { maxLength: 20 }), (bars, prefix, inserts) => {
          const clean = inputColumns(c, bars);
          const want = runIndicator(make(c.name, c.small), clean, bars.ts);
          // Build the dirty series: prefix rows, then real bars with NaN rows inserted before some.
          const at = new Map<number, (typeof prefix)[number][]>();
          for (const [pos, row] of inserts) {
            const p = bars.length > 0 ? pos % bars.length : 0;
            at.set(p, [...(at.get(p) ?? []), row]);
          }
          const dirtyCols: number[][] = clean.map(() => []);
          const dirtyTs: number[] = [];
          const real: number[] = [];
          const pushNan = (row: (typeof prefix)[number]): void => {
            row.mask.forEach((isNan, i) => dirtyCols[i]!.push(isNan ? Number.NaN : row.garbage[i]!));
            dirtyTs.push(row.ts);
          };
          prefix.forEach(pushNan);
          for (let t = 0; t < bars.length; t++) {
            (at.get(t) ?? []).forEach(pushNan);
            real.push(dirtyTs.length);
            clean.forEach((col, i) => dirtyCols[i]!.push(col[t]!));
            dirtyTs.push(bars.ts[t]!);
          }
          const got = runIndicator(make(c.name, c.small), dirtyCols.map((a) => Float64Array.from(a)), Float64Array.from(dirtyTs));
          const isReal = new Set(real);
          for (let j = 0; j < got.length; j++) {
            for (let r = 0; r < dirtyTs.length; r++) {
              if (!isReal.has(r) && !Number.isNaN(got[j]![r]!)) throw new Error(`output ${j} on NaN row ${r} is ${got[j]![r]}, want NaN`);
            }
            real.forEach((r, t) => {
              if (!Object.is(got[j]![r], want[j]![t])) throw new Error(`output ${j} at real bar ${t}: ${got[j]![r]} with NaN rows vs ${want[j]![t]} without`);
            });
          }
          // Leading NaN rows shift the first valid output by exactly their number.
          if (inserts.length === 0 && bars.length > 0) {
            const fw = firstValid(want[0]!);
            expect(firstValid(got[0]!), 'warm-up shifted by the NaN prefix').toBe(fw < bars.length ? fw + prefix.length : dirtyTs.length);
          }
        }),
      );
    });
  });

  describe('(d) writes in place', () => {
    it('writes exactly its outputs at out[o..o+outputs), leaves x and the rest of out alone, on SPY', () => {
      const cols = inputColumns(c, spy);
      const ind = make(c.name, c.cases[0]!.params);
      // feed() throws on any out-of-range write, unwritten output or modified input.
      const got = feed(ind, cols, spy.ts, [1, 7, 100, 3], [0, 5, 17]);
      expect(got.length).toBe(entry.outputs.length);
    });
  });
}

describe.each(registry)('%s', (name) => {
  const c = casesByName.get(name);
  if (!c) {
    it('has a contract case', () => {
      expect.fail(`no row for ${name} in cases.ts`);
    });
    return;
  }
  contractSuite(c);
});
