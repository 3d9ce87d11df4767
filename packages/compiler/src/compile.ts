import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalJson as canonicalize } from './internal/canonical-json.js';
import { DiagnosticBag, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { parseExpression } from './expr/parser.js';
import { printExpr } from './expr/printer.js';
import { applyDefaults } from './internal/defaults.js';
import type { Node as YamlNode } from 'yaml';
import { decodeSource, headSpan, LIMITS, parseYaml, type PathSegment } from './internal/load.js';
import { Lowering, type Val } from './internal/lower.js';
import { checkSchema } from './internal/schema-check.js';
import { SourceText } from './internal/source.js';
import type { Plan, PlanExecution, PlanPortfolio, PlanRisk, PlanRules, PlanSizing, PlanStop } from './plan.js';
import { sortTimeframes } from './internal/dag.js';
import { COMPILER_VERSION } from './version.js';

export interface CompileOptions {
  /** Path shown in diagnostics; also locates custom node modules unless `baseDir` is given. */
  readonly file?: string;
  readonly baseDir?: string;
  /** Param overrides (`--param fast=12`), validated against each param's range. */
  readonly params?: Readonly<Record<string, number>>;
  readonly maxBytes?: number;
}

export interface CompileResult {
  readonly ok: boolean;
  readonly file: string;
  /** Sorted by position; errors and warnings. */
  readonly diagnostics: readonly Diagnostic[];
  /** `sha256:<hex>` of the canonical form — only for an artifact without errors. */
  readonly hash?: string;
  /** Canonical JSON of the artifact (defaults applied, expressions printed canonically). */
  readonly canonical?: string;
  readonly plan?: Plan;
}

/** Compiles artifact text (or bytes). Never throws for anything the input contains. */
export function compileSource(input: string | Uint8Array, options: CompileOptions = {}): CompileResult {
  const file = options.file ?? '<input>';
  const early = new DiagnosticBag(new SourceText(file, ''));
  const text = decodeSource(
    file,
    input,
    (code, message, hint, offset) => {
      if (offset === undefined) early.add({ code, message, hint });
      else {
        // Position the byte problem in the text decoded so far.
        // Offsets count from after a byte-order mark, as the decoder (and the rest of the compiler) does.
        const decoded = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
        const shown = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
        const bag = new DiagnosticBag(new SourceText(file, shown));
        bag.add({ code, message, hint, span: { start: offset, end: offset + 1 } });
        early.items.push(...bag.items);
      }
    },
    options.maxBytes ?? LIMITS.maxBytes,
  );
  if (text === undefined) return { ok: false, file, diagnostics: early.sorted() };
  const source = new SourceText(file, text);
  const bag = new DiagnosticBag(source);
  try {
    return compileText(source, bag, options);
  } catch (e) {
    if (process.env.STRATA_DEBUG) console.error(e);
    bag.add({ code: 'E901', message: `internal compiler error: ${(e as Error).message}`, hint: 'this is a bug in Strata; please report it with the artifact' });
    return { ok: false, file, diagnostics: bag.sorted() };
  }
}

/** Reads and compiles a file. A missing or unreadable file is a diagnostic (E001), not an exception. */
export function compileFile(path: string, options: Omit<CompileOptions, 'file'> & { displayPath?: string } = {}): CompileResult {
  const file = options.displayPath ?? path;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const bag = new DiagnosticBag(new SourceText(file, ''));
    bag.add({
      code: 'E001',
      message: code === 'ENOENT' ? `no such file: ${file}` : code === 'EISDIR' ? `${file} is a directory` : `cannot read ${file} (${code ?? (e as Error).message})`,
      hint: code === 'EISDIR' ? 'pass artifact files, e.g. examples/*.yaml' : 'check the path',
    });
    return { ok: false, file, diagnostics: bag.sorted() };
  }
  return compileSource(bytes, { ...options, file, baseDir: options.baseDir ?? dirname(path) });
}

