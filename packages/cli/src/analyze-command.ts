import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { catalogEntry, compileFile, formatDiagnostic, type Plan, type PlanParamValue } from '@strata/compiler';
import { createDefaultRegistry, FeedError, formatIssue, type FeedIssue } from '@strata/feeds';
import { analyzeWarmup, KERNEL_VERSION, KernelError, type WarmupEvalResult, type WarmupOutputReport, type WarmupReport } from '@strata/kernel';
import { parseParamOverrides } from './io.js';
import type { Io } from './main.js';

export interface AnalyzeWarmupOptions {
  readonly data?: string;
  readonly feed?: string;
  readonly at?: string;
  readonly starts?: string;
  readonly tolerance?: string;
  readonly param?: readonly string[];
  readonly json?: boolean;
  readonly color?: boolean;
}

class UsageError extends Error {}
class InputError extends Error {}

const NAME = 'strata analyze warmup';

/** `strata analyze warmup`: 0 on success, 1 on bad artifact / data, 2 on usage errors. */
export async function runAnalyzeWarmupCommand(target: string, opts: AnalyzeWarmupOptions, io: Io): Promise<number> {
  try {
    return await analyze(target, opts, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${NAME}: ${e.message}`);
      return 2;
    }
    if (e instanceof InputError || e instanceof FeedError || e instanceof KernelError) {
      io.err(`${NAME}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** `--at YYYY-MM-DD`: the end of that UTC day, so the day's bar is the evaluation bar. */
function parseAt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw new UsageError(`--at ${value}: expected a date as YYYY-MM-DD`);
  return ms + 86_400_000 - 1;
}

function parseStarts(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const item of items) {
    if (!/^\d+$/.test(item) || Number(item) < 1 || !Number.isSafeInteger(Number(item))) {
      throw new UsageError(`--starts ${value}: expected a comma-separated list of history lengths in bars, whole numbers ≥ 1 (e.g. --starts 50,100,200)`);
    }
    out.push(Number(item));
  }
  return out;
}

function parseTolerance(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0) throw new UsageError(`--tolerance ${value}: expected a relative tolerance ≥ 0, e.g. 1e-6`);
  return x;
}

async function analyze(target: string, opts: AnalyzeWarmupOptions, io: Io): Promise<number> {
  const overrides = parseParamOverrides(opts.param ?? []);
  if ('error' in overrides) throw new UsageError(overrides.error);
  const at = parseAt(opts.at);
  const historyLengths = parseStarts(opts.starts);
  const tolerance = parseTolerance(opts.tolerance);

  // 1. compile
  const compiled = compileFile(target, Object.keys(overrides.params).length > 0 ? { params: overrides.params } : {});
  for (const d of compiled.diagnostics) io.err(formatDiagnostic(d, { color: opts.color ?? false }) + '\n');
  if (!compiled.ok || !compiled.plan) {
    const onlyOverrides = compiled.diagnostics.filter((d) => d.severity === 'error').every((d) => d.code === 'E509');
    io.err(`${NAME}: ${target} does not compile; nothing was analysed`);
    return onlyOverrides && compiled.diagnostics.length > 0 ? 2 : 1;
  }
  const plan = compiled.plan;

  // 2. data (the universe only: signals are evaluated for it)
  const dataDir = resolve(opts.data ?? join(dirname(target), 'data'));
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new InputError(`data directory ${opts.data ?? join(dirname(target), 'data')} does not exist; pass --data DIR (a folder with etf/ and/or crypto/ inside)`);
  }
  const feedId = opts.feed ?? plan.feeds.bars!;
  const source = createDefaultRegistry({ dataDir, strict: true }).bars(feedId);
  if (source.timeframe !== plan.timeframes.base) {
    throw new InputError(`feed ${feedId} has ${source.timeframe} bars but the strategy's base timeframe is ${plan.timeframes.base}`);
  }
  const history = await source.history({ symbols: [...plan.universe] });
  reportIssues(history.issues, io);
  let first = Number.POSITIVE_INFINITY;
  for (const sym of plan.universe) {
    const s = history.series.get(sym);
    if (!s || s.length === 0) throw new InputError(`no bars for ${sym}`);
    first = Math.min(first, s.ts[0]!);
  }
  if (at !== undefined && at < first) throw new InputError(`--at ${opts.at} is before the start of the data (${new Date(first).toISOString().slice(0, 10)})`);

  // 3. analyse
  const report = analyzeWarmup(plan, history.series, {
    ...(at !== undefined ? { at } : {}),
    ...(historyLengths !== undefined ? { historyLengths } : {}),
    ...(tolerance !== undefined ? { tolerance } : {}),
  });

  if (opts.json) {
    const { schema, artifact, ...rest } = report;
    const doc = { schema, artifact: { ...artifact, file: target }, feed: feedId, datasetHash: history.datasetHash, engineVersion: KERNEL_VERSION, params: plan.params, ...rest };
    io.out(JSON.stringify(doc, jsonNumbers, 2));
  } else {
    io.out(formatWarmupReport(report, plan, { feed: feedId, datasetHash: history.datasetHash }));
  }
  return 0;
}

