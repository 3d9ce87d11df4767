import type { Plan, PlanNode, PlanParamValue } from '@strata/compiler';
import type { BarSeries } from '@strata/feeds';
import { KernelError } from './errors.js';
import { SignalEngine } from './signals.js';
import { SeriesStream } from './stream.js';
import { bucketStart, parseTf } from './timeframe.js';

/**
 * Warm-up analysis: how much each node's value still depends on where history starts.
 *
 * The signal DAG runs once over the whole history (the reference), then again from later starts:
 * for each tested history length k, the short run starts k bars before the evaluation bar, so it
 * has seen k bars of history when it evaluates that bar. Every node output of the short runs is
 * compared with the reference, at the evaluation bar and at every bar before it. An output has
 * converged after N bars when, in every short run, every value computed with N or more bars of
 * history before it is within the tolerance of the reference. docs/warmup-analysis.md is the
 * contract. Pure: no I/O, no clock; the same plan and data give the same report.
 */
export interface WarmupAnalysisOptions {
  /** Evaluation point (ms UTC): the last bar that opens at or before it. Default: the last bar. */
  readonly at?: number;
  /**
   * History lengths to test, in base bars before the evaluation bar. Default: 1, 2, 3, 5 and 10
   * times the plan's declared warm-up (in base bars; at least 1). Lengths that reach the start of
   * the data are skipped (a run from the first bar is the reference itself).
   */
  readonly historyLengths?: readonly number[];
  /** Largest relative difference still counted as converged (default 1e-6). */
  readonly tolerance?: number;
}

export const WARMUP_ANALYSIS_SCHEMA = 'strata.warmup-analysis/v1';
export const DEFAULT_WARMUP_TOLERANCE = 1e-6;
export const DEFAULT_WARMUP_MULTIPLES: readonly number[] = [1, 2, 3, 5, 10];

/** The state of one output at the evaluation bar of a short run. */
export type WarmupEvalStatus =
  /** Both runs have a value; the difference is reported. */
  | 'compared'
  /** The reference has a value, the short run not yet (NaN): too little history even to be valid. */
  | 'short-nan'
  /** The short run has a value, the reference does not. */
  | 'reference-nan'
  /** Neither run has a value at this bar. */
  | 'both-nan';

export interface WarmupEvalResult {
  readonly status: WarmupEvalStatus;
  /** |short − reference| when compared (bools: 0 same, 1 differs), else null. */
  readonly absDiff: number | null;
  /** absDiff / max(|reference|, 1% of the output's scale) (see WarmupOutputReport.scale), else null. */
  readonly relDiff: number | null;
  /** Per symbol only: the two values (null for NaN). */
  readonly reference?: number | null;
  readonly short?: number | null;
}

export interface WarmupLengthResult {
  /** History length: bars of the short run before the evaluation bar. */
  readonly bars: number;
  readonly atEval: WarmupEvalResult;
  /** Largest differences over every bar of the short run from the end of the node's declared warm-up to the evaluation bar (null: no bar with both values). */
  readonly maxAbsDiff: number | null;
  readonly maxRelDiff: number | null;
  /** Bars compared for the maxima (summed over symbols in the summary). */
  readonly comparedBars: number;
  /** Of those, bars where exactly one run had a value (NaN on the other side). */
  readonly invalidBars: number;
  /** Bool outputs: fraction of the compared bars where the runs disagree (summary: worst symbol). */
  readonly disagreement?: number;
}