function compileText(source: SourceText, bag: DiagnosticBag, options: CompileOptions): CompileResult {
  const file = source.file;
  const fail = (): CompileResult => ({ ok: false, file, diagnostics: bag.sorted() });
  const loaded = parseYaml(source, bag);
  if (!loaded) return fail();
  const { doc, value } = loaded;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    bag.add({ code: 'E203', message: `an artifact must be a YAML mapping, not ${Array.isArray(value) ? 'a list' : value === null ? 'empty' : `a ${typeof value}`}`, span: headSpan(source, (doc.contents ?? undefined) as YamlNode | undefined) ?? { start: 0, end: 1 }, hint: 'start with `strata: strategy/v1` and the fields described in docs/artifact.md' });
    return fail();
  }
  const { badPaths } = checkSchema(value, doc, source, bag);
  // Without a usable version line, nothing else can be trusted to mean what it says.
  if (badPaths.has('/strata') || (value as Record<string, unknown>).strata === undefined) return fail();

  const baseDir = options.baseDir ?? (options.file ? dirname(options.file) : undefined);
  const lw = new Lowering(value as Record<string, unknown>, doc, source, bag, badPaths, { ...(options.params ? { params: options.params } : {}), baseDir });
  lw.declare();
  const sinks = lowerSinks(lw);
  for (const sig of lw.signals.values()) if (sig.state === 'pending') lw.lowerSignal(sig.name, sig.keySpan);
  checkStructure(lw, sinks);
  if (bag.hasErrors) return fail();

  // ——— DAG: keep what the rules use, order canonically, report what was dropped ———
  const roots = sinks.roots;
  const used = lw.usedSignals();
  lw.dag.keepLabels(used);
  const { nodes, idOf, reachable } = lw.dag.finalize(roots);
  const kept: [string, string][] = [];
  for (const sig of [...lw.signals.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const v = sig.val;
    const id = v && (v.k === 'node' || v.k === 'multi') ? v.id : undefined;
    // Used = referenced by name from a rule (directly or through other signals), not merely equal to a used node.
    if (id !== undefined && reachable.has(id) && used.has(sig.name)) kept.push([sig.name, v!.k === 'node' && v!.output ? `${idOf(id)}.${v!.output}` : idOf(id)]);
    else bag.add({ code: 'W601', message: `signal \`${sig.name}\` is not used by any rule; it is left out of the plan`, span: sig.keySpan, hint: 'use it in entry/exit/portfolio, or delete it', path: `/signals/${sig.name}` });
  }
  // fromEntries creates own properties: assigning `signals['__proto__']` would set the prototype instead.
  const signals: Record<string, string> = Object.fromEntries(kept);
  for (const [name, p] of lw.params) {
    if (!p.used) bag.add({ code: 'W604', message: `param \`${name}\` is never used`, span: p.keySpan, hint: `reference it as \`$${name}\`, or delete it`, path: `/params/${name}` });
  }

  const normalized = applyDefaults(value as Record<string, unknown>);
  const canonicalObj = canonicalArtifact(normalized);
  const canonical = canonicalize(canonicalObj)!;
  const hash = `sha256:${createHash('sha256').update(canonical).digest('hex')}`;

  const warmup: Record<string, number> = {};
  for (const n of nodes) for (const [tf, bars] of Object.entries(n.warmup)) warmup[tf] = Math.max(warmup[tf] ?? 0, bars);
  const ref = (v: Val | undefined) => (v && v.k === 'node' ? (v.output ? `${idOf(v.id)}.${v.output}` : idOf(v.id)) : undefined);
  const n = normalized as Record<string, any>;
  const plan: Plan = {
    strata: 'plan/v1',
    artifact: { name: n.name, schema: 'strategy/v1', hash },
    compiler: { version: COMPILER_VERSION },
    params: Object.fromEntries([...lw.params.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, p]) => [k, p.value])),
    universe: n.universe,
    benchmark: n.benchmark ?? null,
    timeframes: { base: lw.baseTf, extra: [...lw.declaredTfs] },
    feeds: sortKeys(n.feeds) as Record<string, string>,
    nodes,
    signals,
    rules: sinks.rules ? buildRules(sinks.rules, ref, n) : null,
    portfolio: sinks.portfolio ? buildPortfolio(sinks.portfolio, ref, n) : null,
    sizing: n.portfolio ? null : buildSizing(n.sizing, ref(sinks.volatility)),
    risk: buildRisk(n.risk),
    execution: buildExecution(n.execution),
    warmup: sortTimeframes(warmup),
    customNodes: Object.fromEntries([...lw.custom.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, c]) => [k, { module: c.module, sha256: c.sha256 }])),
  };
  return { ok: true, file, diagnostics: sortDiagnostics(bag.items), hash, canonical, plan };
}