function reportIssues(issues: readonly FeedIssue[], io: Io): void {
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  for (const e of errors) io.err(formatIssue(e));
  if (errors.length > 0) throw new InputError(`the data has ${errors.length} error${errors.length === 1 ? '' : 's'} (listed above); nothing was analysed`);
  for (const w of warnings.slice(0, 5)) io.err(formatIssue(w));
  if (warnings.length > 5) io.err(`… and ${warnings.length - 5} more data warnings`);
}

/** Infinity (e.g. a division by zero in one run only) is not JSON: write it as a string. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

// ——— human output ———

/** The human report: node table at the evaluation bar, worst over bars, highlights, recommendation. */
export function formatWarmupReport(r: WarmupReport, plan: Plan, meta: { feed: string; datasetHash: string }): string {
  const day = r.evaluation.time.endsWith('T00:00:00.000Z') ? r.evaluation.time.slice(0, 10) : r.evaluation.time.replace('.000Z', 'Z');
  const multi = r.symbols.length > 1;
  const multiTf = plan.timeframes.extra.length > 0;
  const shown = r.outputs.filter((o) => o.op !== 'const');
  const describe = describer(plan);
  const flagged = new Set(r.highlights.map((h) => h.ref));
  const lines: string[] = [
    `${r.artifact.name}: warm-up analysis  ${r.symbols.length <= 6 ? r.symbols.join(' ') : `${r.symbols.length} symbols`}  ${r.timeframe}  ${meta.feed}`,
    `artifact ${r.artifact.hash}`,
    `dataset  ${meta.datasetHash}`,
    `evaluated at ${day} (the reference run has ${r.referenceBars} bars of history before it); tolerance ${fmtTol(r.tolerance)} relative`,
    `declared warm-up ${r.declaredWarmup.bars} bars; history lengths tested: ${r.historyLengths.join(', ')} bars${r.skippedLengths.length > 0 ? ` (skipped ${r.skippedLengths.join(', ')}: not enough data before ${day})` : ''}`,
  ];

  const lenHead = r.historyLengths.map((k) => `${k} bars`);
  const ident = (o: WarmupOutputReport) => [o.ref, o.labels.length > 0 ? o.labels.join(',') : '—', describe(o), ...(multiTf ? [o.tf] : [])];
  const identHead = ['node', 'signal', 'op', ...(multiTf ? ['tf'] : [])];

  lines.push('', `Relative difference from the full-history reference at ${day}${multi ? ' (worst symbol)' : ''}, by bars of history before it (bool: same / differs):`);
  lines.push(
    ...table(
      [
        [...identHead, 'lookback', 'warm-up', 'unstable', ...lenHead, 'converged after', ''],
        ...shown.map((o) => [...ident(o), String(o.lookback), String(o.warmupBars), o.unstable ? 'yes' : '', ...o.lengths.map((l) => evalCell(l.atEval, o.type)), converged(o), flagged.has(o.ref) ? note(o) : '']),
      ],
      identHead.length,
      true,
    ),
  );
  lines.push(`converged after N bars: with N or more bars of history, every value of every tested run was within the tolerance of the reference (bools: agreed).`);

  lines.push('', `Largest difference over every bar after the node's declared warm-up, up to ${day}: relative (absolute); bool: share of bars that differ:`);
  lines.push(
    ...table(
      [
        [...identHead, ...lenHead],
        ...shown.map((o) => [...ident(o), ...o.lengths.map((l) => (o.type === 'bool' ? (l.comparedBars === 0 ? '—' : pct(l.disagreement ?? 0)) : l.maxRelDiff === null ? '—' : `${fmt(l.maxRelDiff)} (${fmt(l.maxAbsDiff!)})`))]),
      ],
      identHead.length,
    ),
  );

  if (multi) {
    lines.push('', 'Converged after (bars), per symbol:');
    const sym = r.perSymbol;
    lines.push(
      ...table(
        [
          ['node', 'op', ...sym.map((s) => s.symbol), 'worst'],
          ...shown.map((o) => {
            const i = r.outputs.indexOf(o);
            return [o.ref, describe(o), ...sym.map((s) => convergedShort(s.outputs[i]!.convergedAfter)), convergedShort(o.convergedAfter)];
          }),
        ],
        2,
      ),
    );
  }

  if (r.highlights.length > 0) {
    lines.push('', 'Memory beyond the declared warm-up:');
    for (const h of r.highlights) {
      const o = r.outputs.find((x) => x.ref === h.ref)!;
      const what = `${h.ref}${h.labels.length > 0 ? ` (${h.labels.join(', ')})` : ''} ${describe(o)}`;
      const kind = h.unstable ? 'unstable' : 'not marked unstable';
      const tail =
        h.convergedAfter === null
          ? `not converged within ${r.historyLengths[r.historyLengths.length - 1]} bars`
          : `converged after ${h.convergedAfter} bars (${h.ratio! >= 10 ? Math.round(h.ratio!) : h.ratio!.toFixed(1)}× its warm-up)`;
      lines.push(`  ⚠ ${what}: ${kind}, lookback ${h.lookback}, declared warm-up ${h.warmupBars} bars; ${tail}`);
    }
  }

  lines.push('', `Recommendation: ${r.recommendation.text}.`);
  return lines.join('\n');
}

