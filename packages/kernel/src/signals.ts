import type { Plan, PlanNode } from '@strata/compiler';
import { INDICATORS } from './indicators/index.js';
import type { StreamingIndicator } from './indicators/types.js';
import { KernelError } from './errors.js';
import { NewsWindow, type NewsColumns } from './news.js';
import { barClose, bucketEnd, bucketStart, parseTf, type Timeframe } from './timeframe.js';

/**
 * Evaluates a plan's signal DAG, bar by bar, for every symbol of the universe.
 *
 * Values live in one Float64Array per symbol (a slot per node output). Bools are 1 / 0, and NaN
 * means "not known yet" (warm-up): comparisons with NaN give NaN, `and` / `or` use three-valued
 * logic, and a rule that is NaN does not fire. Nodes on a coarser timeframe update only when their
 * bar closes; `align` nodes expose the last closed coarse value on the base timeframe.
 */
export class SignalEngine {
  readonly slotCount: number;
  readonly symbols: readonly string[];
  /**
   * [0] the current bar's open time, [1] the next bar's open time (NaN when unknown); set by the
   * caller before `step` (a typed array: no boxing). The next time is calendar knowledge, not data:
   * a coarse bar closes on the last base bar of its period.
   */
  readonly clock = new Float64Array(2).fill(Number.NaN);
  readonly #slotOf = new Map<string, number>();
  readonly #base: Timeframe;
  /** Coarse timeframes, coarsest first (closes cascade from coarse to fine). */
  readonly #coarse: { tf: string; parsed: Timeframe }[];
  readonly #nodes: readonly PlanNode[];
  readonly #states: SymbolState[];
  /** The plan has `news_sentiment` nodes: every symbol's columns must carry `news`. */
  readonly needsNews: boolean;

  constructor(plan: Plan, symbols: readonly string[]) {
    this.symbols = symbols;
    this.#nodes = plan.nodes;
    this.#base = parseTf(plan.timeframes.base);
    this.#coarse = [...plan.timeframes.extra]
      .map((tf) => ({ tf, parsed: parseTf(tf) }))
      .sort((a, b) => approxMinutes(b.parsed) - approxMinutes(a.parsed));
    let slot = 0;
    for (const n of plan.nodes) {
      if (n.outputs) for (const o of n.outputs) this.#slotOf.set(`${n.id}.${o.name}`, slot++);
      else this.#slotOf.set(n.id, slot++);
    }
    this.slotCount = slot;
    for (const n of plan.nodes) {
      if (n.op.startsWith('custom:')) throw new KernelError('unsupported', `custom node ${n.op.slice(7)} cannot run yet: the sandboxed module loader is not built`);
      if (n.crossSectional && n.tf !== plan.timeframes.base) throw new KernelError('unsupported', `cross-sectional node ${n.id} on timeframe ${n.tf}: only the base timeframe is supported`);
      if (n.op === 'news_sentiment' && parseTfKey(n.tf) !== this.#baseKey()) {
        throw new KernelError('unsupported', `news_sentiment node ${n.id} on timeframe ${n.tf}: news is aligned to the base timeframe only; widen the window instead (news_sentiment(5) on 1d ≈ a week)`);
      }
    }
    this.needsNews = plan.nodes.some((n) => n.op === 'news_sentiment');
    this.#states = symbols.map(() => this.#createState());
  }

  /** Slot index of a plan reference (`n3` or `n3.upper`). */
  slot(ref: string): number {
    const s = this.#slotOf.get(ref);
    if (s === undefined) throw new KernelError('internal', `plan reference ${ref} has no slot`);
    return s;
  }

  values(symbolIndex: number): Float64Array {
    return this.#states[symbolIndex]!.vals;
  }

  /**
   * Checks that the columns carry what the plan reads besides OHLCV (the news series of
   * `news_sentiment`), one entry per engine symbol, each as long as the bars. Call before the first step.
   */
  checkColumns(columns: readonly BarColumns[]): void {
    if (!this.needsNews) return;
    this.symbols.forEach((sym, s) => {
      const c = columns[s];
      if (c === undefined) throw new KernelError('data', `no bar columns for ${sym}`);
      if (c.news === undefined) {
        throw new KernelError('data', `the plan uses news_sentiment but no news series was loaded for ${sym}: score the artifact's feeds.news before the run (strata backtest does; in code, pass sentimentSeries(...) to SeriesStream's news option)`);
      }
      const rows = c.fields[3].length;
      if (c.news.sum.length !== rows || c.news.count.length !== rows) {
        throw new KernelError('data', `the news series of ${sym} has ${c.news.sum.length} rows but its bars have ${rows}: align it with sentimentSeries(items, bars)`);
      }
    });
  }