interface RuleVals {
  entryLong?: Val | undefined;
  entryShort?: Val | undefined;
  exitLong?: Val | undefined;
  exitShort?: Val | undefined;
  stops: Partial<Record<'stop_loss' | 'take_profit' | 'trailing_stop', Val | undefined>>;
}

interface Sinks {
  roots: number[];
  rules?: RuleVals;
  portfolio?: { score?: Val; filter?: Val; volatility?: Val };
  volatility?: Val;
}

/** Lowers everything the kernel reads: rules, stops, portfolio score and filter, sizing inputs. */
function lowerSinks(lw: Lowering): Sinks {
  const roots: number[] = [];
  const keep = (v: Val | undefined) => {
    if (v && (v.k === 'node' || v.k === 'multi')) roots.push(v.id);
    return v;
  };
  const rule = (path: PathSegment[], want: 'bool' | 'number', what: string): Val | undefined => {
    const v = lw.lowerAt(path);
    if (!v) return undefined;
    if (!lw.expectType(v, want, lw.spanAt(path), what)) return undefined;
    if (v.k === 'const') {
      if (want === 'bool') lw.bag.add({ code: 'W602', message: `${what} is always ${String(v.value)}`, span: lw.spanAt(path), hint: v.value ? 'it fires on every bar' : 'it never fires', path: '/' + path.join('/') });
      // A constant still needs a node so the kernel can read it like any other rule.
      const id = lw.dag.add({ op: 'const', tf: lw.baseTf, type: v.type, inputs: [], params: { value: typeof v.value === 'boolean' ? Number(v.value) : v.value }, lookback: 0 });
      return keep({ k: 'node', type: v.type, id, tf: lw.baseTf });
    }
    // The kernel reads rules on the base timeframe: a rule made only of coarser values is aligned down.
    return keep(lw.toBase(v));
  };
  const sinks: Sinks = { roots };
  const entry = lw.get(['entry']);
  const exit = lw.get(['exit']);
  if (entry || exit) {
    const r: RuleVals = { stops: {} };
    if (entry && typeof entry === 'object') {
      if ('long' in entry) r.entryLong = rule(['entry', 'long'], 'bool', '`entry.long`');
      if ('short' in entry) r.entryShort = rule(['entry', 'short'], 'bool', '`entry.short`');
    }
    if (exit && typeof exit === 'object') {
      if ('long' in exit) r.exitLong = rule(['exit', 'long'], 'bool', '`exit.long`');
      if ('short' in exit) r.exitShort = rule(['exit', 'short'], 'bool', '`exit.short`');
      for (const k of ['stop_loss', 'take_profit', 'trailing_stop'] as const) {
        const stop = (exit as Record<string, unknown>)[k] as { kind?: string; period?: number; distance?: string } | undefined;
        if (!stop || typeof stop !== 'object' || lw.isBad(['exit', k])) continue;
        if (stop.kind === 'atr') {
          const period = stop.period ?? 14;
          r.stops[k] = keep(lw.lowerCall('atr', lw.spanAt(['exit', k]), lw.spanAt(['exit', k]), [{ val: { k: 'const', type: 'number', value: period }, span: lw.spanAt(['exit', k]) }], lw.baseTf));
        } else if (stop.kind === 'expr') {
          r.stops[k] = rule(['exit', k, 'distance'], 'number', `\`exit.${k}.distance\``);
        } else {
          r.stops[k] = undefined;
        }
      }
    }
    sinks.rules = r;
  }
  const portfolio = lw.get(['portfolio']);
  if (portfolio && typeof portfolio === 'object' && !lw.isBad(['portfolio'])) {
    const p = portfolio as { filter?: string; weighting?: { kind?: string; lookback?: number } };
    const pv: NonNullable<Sinks['portfolio']> = {};
    const score = rule(['portfolio', 'rank', 'by'], 'number', '`portfolio.rank.by`');
    if (score) pv.score = score;
    if (p.filter !== undefined) {
      const f = rule(['portfolio', 'filter'], 'bool', '`portfolio.filter`');
      if (f) pv.filter = f;
    }
    if (p.weighting?.kind === 'inverse_volatility') {
      const vol = keep(volatilityNode(lw, p.weighting.lookback ?? 20, ['portfolio', 'weighting']));
      if (vol) pv.volatility = vol;
    }
    sinks.portfolio = pv;
  }
  const sizing = lw.get(['sizing']) as { kind?: string; lookback?: number } | undefined;
  if (sizing?.kind === 'volatility_target' && !lw.isBad(['sizing'])) {
    const vol = keep(volatilityNode(lw, sizing.lookback ?? 20, ['sizing']));
    if (vol) sinks.volatility = vol;
  }
  return sinks;
}