/** `rsi(close, 2)`, `gt(close, trend)`, `macd(close, 12, 26, 9).signal`, `field(close)`. */
function describer(plan: Plan): (o: WarmupOutputReport) => string {
  const nodes = new Map(plan.nodes.map((n) => [n.id, n]));
  const name = (ref: string): string => {
    const [id, out] = ref.split('.');
    const n = nodes.get(id!);
    if (!n) return ref;
    if (n.op === 'field') return String(n.params.field);
    if (n.op === 'const') return fmtParam(n.params.value!);
    const label = n.labels?.[0];
    return (label ?? id!) + (out !== undefined ? `.${out}` : '');
  };
  return (o) => {
    if (o.op === 'field') return `field(${String(o.params.field)})`;
    if (o.op === 'const') return `const(${fmtParam(o.params.value!)})`;
    const entry = catalogEntry(o.op);
    const explicit = entry ? o.inputs.slice(0, entry.inputs.length) : o.inputs;
    const order = entry ? entry.params.map((p) => p.name).filter((k) => k in o.params) : [];
    const keys = [...order, ...Object.keys(o.params).filter((k) => !order.includes(k)).sort()];
    const args = [...explicit.map(name), ...keys.map((k) => fmtParam(o.params[k]!))];
    return `${o.op}(${args.join(', ')})${o.output !== null ? `.${o.output}` : ''}`;
  };
}

function fmtParam(v: PlanParamValue): string {
  return Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
}

function evalCell(e: WarmupEvalResult, type: 'number' | 'bool'): string {
  switch (e.status) {
    case 'short-nan':
      return 'not warm';
    case 'reference-nan':
      return 'ref NaN';
    case 'both-nan':
      return 'NaN';
    case 'compared':
      return type === 'bool' ? (e.absDiff === 0 ? 'same' : 'differs') : fmt(e.relDiff!);
  }
}

function converged(o: WarmupOutputReport): string {
  return o.convergedAfter === null ? 'not converged' : `${o.convergedAfter} bars`;
}

/** ⚠ on highlighted outputs: they need more history than their declared warm-up. */
function note(o: WarmupOutputReport): string {
  if (o.convergedAfter === null) return '⚠ beyond the tested lengths';
  const ratio = o.convergedAfter / Math.max(o.warmupBars, 1);
  return `⚠ ${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}× its warm-up`;
}

function convergedShort(c: number | null): string {
  return c === null ? 'no' : String(c);
}

/** 0 exactly; otherwise two significant digits. */
function fmt(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e4 ? String(Number(x.toPrecision(2))) : x.toExponential(1).replace('e+', 'e');
}

function fmtTol(x: number): string {
  return x === 0 ? '0' : x.toExponential().replace('e+', 'e');
}

function pct(x: number): string {
  return x === 0 ? '0%' : `${(100 * x).toFixed(x < 0.001 ? 3 : 1)}%`;
}

/** Aligned columns: the first `left` columns left-aligned, the rest right-aligned (and the last one left-aligned when `lastLeft`). */
function table(rows: readonly (readonly string[])[], left: number, lastLeft = false): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  const last = rows[0]!.length - 1;
  return rows.map((r) => r.map((cell, c) => (c < left || (lastLeft && c === last) ? padEnd(cell, widths[c]!) : padStart(cell, widths[c]!))).join('  ').trimEnd());
}

function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - [...s].length));
}

function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - [...s].length)) + s;
}