  #createState(): SymbolState {
    const vals = new Float64Array(this.slotCount).fill(Number.NaN);
    const coarse = new Map<string, Aggregator>();
    for (const c of this.#coarse) coarse.set(c.tf, { tf: c.parsed, start: Number.NaN, open: 0, high: 0, low: 0, close: 0, volume: 0, has: false, lastTs: 0 });
    const fieldSlots: { slot: number; field: number }[] = [];
    const coarseFields = new Map<string, { slot: number; field: number }[]>();
    for (const c of this.#coarse) coarseFields.set(c.tf, []);
    // Base nodes split into code segments at cross-sectional nodes; coarse nodes, one segment per timeframe.
    const baseGroups: PlanNode[][] = [[]];
    const ranks: { out: number; input: number }[] = [];
    const coarseNodes = new Map<string, PlanNode[]>();
    for (const c of this.#coarse) coarseNodes.set(c.tf, []);
    for (const n of this.#nodes) {
      const isBase = parseTfKey(n.tf) === this.#baseKey();
      if (n.op === 'field') {
        const entry = { slot: this.slot(n.id), field: FIELD_INDEX[n.params.field as string]! };
        if (isBase) fieldSlots.push(entry);
        else coarseFields.get(n.tf)!.push(entry);
      } else if (n.op === 'const') {
        vals[this.slot(n.id)] = n.params.value as number;
      } else if (n.op === 'rank') {
        ranks.push({ out: this.slot(n.id), input: this.slot(n.inputs[0]!) });
        baseGroups.push([]);
      } else if (isBase) {
        baseGroups[baseGroups.length - 1]!.push(n);
      } else {
        coarseNodes.get(n.tf)!.push(n);
      }
    }
    // The first segment also loads the bar's fields (generated code: no per-bar loop over objects).
    const segments = baseGroups.map((g, k) => this.#generate(g, vals, k === 0 ? fieldSlots : []));
    const coarseSegments = new Map<string, Segment>();
    for (const [tf, nodes] of coarseNodes) coarseSegments.set(tf, this.#generate(nodes, vals, []));
    return { vals, segments, ranks, coarse, coarseSegments, fieldSlots, coarseFields };
  }

  #baseKey(): string {
    return `${this.#base.n}${this.#base.unit}`;
  }

  /**
   * Compiles a run of nodes into one straight-line JavaScript function over the value array.
   * Every call site then sees a single indicator class, so V8 can inline `update`. Only integers
   * (slot indices, lag lengths) from the validated plan are written into the source.
   */
  #generate(nodes: readonly PlanNode[], vals: Float64Array, fields: readonly { slot: number; field: number }[]): Segment {
    const indicators: StreamingIndicator[] = [];
    const news: NewsWindow[] = [];
    const scratch: Float64Array[] = [];
    const setup: string[] = [];
    const body: string[] = [];
    const int = (x: number) => {
      if (!Number.isInteger(x) || x < 0) throw new KernelError('internal', `bad slot ${x}`);
      return String(x);
    };
    for (const fl of fields) body.push(`v[${int(fl.slot)}] = f[${int(fl.field)}][row];`);
    for (const n of nodes) {
      const o = int(n.outputs ? this.slot(`${n.id}.${n.outputs[0]!.name}`) : this.slot(n.id));
      const ins = n.inputs.map((r) => int(this.slot(r)));
      const [a, b, c] = [ins[0] ?? '0', ins[1] ?? '0', ins[2] ?? '0'];
      const bin = (op: string) => body.push(`v[${o}] = v[${a}] ${op} v[${b}];`);
      const cmp = (op: string) => body.push(`{ const x = v[${a}], y = v[${b}]; v[${o}] = x !== x || y !== y ? NaN : x ${op} y ? 1 : 0; }`);
      const fn = (f: string) => body.push(`v[${o}] = ${f};`);
      switch (n.op) {
        case 'align':
          fn(`v[${a}]`);
          break;
        case 'lag': {
          const k = int(n.params.n as number);
          const id = setup.length;
          setup.push(`const r${id} = new Float64Array(${k} + 1).fill(NaN); let p${id} = 0;`);
          body.push(`r${id}[p${id}] = v[${a}]; p${id} = p${id} === ${k} ? 0 : p${id} + 1; v[${o}] = r${id}[p${id}];`);
          break;
        }
        case 'add':
          bin('+');
          break;
        case 'sub':
          bin('-');
          break;
        case 'mul':
          bin('*');
          break;
        case 'div':
          bin('/');
          break;
        case 'mod':
          bin('%');
          break;
        case 'neg':
          fn(`-v[${a}]`);
          break;
        case 'gt':
          cmp('>');
          break;
        case 'ge':
          cmp('>=');
          break;
        case 'lt':
          cmp('<');
          break;
        case 'le':
          cmp('<=');
          break;
        case 'eq':
          cmp('===');
          break;
        case 'ne':
          cmp('!==');
          break;
        case 'and':
          body.push(`{ const x = v[${a}], y = v[${b}]; v[${o}] = x === 0 || y === 0 ? 0 : x !== x || y !== y ? NaN : 1; }`);
          break;
        case 'or':
          body.push(`{ const x = v[${a}], y = v[${b}]; v[${o}] = (x === x && x !== 0) || (y === y && y !== 0) ? 1 : x !== x || y !== y ? NaN : 0; }`);
          break;
        case 'not':
          body.push(`{ const x = v[${a}]; v[${o}] = x !== x ? NaN : x === 0 ? 1 : 0; }`);
          break;
        case 'abs':
          fn(`Math.abs(v[${a}])`);
          break;
        case 'sqrt':
          fn(`Math.sqrt(v[${a}])`);
          break;
        case 'log':
          fn(`v[${a}] > 0 ? Math.log(v[${a}]) : NaN`);
          break;
        case 'exp':
          fn(`Math.exp(v[${a}])`);
          break;
        case 'pow':
          fn(`Math.pow(v[${a}], v[${b}])`);
          break;
        case 'sign':
          fn(`Math.sign(v[${a}])`);
          break;
        case 'min':
          fn(`Math.min(v[${a}], v[${b}])`);
          break;
        case 'max':
          fn(`Math.max(v[${a}], v[${b}])`);
          break;
        case 'nz':
          fn(`v[${a}] !== v[${a}] ? v[${b}] : v[${a}]`);
          break;
        case 'where':
          body.push(`{ const x = v[${a}]; v[${o}] = x !== x ? NaN : x !== 0 ? v[${b}] : v[${c}]; }`);
          break;
        case 'news_sentiment': {
          // Reads the symbol's news columns (n) like a bar field; see news.ts.
          const k = news.length;
          news.push(new NewsWindow(n.params.window as number));
          setup.push(`const w${k} = W[${k}];`);
          fn(`w${k}.update(n, row)`);
          break;
        }
        default: {
          const factory = INDICATORS[n.op];
          if (!factory) throw new KernelError('unsupported', `node ${n.id}: no kernel implementation for \`${n.op}\``);
          const k = indicators.length;
          indicators.push(factory(n.params));
          scratch.push(new Float64Array(ins.length));
          setup.push(`const i${k} = I[${k}], x${k} = X[${k}];`);
          body.push(`${ins.map((slot, j) => `x${k}[${j}] = v[${slot}];`).join(' ')} i${k}.update(x${k}, ${TIME_AWARE.has(n.op) ? 'C[0]' : '0'}, v, ${o});`);
        }
      }
    }
    const src = `"use strict";\n${setup.join('\n')}\nreturn function step(row, f, n) {\n${body.join('\n')}\n};`;
    return new Function('v', 'I', 'X', 'C', 'W', src)(vals, indicators, scratch, this.clock, news) as Segment;
  }

  /**
   * Advances every symbol that has a bar at this timestamp. `rows[s]` is the bar index of symbol s
   * in its series, or -1 when the symbol has no bar now (its values are left as they are).
   */
  step(rows: Int32Array, columns: readonly BarColumns[]): void {
    const ts = this.clock[0]!;
    const states = this.#states;
    const nSym = states.length;
    // Coarse timeframes first (coarsest to finest), so align nodes see bars that closed now.
    if (this.#coarse.length > 0) {
      for (let s = 0; s < nSym; s++) {
        const row = rows[s]!;
        if (row < 0) continue;
        this.#advanceCoarse(states[s]!, columns[s]!, row, ts);
      }
    }
    const segs = states[0]!.segments.length;
    for (let k = 0; k < segs; k++) {
      if (k > 0) this.#rank(states[0]!.ranks[k - 1]!.out, states[0]!.ranks[k - 1]!.input, rows);
      // Plans without news call the generated code with two arguments: the common case stays as lean as it was.
      if (this.needsNews) {
        for (let s = 0; s < nSym; s++) {
          const row = rows[s]!;
          if (row >= 0) states[s]!.segments[k]!(row, columns[s]!.fields, columns[s]!.news);
        }
      } else {
        for (let s = 0; s < nSym; s++) {
          const row = rows[s]!;
          if (row >= 0) states[s]!.segments[k]!(row, columns[s]!.fields);
        }
      }
    }
  }

  #advanceCoarse(st: SymbolState, col: BarColumns, row: number, ts: number): void {
    const close = barClose(this.#base, ts);
    for (const c of this.#coarse) {
      const agg = st.coarse.get(c.tf)!;
      const start = bucketStart(agg.tf, ts);
      if (agg.has && start !== agg.start) this.#closeCoarse(st, c.tf, agg);
      const o = col.fields[0]![row]!;
      const h = col.fields[1]![row]!;
      const l = col.fields[2]![row]!;
      const cl = col.fields[3]![row]!;
      const vol = col.fields[4]![row]!;
      if (!agg.has) {
        agg.start = start;
        agg.open = o;
        agg.high = h;
        agg.low = l;
        agg.volume = 0;
        agg.has = true;
      } else {
        if (h > agg.high) agg.high = h;
        if (l < agg.low) agg.low = l;
      }
      agg.close = cl;
      agg.volume += vol;
      agg.lastTs = ts;
      const nextTs = this.clock[1]!;
      if (close >= bucketEnd(agg.tf, agg.start) || (nextTs === nextTs && bucketStart(agg.tf, nextTs) !== agg.start)) this.#closeCoarse(st, c.tf, agg);
    }
  }

  #closeCoarse(st: SymbolState, tf: string, agg: Aggregator): void {
    const v = st.vals;
    const fields = [agg.open, agg.high, agg.low, agg.close, agg.volume];
    for (const f of st.coarseFields.get(tf)!) v[f.slot] = fields[f.field]!;
    const saved = this.clock[0]!;
    this.clock[0] = agg.start;
    st.coarseSegments.get(tf)!(0, EMPTY_FIELDS);
    this.clock[0] = saved;
    agg.has = false;
  }

  #rank(out: number, input: number, rows: Int32Array): void {
    const states = this.#states;
    const vals: { s: number; x: number }[] = [];
    for (let s = 0; s < states.length; s++) {
      const v = states[s]!.vals;
      const x = v[input]!;
      if (rows[s]! < 0 || x !== x) {
        v[out] = Number.NaN;
        continue;
      }
      vals.push({ s, x });
    }
    vals.sort((p, q) => p.x - q.x || p.s - q.s);
    const n = vals.length;
    let i = 0;
    while (i < n) {
      let j = i;
      while (j + 1 < n && vals[j + 1]!.x === vals[i]!.x) j++;
      const r = n === 1 ? 0.5 : (i + j) / 2 / (n - 1);
      for (let k = i; k <= j; k++) states[vals[k]!.s]!.vals[out] = r;
      i = j + 1;
    }
  }
}