/** Per-bar volatility of simple returns: stdev(close / close[1] − 1, lookback). */
function volatilityNode(lw: Lowering, lookback: number, path: PathSegment[]): Val | undefined {
  const parsed = parseExpression(`stdev(close / close[1] - 1, ${lookback})`);
  if (!parsed.ok) throw new Error('internal: volatility expression does not parse');
  const at = lw.spanAt(path).start;
  return lw.lower(parsed.expr, { tf: lw.baseTf, at: () => at });
}

/** Whole-artifact rules: which form, whether rules pair up, whether symbols and settings agree. */
function checkStructure(lw: Lowering, sinks: Sinks): void {
  const v = lw.value;
  const has = (k: string) => v[k] !== undefined;
  const universe = Array.isArray(v.universe) ? (v.universe as unknown[]).filter((s): s is string => typeof s === 'string') : [];
  // Exit rules without an entry are E501 (below), not "no trading rules".
  if (!has('entry') && !has('portfolio') && !has('exit')) {
    lw.report('E502', 'the artifact has no trading rules', lw.spanAt(['strata']), 'add `entry:` (with `exit:`) for single-symbol rules, or `portfolio:` for rank-and-rebalance');
  }
  if (has('entry') && has('portfolio')) {
    lw.report('E503', 'an artifact uses either entry/exit rules or a portfolio block, not both', lw.keySpanAt(['portfolio']), 'split it into two strategies', [{ message: '`entry` is here', span: lw.keySpanAt(['entry']) }]);
  }
  if (has('exit') && !has('portfolio')) {
    const entry = (v.entry ?? {}) as Record<string, unknown>;
    const exit = (v.exit ?? {}) as Record<string, unknown>;
    for (const side of ['long', 'short'] as const) {
      if (exit[side] !== undefined && entry[side] === undefined) {
        lw.report('E501', `\`exit.${side}\` has no matching \`entry.${side}\``, lw.keySpanAt(['exit', side]), `add \`entry.${side}\`, or remove the exit rule`, undefined, ['exit', side]);
      }
    }
    if (!has('entry')) {
      for (const k of ['stop_loss', 'take_profit', 'trailing_stop', 'max_bars']) {
        if (exit[k] !== undefined) lw.report('E501', `\`exit.${k}\` without any entry rule`, lw.keySpanAt(['exit', k]), 'add an `entry:` block', undefined, ['exit', k]);
      }
    }
  }
  if (has('entry') && !has('portfolio') && v.entry && typeof v.entry === 'object') {
    const exit = (v.exit ?? {}) as Record<string, unknown>;
    const hasAnyExit = ['stop_loss', 'take_profit', 'trailing_stop', 'max_bars'].some((k) => exit[k] !== undefined);
    for (const side of ['long', 'short'] as const) {
      if ((v.entry as Record<string, unknown>)[side] !== undefined && exit[side] === undefined && !hasAnyExit) {
        lw.bag.add({ code: 'W608', message: `\`entry.${side}\` has no way out: no \`exit.${side}\` rule, stop, take-profit or max_bars`, span: lw.keySpanAt(['entry', side]), hint: 'positions stay open until the end of the data (or a risk breaker); add an exit rule or a stop', path: `/entry/${side}` });
      }
    }
  }
  if (has('portfolio') && has('exit')) {
    lw.report('E503', '`exit` rules do not apply to the portfolio form', lw.keySpanAt(['exit']), 'the portfolio exits a symbol when it drops out of the selection at a rebalance; remove `exit:`');
  }
  const sizing = v.sizing as { kind?: string } | undefined;
  const exit = (v.exit ?? {}) as Record<string, unknown>;
  if (sizing?.kind === 'risk_per_trade' && !has('portfolio') && exit.stop_loss === undefined) {
    lw.report('E505', '`risk_per_trade` sizing needs `exit.stop_loss`: the risk is the distance to the stop', lw.spanAt(['sizing', 'kind']), 'add e.g. `stop_loss: { kind: atr, multiple: 2 }` under `exit:`', undefined, ['sizing', 'kind']);
  }
  if (has('portfolio') && has('sizing')) {
    lw.bag.add({ code: 'W606', message: '`sizing` is ignored in the portfolio form: target weights size the positions', span: lw.keySpanAt(['sizing']), hint: 'remove `sizing:`', path: '/sizing' });
  }
  const portfolio = v.portfolio as { cash?: { symbol?: string }; select?: { top?: number }; max_weight?: number } | undefined;
  if (portfolio && typeof portfolio === 'object') {
    const cash = portfolio.cash?.symbol;
    if (typeof cash === 'string' && universe.includes(cash)) {
      lw.report('E506', `cash sleeve \`${cash}\` is also in the universe`, lw.spanAt(['portfolio', 'cash', 'symbol']), 'the cash sleeve holds what the ranked universe does not; remove it from `universe`', undefined, ['portfolio', 'cash', 'symbol']);
    }
    const top = portfolio.select?.top;
    if (typeof top === 'number' && universe.length > 0 && top >= universe.length) {
      lw.bag.add({ code: 'W605', message: `\`select.top\` is ${top} but the universe has ${universe.length} symbols: every eligible symbol is held`, span: lw.spanAt(['portfolio', 'select', 'top']), hint: 'ranking then has no effect; lower `top`', path: '/portfolio/select/top' });
    }
    const maxW = portfolio.max_weight ?? 1;
    if (typeof top === 'number' && cash === undefined && maxW * Math.min(top, universe.length || top) < 1 - 1e-12) {
      lw.bag.add({ code: 'W607', message: `at most ${Math.round(maxW * Math.min(top, universe.length) * 1000) / 10}% can be invested (${Math.min(top, universe.length)} × max_weight ${maxW}); the rest stays in uninvested cash`, span: lw.spanAt(['portfolio', 'max_weight']), hint: 'add a cash sleeve (`cash: { symbol: BIL }`) or raise max_weight', path: '/portfolio/max_weight' });
    }
  }
  const exec = (v.execution ?? {}) as { order_type?: string; limit_offset_bps?: number; fill?: string };
  const orderType = exec.order_type ?? 'market';
  if (exec.fill === 'limit_touch' && orderType !== 'limit') {
    lw.report('E510', '`fill: limit_touch` needs `order_type: limit`', lw.spanAt(['execution', 'fill']), 'set `order_type: limit` (with `limit_offset_bps`), or use `fill: next_open`', undefined, ['execution', 'fill']);
  }
  if (exec.limit_offset_bps !== undefined && orderType !== 'limit') {
    lw.bag.add({ code: 'W606', message: '`limit_offset_bps` has no effect on market orders', span: lw.keySpanAt(['execution', 'limit_offset_bps']), hint: 'set `order_type: limit` or remove it', path: '/execution/limit_offset_bps' });
  }
  if (exec.fill === 'close') {
    lw.bag.add({ code: 'W603', message: '`fill: close` fills at the close of the bar the signal was computed on', span: lw.spanAt(['execution', 'fill']), hint: 'only market-on-close orders achieve this; `next_open` is the honest default', path: '/execution/fill' });
  }
  void sinks;
}