export interface WarmupOutputReport {
  /** Plan reference: `n6`, or `n9.upper` for an output of a multi-output node. */
  readonly ref: string;
  readonly node: string;
  readonly output: string | null;
  readonly op: string;
  readonly type: 'number' | 'bool';
  readonly tf: string;
  readonly inputs: readonly string[];
  readonly labels: readonly string[];
  readonly params: Readonly<Record<string, PlanParamValue>>;
  /** Declared by the compiler: bars the node itself consumes before its first value (TA-Lib convention). */
  readonly lookback: number;
  /** Declared warm-up per timeframe, counting the inputs. */
  readonly warmup: Readonly<Record<string, number>>;
  /** The declared warm-up in base bars (coarser timeframes converted at the data's bars per bucket). */
  readonly warmupBars: number;
  readonly unstable: boolean;
  /**
   * The output's magnitude: the largest finite |reference value| over the compared window (1 when
   * that is 0, and for bools). Relative differences divide by max(|reference value|, 1% of it), so
   * outputs that cross zero (MACD histogram, momentum) do not blow up there. Per symbol only.
   */
  readonly scale?: number;
  /** One entry per tested history length, shortest first. */
  readonly lengths: readonly WarmupLengthResult[];
  /** Bars of history after which the output stays within the tolerance (bools: always agrees); null: not within the tested lengths. */
  readonly convergedAfter: number | null;
  /** The output needs more history than its declared warm-up (or did not converge). */
  readonly beyondWarmup: boolean;
}

export interface WarmupSymbolReport {
  readonly symbol: string;
  /** Bars of this symbol before the evaluation point in the reference run. */
  readonly referenceBars: number;
  readonly outputs: readonly WarmupOutputReport[];
}

export interface WarmupHighlight {
  readonly ref: string;
  readonly op: string;
  readonly labels: readonly string[];
  readonly unstable: boolean;
  readonly lookback: number;
  readonly warmupBars: number;
  readonly convergedAfter: number | null;
  /** convergedAfter / max(warmupBars, 1); null when not converged. */
  readonly ratio: number | null;
}

export interface WarmupRecommendation {
  /** Bars of history to keep before the bar you trade on; null when some output did not converge within the tested lengths. */
  readonly minHistoryBars: number | null;
  readonly declaredWarmupBars: number;
  /** Longest tested history length. */
  readonly testedUpTo: number;
  /** Outputs that set the figure (or did not converge). */
  readonly limitedBy: readonly string[];
  readonly text: string;
}

export interface WarmupReport {
  readonly schema: typeof WARMUP_ANALYSIS_SCHEMA;
  readonly artifact: { readonly name: string; readonly hash: string };
  readonly timeframe: string;
  readonly symbols: readonly string[];
  readonly tolerance: number;
  readonly evaluation: { readonly ts: number; readonly time: string };
  /** Bars (timestamps) before the evaluation bar in the reference run. */
  readonly referenceBars: number;
  readonly declaredWarmup: { readonly bars: number; readonly byTimeframe: Readonly<Record<string, number>> };
  /** Base bars per bar of each timeframe, measured on the data (1 for the base timeframe). */
  readonly barsPerBucket: Readonly<Record<string, number>>;
  readonly historyLengths: readonly number[];
  /** Requested lengths that reach the first bar (nothing to compare) and were left out. */
  readonly skippedLengths: readonly number[];
  /** Worst case over the symbols. */
  readonly outputs: readonly WarmupOutputReport[];
  readonly perSymbol: readonly WarmupSymbolReport[];
  /** Unstable outputs whose dependence on the start of history extends beyond their declared warm-up (and other outputs that do although none of their inputs does), longest first. */
  readonly highlights: readonly WarmupHighlight[];
  readonly recommendation: WarmupRecommendation;
}

interface OutputSpec {
  readonly ref: string;
  readonly node: PlanNode;
  readonly output: string | null;
  readonly type: 'number' | 'bool';
  readonly slot: number;
  readonly warmupBars: number;
}

/** Accumulators of one (run, symbol, output). */
interface Acc {
  status: WarmupEvalStatus;
  evalAbs: number;
  evalRel: number;
  evalRef: number;
  evalShort: number;
  maxAbs: number;
  maxRel: number;
  compared: number;
  invalid: number;
  disagree: number;
}