/** A symbol's bar columns in field order: open, high, low, close, volume. */
export interface BarColumns {
  readonly fields: readonly [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  /** Scored news aligned to the rows; required when the plan has `news_sentiment` nodes. */
  readonly news?: NewsColumns;
}

/** Generated code for a run of nodes: one call per bar (`n`: the symbol's news columns, if any). */
type Segment = (row: number, f: BarColumns['fields'], n?: NewsColumns) => void;

interface Aggregator {
  readonly tf: Timeframe;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  has: boolean;
  lastTs: number;
}

interface SymbolState {
  readonly vals: Float64Array;
  /** Generated code for the base nodes, split at cross-sectional nodes (ranks[k] runs between segments k and k+1). */
  readonly segments: readonly Segment[];
  readonly ranks: readonly { readonly out: number; readonly input: number }[];
  readonly coarse: Map<string, Aggregator>;
  readonly coarseSegments: Map<string, Segment>;
  readonly fieldSlots: { slot: number; field: number }[];
  readonly coarseFields: Map<string, { slot: number; field: number }[]>;
}

/** Indicators that read the bar time (session VWAP resets, trend lines); the rest get 0. */
const TIME_AWARE: ReadonlySet<string> = new Set(['vwap', 'trendline_cross']);

const EMPTY = new Float64Array(0);
const EMPTY_FIELDS: BarColumns['fields'] = [EMPTY, EMPTY, EMPTY, EMPTY, EMPTY];

const FIELD_INDEX: Readonly<Record<string, number>> = { open: 0, high: 1, low: 2, close: 3, volume: 4 };




function approxMinutes(tf: Timeframe): number {
  return tf.n * { m: 1, h: 60, d: 1440, w: 10080, M: 43200 }[tf.unit];
}

function parseTfKey(tf: string): string {
  const p = parseTf(tf);
  return `${p.n}${p.unit}`;
}