function buildStop(kind: string, raw: Record<string, any>, node: string | undefined): PlanStop {
  if (kind === 'atr') return { kind: 'atr', multiple: raw.multiple, period: raw.period, ...(node ? { node } : {}) };
  if (kind === 'percent') return { kind: 'percent', value: raw.value };
  return { kind: 'expr', ...(node ? { node } : {}) };
}

function buildRules(r: RuleVals, ref: (v: Val | undefined) => string | undefined, n: Record<string, any>): PlanRules {
  const exit = n.exit ?? {};
  const entry: { long?: string; short?: string } = {};
  const el = ref(r.entryLong);
  const es = ref(r.entryShort);
  if (el) entry.long = el;
  if (es) entry.short = es;
  const ex: { long?: string; short?: string; maxBars?: number } = {};
  const xl = ref(r.exitLong);
  const xs = ref(r.exitShort);
  if (xl) ex.long = xl;
  if (xs) ex.short = xs;
  if (exit.max_bars !== undefined) ex.maxBars = exit.max_bars;
  const rules: { -readonly [K in keyof PlanRules]: PlanRules[K] } = { entry, exit: ex };
  if (exit.stop_loss) rules.stopLoss = buildStop(exit.stop_loss.kind, exit.stop_loss, ref(r.stops.stop_loss));
  if (exit.take_profit) rules.takeProfit = buildStop(exit.take_profit.kind, exit.take_profit, ref(r.stops.take_profit));
  if (exit.trailing_stop) rules.trailingStop = buildStop(exit.trailing_stop.kind, exit.trailing_stop, ref(r.stops.trailing_stop));
  return rules;
}