export function analyzeWarmup(plan: Plan, series: ReadonlyMap<string, BarSeries>, options: WarmupAnalysisOptions = {}): WarmupReport {
  const tolerance = options.tolerance ?? DEFAULT_WARMUP_TOLERANCE;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new KernelError('range', `tolerance ${tolerance}: expected a finite number ≥ 0`);
  const symbols = plan.universe;
  const nSym = symbols.length;
  if (nSym === 0) throw new KernelError('data', 'the plan has an empty universe');
  for (const s of symbols) if (!series.has(s)) throw new KernelError('data', `no data for universe symbol ${s}`);

  // Pass 1: the merged timeline (timestamps) and the evaluation bar.
  const timeline = new SeriesStream(symbols, series);
  const allTs = new Float64Array(Math.max(timeline.total, 0));
  let steps = 0;
  while (timeline.next()) allTs[steps++] = timeline.ts;
  if (steps === 0) throw new KernelError('data', 'the data holds no bars');
  const at = options.at ?? Number.POSITIVE_INFINITY;
  let e = steps - 1;
  while (e >= 0 && allTs[e]! > at) e--;
  if (e < 0) throw new KernelError('range', `the evaluation point ${iso(at)} is before the first bar (${iso(allTs[0]!)})`);
  const ts = allTs.subarray(0, e + 1);

  // Declared warm-up in base bars.
  const base = plan.timeframes.base;
  const barsPerBucket: Record<string, number> = { [base]: 1 };
  for (const tf of [...plan.timeframes.extra].sort()) barsPerBucket[tf] = measureBarsPerBucket(tf, ts);
  const inBaseBars = (w: Readonly<Record<string, number>>) => {
    let m = 0;
    for (const [tf, n] of Object.entries(w)) m = Math.max(m, Math.ceil(n * (barsPerBucket[tf] ?? 1)));
    return m;
  };
  const declaredWarmupBars = inBaseBars(plan.warmup);

  // History lengths.
  const requested = options.historyLengths ?? DEFAULT_WARMUP_MULTIPLES.map((m) => m * Math.max(declaredWarmupBars, 1));
  for (const k of requested) if (!Number.isInteger(k) || k < 1) throw new KernelError('range', `history length ${k}: expected a whole number of bars ≥ 1`);
  const uniq = [...new Set(requested)].sort((a, b) => a - b);
  const lengths = uniq.filter((k) => k < e);
  const skipped = uniq.filter((k) => k >= e);
  if (lengths.length === 0) {
    throw new KernelError('data', `not enough history: the evaluation bar ${iso(ts[e]!)} has ${e} bar${e === 1 ? '' : 's'} before it, and every tested history length (${uniq.join(', ')}) reaches the first bar; use more data, a later evaluation point or shorter lengths`);
  }
  const kMax = lengths[lengths.length - 1]!;
  const w0 = e - kMax;
  const win = e - w0 + 1;

  // Outputs (slots), in plan order.
  const probe = new SignalEngine(plan, symbols);
  if (probe.needsNews) throw new KernelError('unsupported', 'the warm-up analysis does not load news: news_sentiment(window) has a fixed warm-up of window − 1 bars and no unstable memory');
  const slots = probe.slotCount;
  const specs: OutputSpec[] = [];
  for (const n of plan.nodes) {
    const warmupBars = inBaseBars(n.warmup);
    if (n.outputs) for (const o of n.outputs) specs.push({ ref: `${n.id}.${o.name}`, node: n, output: o.name, type: o.type, slot: probe.slot(`${n.id}.${o.name}`), warmupBars });
    else specs.push({ ref: n.id, node: n, output: null, type: n.type ?? 'number', slot: probe.slot(n.id), warmupBars });
  }

  // Pass 2: the reference run over [0, e]; values and rows kept for the window [w0, e].
  const stream = new SeriesStream(symbols, series);
  const columns = stream.columns;
  const ref = new Float64Array(win * nSym * slots);
  const winRows = new Int32Array(win * nSym);
  const refBars = new Int32Array(nSym);
  const reference = new SignalEngine(plan, symbols);
  for (let t = 0; t <= e; t++) {
    stream.next();
    reference.clock[0] = stream.ts;
    reference.clock[1] = stream.nextTs;
    reference.step(stream.rows, columns);
    if (t < e) for (let s = 0; s < nSym; s++) if (stream.rows[s]! >= 0) refBars[s]!++;
    if (t >= w0) {
      const r = t - w0;
      winRows.set(stream.rows, r * nSym);
      for (let s = 0; s < nSym; s++) ref.set(reference.values(s), (r * nSym + s) * slots);
    }
  }
  // Scale of each (symbol, slot): the largest finite |reference value| over the window.
  const scale = new Float64Array(nSym * slots);
  for (let r = 0; r < win; r++) {
    for (let s = 0; s < nSym; s++) {
      const o = (r * nSym + s) * slots;
      for (let j = 0; j < slots; j++) {
        const x = Math.abs(ref[o + j]!);
        if (Number.isFinite(x) && x > scale[s * slots + j]!) scale[s * slots + j] = x;
      }
    }
  }
  for (let i = 0; i < scale.length; i++) if (!(scale[i]! > 0)) scale[i] = 1;
  const floor = scale.map((x) => x * REL_FLOOR);
  const isBool = new Uint8Array(slots);
  const warmOf = new Int32Array(slots);
  for (const sp of specs) {
    isBool[sp.slot] = sp.type === 'bool' ? 1 : 0;
    warmOf[sp.slot] = sp.warmupBars;
  }
  for (const sp of specs) {
    if (sp.type !== 'bool') continue;
    for (let s = 0; s < nSym; s++) scale[s * slots + sp.slot] = floor[s * slots + sp.slot] = 1;
  }
  const rel = (d: number, b: number, i: number) => (d === 0 ? 0 : d / Math.max(Math.abs(b), floor[i]!));

  // Short runs. badH: the largest history length (symbol bars) at which an output was off.
  const badH = new Int32Array(nSym * slots).fill(-1);
  const maxH = new Int32Array(nSym).fill(-1);
  const accs: Acc[][] = []; // [length][s * slots + slot]
  const rows = new Int32Array(nSym);
  for (const k of lengths) {
    const start = e - k;
    const eng = new SignalEngine(plan, symbols);
    const count = new Int32Array(nSym);
    const acc: Acc[] = Array.from({ length: nSym * slots }, () => ({ status: 'both-nan', evalAbs: Number.NaN, evalRel: Number.NaN, evalRef: Number.NaN, evalShort: Number.NaN, maxAbs: -1, maxRel: -1, compared: 0, invalid: 0, disagree: 0 }));
    for (let t = start; t <= e; t++) {
      const r = t - w0;
      rows.set(winRows.subarray(r * nSym, (r + 1) * nSym));
      eng.clock[0] = ts[t]!;
      eng.clock[1] = t + 1 < ts.length ? ts[t + 1]! : Number.NaN;
      eng.step(rows, columns);
      for (let s = 0; s < nSym; s++) {
        if (rows[s]! < 0) continue;
        const h = count[s]!++;
        if (h > maxH[s]!) maxH[s] = h;
        const v = eng.values(s);
        const o = (r * nSym + s) * slots;
        for (let j = 0; j < slots; j++) {
          const a = v[j]!;
          const b = ref[o + j]!;
          const i = s * slots + j;
          const an = a !== a;
          const bn = b !== b;
          let bad: boolean;
          let d = 0;
          if (an || bn) bad = an !== bn;
          else {
            d = a === b ? 0 : Math.abs(a - b);
            bad = isBool[j] === 1 ? d !== 0 : !(rel(d, b, i) <= tolerance);
          }
          if (bad && h > badH[i]!) badH[i] = h;
          if (h < warmOf[j]!) continue;
          const x = acc[i]!;
          x.compared++;
          if (an !== bn) {
            x.invalid++;
            x.disagree++;
          } else if (!an) {
            if (d > x.maxAbs) x.maxAbs = d;
            const q = rel(d, b, i);
            if (q > x.maxRel) x.maxRel = q;
            if (d !== 0) x.disagree++;
          }
        }
      }
    }
    // At the evaluation bar: the state after it, whether or not the symbol had a bar then.
    const r = e - w0;
    for (let s = 0; s < nSym; s++) {
      const v = eng.values(s);
      for (let j = 0; j < slots; j++) {
        const a = v[j]!;
        const b = ref[(r * nSym + s) * slots + j]!;
        const x = acc[s * slots + j]!;
        x.evalRef = b;
        x.evalShort = a;
        if (a === a && b === b) {
          x.status = 'compared';
          x.evalAbs = a === b ? 0 : Math.abs(a - b);
          x.evalRel = rel(x.evalAbs, b, s * slots + j);
        } else x.status = a === a ? 'reference-nan' : b === b ? 'short-nan' : 'both-nan';
      }
    }
    accs.push(acc);
  }

  // Per-symbol reports.
  const perSymbol: WarmupSymbolReport[] = symbols.map((symbol, s) => ({
    symbol,
    referenceBars: refBars[s]!,
    outputs: specs.map((sp) => {
      const i = s * slots + sp.slot;
      const bad = badH[i]!;
      const convergedAfter = bad < 0 ? 0 : bad >= maxH[s]! ? null : bad + 1;
      const lengthResults = lengths.map((k, li): WarmupLengthResult => {
        const x = accs[li]![i]!;
        const atEval: WarmupEvalResult = {
          status: x.status,
          absDiff: x.status === 'compared' ? x.evalAbs : null,
          relDiff: x.status === 'compared' ? x.evalRel : null,
          reference: numOrNull(x.evalRef),
          short: numOrNull(x.evalShort),
        };
        return {
          bars: k,
          atEval,
          maxAbsDiff: x.maxAbs < 0 ? null : x.maxAbs,
          maxRelDiff: x.maxRel < 0 ? null : x.maxRel,
          comparedBars: x.compared,
          invalidBars: x.invalid,
          ...(sp.type === 'bool' ? { disagreement: x.compared > 0 ? x.disagree / x.compared : 0 } : {}),
        };
      });
      return outputReport(sp, lengthResults, convergedAfter, scale[i]!);
    }),
  }));

  // Worst case over the symbols.
  const outputs = specs.map((sp, oi) => {
    const per = perSymbol.map((p) => p.outputs[oi]!);
    const convergedAfter = per.some((p) => p.convergedAfter === null) ? null : Math.max(...per.map((p) => p.convergedAfter!));
    const lengthResults = lengths.map((k, li): WarmupLengthResult => {
      const rs = per.map((p) => p.lengths[li]!);
      const status = STATUS_ORDER.find((st) => rs.some((x) => x.atEval.status === st))!;
      return {
        bars: k,
        atEval: { status, absDiff: maxOrNull(rs.map((x) => x.atEval.absDiff)), relDiff: maxOrNull(rs.map((x) => x.atEval.relDiff)) },
        maxAbsDiff: maxOrNull(rs.map((x) => x.maxAbsDiff)),
        maxRelDiff: maxOrNull(rs.map((x) => x.maxRelDiff)),
        comparedBars: rs.reduce((a, x) => a + x.comparedBars, 0),
        invalidBars: rs.reduce((a, x) => a + x.invalidBars, 0),
        ...(sp.type === 'bool' ? { disagreement: Math.max(...rs.map((x) => x.disagreement ?? 0)) } : {}),
      };
    });
    return outputReport(sp, lengthResults, convergedAfter, undefined);
  });

  // Highlights: unstable outputs beyond their warm-up, and outputs beyond it although none of their inputs is.
  const byRef = new Map(outputs.map((o) => [o.ref, o]));
  const highlights: WarmupHighlight[] = outputs
    .filter((o) => o.beyondWarmup && (o.unstable || !o.inputs.some((r) => byRef.get(r)?.beyondWarmup === true)))
    .map((o) => ({
      ref: o.ref,
      op: o.op,
      labels: o.labels,
      unstable: o.unstable,
      lookback: o.lookback,
      warmupBars: o.warmupBars,
      convergedAfter: o.convergedAfter,
      ratio: o.convergedAfter === null ? null : o.convergedAfter / Math.max(o.warmupBars, 1),
    }))
    .sort((a, b) => (b.convergedAfter ?? Infinity) - (a.convergedAfter ?? Infinity) || compareRefs(a.ref, b.ref));

  return {
    schema: WARMUP_ANALYSIS_SCHEMA,
    artifact: { name: plan.artifact.name, hash: plan.artifact.hash },
    timeframe: base,
    symbols,
    tolerance,
    evaluation: { ts: ts[e]!, time: iso(ts[e]!) },
    referenceBars: e,
    declaredWarmup: { bars: declaredWarmupBars, byTimeframe: plan.warmup },
    barsPerBucket,
    historyLengths: lengths,
    skippedLengths: skipped,
    outputs,
    perSymbol,
    highlights,
    recommendation: recommend(outputs, declaredWarmupBars, kMax),
  };
}