function buildPortfolio(p: NonNullable<Sinks['portfolio']>, ref: (v: Val | undefined) => string | undefined, n: Record<string, any>): PlanPortfolio {
  const raw = n.portfolio;
  const filter = ref(p.filter);
  const vol = ref(p.volatility);
  return {
    score: ref(p.score)!,
    order: raw.rank.order,
    ...(filter ? { filter } : {}),
    top: raw.select.top,
    weighting: { kind: raw.weighting.kind, ...(raw.weighting.lookback !== undefined ? { lookback: raw.weighting.lookback } : {}), ...(vol ? { volatility: vol } : {}) },
    maxWeight: raw.max_weight,
    cash: raw.cash?.symbol ?? null,
    rebalance: { every: raw.rebalance.every, on: raw.rebalance.on, driftThreshold: raw.rebalance.drift_threshold },
  };
}

function buildSizing(s: Record<string, any> | undefined, volatility: string | undefined): PlanSizing {
  const sizing = s ?? { kind: 'equity_fraction', value: 1, lot_size: 1 };
  return {
    kind: sizing.kind,
    ...(sizing.value !== undefined ? { value: sizing.value } : {}),
    ...(sizing.target !== undefined ? { target: sizing.target } : {}),
    ...(sizing.lookback !== undefined ? { lookback: sizing.lookback } : {}),
    ...(sizing.max_leverage !== undefined ? { maxLeverage: sizing.max_leverage } : {}),
    lotSize: sizing.lot_size ?? 1,
    ...(volatility ? { volatility } : {}),
  };
}

/** Sorts keys at every level, so the plan JSON does not depend on the order the artifact wrote them in. */
function buildRisk(r: Record<string, any>): PlanRisk {
  const b = r.drawdown_breaker;
  return {
    maxPositionWeight: r.max_position_weight,
    maxGrossExposure: r.max_gross_exposure,
    dailyLossHalt: r.daily_loss_halt ?? null,
    drawdownBreaker: b ? { threshold: b.threshold, window: b.window, cooldown: b.cooldown, action: b.action } : null,
  };
}

function buildExecution(e: Record<string, any>): PlanExecution {
  return {
    orderType: e.order_type,
    limitOffsetBps: e.limit_offset_bps ?? null,
    maxSpreadBps: e.max_spread_bps ?? null,
    timeInForce: e.time_in_force,
    fill: e.fill,
    feeBps: e.fee_bps,
    slippageBps: e.slippage_bps,
    maxParticipation: e.max_participation ?? null,
  };
}

function sortKeys(o: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o ?? {}).sort()) {
    const v = o![k];
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? sortKeys(v as Record<string, unknown>) : v;
  }
  return out;
}

/** Expression strings replaced by their canonical print, so spacing inside expressions does not change the hash. */
function canonicalArtifact(a: Record<string, any>): Record<string, unknown> {
  const out = structuredClone(a);
  const canon = (s: unknown) => {
    if (typeof s !== 'string') return s;
    const p = parseExpression(s);
    return p.ok ? printExpr(p.expr) : s;
  };
  for (const [k, sig] of Object.entries(out.signals ?? {})) {
    if (typeof sig === 'string') out.signals[k] = canon(sig);
    else if (sig && typeof sig === 'object' && Array.isArray((sig as any).inputs)) (sig as any).inputs = (sig as any).inputs.map(canon);
  }
  for (const side of ['long', 'short']) {
    if (out.entry?.[side] !== undefined) out.entry[side] = canon(out.entry[side]);
    if (out.exit?.[side] !== undefined) out.exit[side] = canon(out.exit[side]);
  }
  for (const k of ['stop_loss', 'take_profit', 'trailing_stop']) {
    if (out.exit?.[k]?.kind === 'expr') out.exit[k].distance = canon(out.exit[k].distance);
  }
  if (out.portfolio?.rank?.by !== undefined) out.portfolio.rank.by = canon(out.portfolio.rank.by);
  if (out.portfolio?.filter !== undefined) out.portfolio.filter = canon(out.portfolio.filter);
  for (const node of Object.values(out.nodes ?? {}) as any[]) if (typeof node.lookback === 'string') node.lookback = canon(node.lookback);
  return out;
}