/** Relative differences divide by at least this fraction of the output's scale. */
const REL_FLOOR = 0.01;

const STATUS_ORDER: readonly WarmupEvalStatus[] = ['short-nan', 'reference-nan', 'compared', 'both-nan'];

function outputReport(sp: OutputSpec, lengths: readonly WarmupLengthResult[], convergedAfter: number | null, scale: number | undefined): WarmupOutputReport {
  const n = sp.node;
  return {
    ref: sp.ref,
    node: n.id,
    output: sp.output,
    op: n.op,
    type: sp.type,
    tf: n.tf,
    inputs: n.inputs,
    labels: n.labels ?? [],
    params: n.params,
    lookback: n.lookback,
    warmup: n.warmup,
    warmupBars: sp.warmupBars,
    unstable: n.unstable === true,
    ...(scale !== undefined ? { scale } : {}),
    lengths,
    convergedAfter,
    beyondWarmup: convergedAfter === null || convergedAfter > sp.warmupBars,
  };
}

function recommend(outputs: readonly WarmupOutputReport[], declared: number, kMax: number): WarmupRecommendation {
  const open = outputs.filter((o) => o.convergedAfter === null);
  if (open.length > 0) {
    const refs = open.map((o) => o.ref);
    return {
      minHistoryBars: null,
      declaredWarmupBars: declared,
      testedUpTo: kMax,
      limitedBy: refs,
      text: `keep more than ${kMax} bars of history before trading live (${listRefs(refs)} did not converge within the tested lengths; test longer ones with --starts or loosen --tolerance); the plan's declared warm-up is ${declared}`,
    };
  }
  const n = Math.max(0, ...outputs.map((o) => o.convergedAfter!));
  const refs = outputs.filter((o) => o.convergedAfter === n && n > 0).map((o) => o.ref);
  return {
    minHistoryBars: n,
    declaredWarmupBars: declared,
    testedUpTo: kMax,
    limitedBy: refs,
    text: `keep at least ${n} bar${n === 1 ? '' : 's'} of history before trading live; the plan's declared warm-up is ${declared}`,
  };
}

function listRefs(refs: readonly string[]): string {
  return refs.length <= 4 ? refs.join(', ') : `${refs.slice(0, 4).join(', ')} and ${refs.length - 4} more`;
}

/** Base bars per bucket of a coarser timeframe, measured on the timeline (rounded up). */
function measureBarsPerBucket(tf: string, ts: Float64Array): number {
  const p = parseTf(tf);
  let buckets = 0;
  let last = Number.NaN;
  for (let i = 0; i < ts.length; i++) {
    const b = bucketStart(p, ts[i]!);
    if (b !== last) {
      buckets++;
      last = b;
    }
  }
  return buckets === 0 ? 1 : Math.ceil(ts.length / buckets);
}

function compareRefs(a: string, b: string): number {
  const na = Number(/^n(\d+)/.exec(a)?.[1] ?? 0);
  const nb = Number(/^n(\d+)/.exec(b)?.[1] ?? 0);
  return na - nb || (a < b ? -1 : a > b ? 1 : 0);
}

function numOrNull(x: number): number | null {
  return x === x ? x : null;
}

function maxOrNull(xs: readonly (number | null)[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (x !== null && (m === null || x > m)) m = x;
  return m;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
