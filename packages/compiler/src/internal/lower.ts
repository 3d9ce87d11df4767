import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Document, Node as YamlNode } from 'yaml';
import { BAR_FIELDS, CATALOG, DERIVED_FIELDS, type CatalogEntry, type CatalogOutput, type CatalogParam, type ValueType } from '../catalog.js';
import type { DiagnosticBag, DiagnosticCode } from '../diagnostics.js';
import type { BinaryOp, Expr, ExprSpan } from '../expr/ast.js';
import { parseExpression } from '../expr/parser.js';
import type { PlanParamValue } from '../plan.js';
import { COMMUTATIVE_OPS, DagBuilder } from './dag.js';
import { headSpan, nodeAtPath, rangeSpan, scalarOffsetMapper, type PathSegment } from './load.js';
import type { SourceText, Span } from './source.js';
import { suggest } from './suggest.js';
import { nests, parseTimeframe } from './timeframes.js';

/** A lowered value: a folded constant, a DAG node (or a multi-output node awaiting `.output`), or a literal only params accept. */
export type Val =
  | { readonly k: 'const'; readonly type: ValueType; readonly value: number | boolean }
  | { readonly k: 'node'; readonly type: ValueType; readonly id: number; readonly output?: string; readonly tf: string }
  | { readonly k: 'multi'; readonly id: number; readonly tf: string; readonly outputs: readonly CatalogOutput[]; readonly callee: string }
  | { readonly k: 'str'; readonly value: string }
  | { readonly k: 'list'; readonly values: readonly number[] };

interface ExprCtx {
  /** Timeframe that unqualified bar fields and implicit indicator inputs read. */
  readonly tf: string;
  /** Maps an offset in the expression text to a file offset. */
  readonly at: (offset: number) => number;
}

interface BoundArg {
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly val: Val | undefined;
  readonly span: Span;
}

interface SignalDef {
  readonly name: string;
  readonly path: PathSegment[];
  readonly keySpan: Span;
  state: 'pending' | 'visiting' | 'done';
  val: Val | undefined;
}

interface ParamDef {
  readonly value: number;
  readonly keySpan: Span;
  used: boolean;
}

export interface LowerOptions {
  readonly params?: Readonly<Record<string, number>>;
  /** Directory custom node modules are resolved against; undefined when compiling text with no file. */
  readonly baseDir?: string | undefined;
}

const ARITH: Partial<Record<BinaryOp, string>> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod' };
const COMPARE: Partial<Record<BinaryOp, string>> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '!=': 'ne' };
const MAX_LAG = 100_000;
/** The owner of references made by rules, stops, scores and filters (not a valid signal name). */
const ROOT_OWNER = '<rules>';
/**
 * Bound on nested `lower` calls, counted across signal references: each expression is at most
 * MAX_EXPR_DEPTH deep, but a long chain of signals that refer to each other nests them all into
 * one recursion, which must end in a diagnostic rather than a stack overflow.
 */
export const MAX_LOWER_DEPTH = 500;

/** The semantic passes: name resolution, type check, constant folding and DAG construction. */
export class Lowering {
  readonly dag = new DagBuilder();
  readonly params = new Map<string, ParamDef>();
  readonly signals = new Map<string, SignalDef>();
  readonly custom = new Map<string, CatalogEntry & { module: string; sha256: string; lookbackExpr: Expr | number; keySpan: Span }>();
  readonly baseTf: string;
  readonly declaredTfs = new Set<string>();
  readonly #visiting: string[] = [];
  /** Signal references by name: owner (a signal, or ROOT_OWNER for rules and other sinks) → referenced signals. */
  readonly references = new Map<string, Set<string>>();

  /** Names of the signals reachable by reference from the rules (and other sinks). */
  usedSignals(): Set<string> {
    const used = new Set<string>();
    const stack = [...(this.references.get(ROOT_OWNER) ?? [])];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (used.has(name)) continue;
      used.add(name);
      for (const next of this.references.get(name) ?? []) stack.push(next);
    }
    return used;
  }
  readonly #derived = new Map<string, Expr>();
  readonly #reportedCycles = new Set<string>();
  readonly #rejectedTfs = new Set<string>();
  /** False when `timeframe` is missing or malformed (already reported): `baseTf` is then only a stand-in. */
  readonly baseTfValid: boolean;
  #depth = 0;
  #reportedTooDeep = false;

  constructor(
    readonly value: Record<string, unknown>,
    readonly doc: Document.Parsed,
    readonly source: SourceText,
    readonly bag: DiagnosticBag,
    readonly badPaths: ReadonlySet<string>,
    readonly options: LowerOptions,
  ) {
    this.baseTfValid = typeof value.timeframe === 'string' && parseTimeframe(value.timeframe) !== undefined;
    this.baseTf = this.baseTfValid ? (value.timeframe as string) : '1d';
  }

  // ————— helpers —————

  isBad(path: readonly PathSegment[]): boolean {
    const ptr = path.length === 0 ? '' : '/' + path.join('/');
    for (const b of this.badPaths) {
      if (b === ptr || b.startsWith(ptr + '/') || ptr.startsWith(b + '/') || b === '') return true;
    }
    return false;
  }

  /** Whether the value at `path` itself, or a value containing it, failed the schema (bad values inside it do not count). */
  isBadAt(path: readonly PathSegment[]): boolean {
    let ptr = '';
    if (this.badPaths.has(ptr)) return true;
    for (const seg of path) {
      ptr += '/' + String(seg);
      if (this.badPaths.has(ptr)) return true;
    }
    return false;
  }

  get(path: readonly PathSegment[]): unknown {
    let v: unknown = this.value;
    for (const seg of path) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string | number, unknown>)[seg];
    }
    return v;
  }

  spanAt(path: readonly PathSegment[]): Span {
    const { node, key, parent } = nodeAtPath(this.doc, path);
    return rangeSpan(node) ?? rangeSpan(key) ?? headSpan(this.source, parent) ?? { start: 0, end: 1 };
  }

  keySpanAt(path: readonly PathSegment[]): Span {
    const { key } = nodeAtPath(this.doc, path);
    return rangeSpan(key) ?? this.spanAt(path);
  }

  report(code: DiagnosticCode, message: string, span: Span, hint?: string, related?: { message: string; span: Span }[], path?: readonly PathSegment[]): void {
    this.bag.add({
      code,
      message,
      span,
      ...(hint ? { hint } : {}),
      ...(related ? { related } : {}),
      ...(path ? { path: '/' + path.join('/') } : {}),
    });
  }

  where(span: Span): string {
    const p = this.source.position(span.start);
    return `${p.line}:${p.column}`;
  }

  // ————— declarations —————

  declare(): void {
    this.declareTimeframes();
    this.declareParams();
    this.declareCustomNodes();
    this.declareSignals();
  }

  declareTimeframes(): void {
    const tfs = this.get(['timeframes']);
    // Item by item: a malformed or repeated entry must not make the valid ones "undeclared".
    if (!Array.isArray(tfs)) return;
    tfs.forEach((tf, i) => {
      if (typeof tf !== 'string' || this.badPaths.has(`/timeframes/${i}`)) return;
      // Without a valid base timeframe (already reported) there is nothing to check nesting against.
      const n = this.baseTfValid ? nests(this.baseTf, tf) : ({ ok: true } as const);
      if (!n.ok) {
        this.#rejectedTfs.add(tf);
        this.report('E504', `timeframe \`${tf}\` cannot be used with base timeframe \`${this.baseTf}\`: ${n.reason}`, this.spanAt(['timeframes', i]), 'extra timeframes must be coarser than `timeframe` and made of whole base bars (e.g. base 1d with 1w or 1M; base 1h with 4h or 1d)', undefined, ['timeframes', i]);
        return;
      }
      this.declaredTfs.add(tf);
    });
  }

  declareParams(): void {
    const params = this.get(['params']);
    if (!params || typeof params !== 'object' || this.isBadAt(['params'])) return;
    const overrides = this.options.params ?? {};
    for (const [name, def] of Object.entries(params as Record<string, unknown>)) {
      const path = ['params', name];
      if (this.isBad(path) || !def || typeof def !== 'object') continue;
      const d = def as { default?: unknown; min?: unknown; max?: unknown; type?: unknown };
      if (typeof d.default !== 'number') continue;
      const keySpan = this.keySpanAt(path);
      const isInt = d.type === 'int';
      let ok = true;
      for (const field of ['default', 'min', 'max'] as const) {
        const v = d[field];
        if (isInt && typeof v === 'number' && !Number.isInteger(v)) {
          this.report('E411', `param \`${name}\` is an int but its ${field} is ${v}`, this.spanAt([...path, field]), `use a whole number, or set \`type: float\``, undefined, [...path, field]);
          ok = false;
        }
      }
      const min = typeof d.min === 'number' ? d.min : undefined;
      const max = typeof d.max === 'number' ? d.max : undefined;
      if (min !== undefined && max !== undefined && min > max) {
        this.report('E411', `param \`${name}\` has min ${min} above max ${max}`, this.spanAt([...path, 'min']), 'swap them', undefined, [...path, 'min']);
        ok = false;
      } else if ((min !== undefined && d.default < min) || (max !== undefined && d.default > max)) {
        this.report('E411', `param \`${name}\` defaults to ${d.default}, outside its range [${min ?? '-∞'}, ${max ?? '∞'}]`, this.spanAt([...path, 'default']), 'move the default into the range or widen the range', undefined, [...path, 'default']);
        ok = false;
      }
      let value = d.default;
      const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
      if (override !== undefined) {
        if (!Number.isFinite(override)) {
          this.report('E509', `override ${name}=${override} is not a finite number`, keySpan, undefined, undefined, path);
          ok = false;
        } else if (isInt && !Number.isInteger(override)) {
          this.report('E509', `override ${name}=${override} must be a whole number (param \`${name}\` is an int)`, keySpan, undefined, undefined, path);
          ok = false;
        } else if ((min !== undefined && override < min) || (max !== undefined && override > max)) {
          this.report('E509', `override ${name}=${override} is outside the param's range [${min ?? '-∞'}, ${max ?? '∞'}]`, keySpan, `param \`${name}\` is defined at ${this.where(keySpan)}`, undefined, path);
          ok = false;
        } else {
          value = override;
        }
      }
      if (ok) this.params.set(name, { value, keySpan, used: false });
    }
    for (const name of Object.keys(overrides).sort()) {
      if (!params || typeof params !== 'object' || !Object.hasOwn(params, name)) {
        const s = suggest(name, Object.keys((params as object | undefined) ?? {}));
        this.report('E509', `override of unknown param \`${name}\``, headSpan(this.source, nodeAtPath(this.doc, ['params']).node) ?? { start: 0, end: 1 }, s ? `did you mean \`${s}\`?` : 'only params declared under `params:` can be overridden');
      }
    }
  }

  declareCustomNodes(): void {
    const nodes = this.get(['nodes']);
    if (!nodes || typeof nodes !== 'object' || this.isBadAt(['nodes'])) return;
    for (const [name, raw] of Object.entries(nodes as Record<string, unknown>)) {
      const path = ['nodes', name];
      if (this.isBad(path) || !raw || typeof raw !== 'object') continue;
      const def = raw as { module: string; sha256: string; inputs?: { name: string; type?: ValueType }[]; params?: Record<string, { type?: string; min?: number; max?: number; default?: number }>; output: ValueType; lookback: number | string };
      const keySpan = this.keySpanAt(path);
      if (CATALOG.has(name)) {
        this.report('E412', `custom node \`${name}\` has the name of a built-in node`, keySpan, `rename it, e.g. \`my_${name}\``, undefined, path);
        continue;
      }
      let ok = this.verifyModule(def.module, def.sha256, [...path, 'module']);
      let lookbackExpr: Expr | number = 0;
      if (typeof def.lookback === 'number') {
        lookbackExpr = def.lookback;
      } else {
        const parsed = parseExpression(def.lookback);
        if (!parsed.ok) {
          this.reportParseError(parsed.error, this.mapperFor([...path, 'lookback']));
          ok = false;
        } else {
          lookbackExpr = parsed.expr;
        }
      }
      const params: CatalogParam[] = Object.entries(def.params ?? {}).map(([pn, pd]) => ({
        name: pn,
        type: pd.type === 'int' ? 'int' : 'float',
        ...(pd.min !== undefined ? { min: pd.min } : {}),
        ...(pd.max !== undefined ? { max: pd.max } : {}),
        ...(pd.default !== undefined ? { default: pd.default } : {}),
        description: `param of custom node ${name}`,
      }));
      if (typeof lookbackExpr !== 'number') {
        const names = new Set(params.map((p) => p.name));
        const bad = findNonParam(lookbackExpr, names);
        if (bad) {
          this.report('E416', `lookback of custom node \`${name}\` uses \`${bad.text}\`; it may only combine its params (${[...names].join(', ') || 'none'}) with numbers, + - * / and min/max`, this.mapSpan(bad.span, this.mapperFor([...path, 'lookback'])), undefined, undefined, [...path, 'lookback']);
          ok = false;
        }
      }
      if (!ok) continue;
      const lbe = lookbackExpr;
      this.custom.set(name, {
        name,
        kind: 'indicator',
        description: `custom node from ${def.module}`,
        inputs: (def.inputs ?? []).map((i) => ({ name: i.name, type: i.type ?? 'number' })),
        bar: [],
        params,
        outputs: [{ name: 'value', type: def.output }],
        lookback: (v) => (typeof lbe === 'number' ? lbe : evalLookback(lbe, v)),
        module: def.module,
        sha256: def.sha256,
        lookbackExpr: lbe,
        keySpan,
      });
    }
  }

  verifyModule(module: string, sha256: string, path: PathSegment[]): boolean {
    const span = this.spanAt(path);
    if (this.options.baseDir === undefined) {
      this.report('E415', `cannot verify custom node module \`${module}\`: the artifact was not compiled from a file`, span, 'compile the artifact file so the module path can be resolved', undefined, path);
      return false;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(resolvePath(this.options.baseDir, module));
    } catch (e) {
      this.report('E415', `custom node module \`${module}\` cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, span, 'the path is relative to the artifact file', undefined, path);
      return false;
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) {
      this.report('E415', `custom node module \`${module}\` does not match its sha256`, this.spanAt([...path.slice(0, -1), 'sha256']), `the file's sha256 is ${actual}; update the artifact only if you trust the new module`, undefined, [...path.slice(0, -1), 'sha256']);
      return false;
    }
    return true;
  }

  declareSignals(): void {
    const signals = this.get(['signals']);
    if (!signals || typeof signals !== 'object' || this.isBadAt(['signals'])) return;
    for (const name of Object.keys(signals as object)) {
      const path = ['signals', name];
      const keySpan = this.keySpanAt(path);
      if ((BAR_FIELDS as readonly string[]).includes(name) || Object.hasOwn(DERIVED_FIELDS, name)) {
        this.report('E412', `signal \`${name}\` has the name of a bar field`, keySpan, `rename it, e.g. \`${name}_sig\``, undefined, path);
        continue;
      }
      if (name === 'true' || name === 'false' || name === 'and' || name === 'or' || name === 'not') {
        this.report('E412', `signal \`${name}\` has the name of a keyword`, keySpan, 'rename it', undefined, path);
        continue;
      }
      if (this.params.has(name)) {
        // Not ambiguous ($name vs name), but almost always a mistake.
        this.report('E412', `signal \`${name}\` has the same name as a param`, keySpan, `params are referenced as \`$${name}\`; rename the signal`, [{ message: 'the param is defined here', span: this.params.get(name)!.keySpan }], path);
        continue;
      }
      this.signals.set(name, { name, path, keySpan, state: 'pending', val: undefined });
    }
  }

  // ————— expressions —————

  mapperFor(path: readonly PathSegment[]): (offset: number) => number {
    return scalarOffsetMapper(this.source, nodeAtPath(this.doc, path).node as YamlNode | undefined);
  }

  mapSpan(s: ExprSpan, at: (o: number) => number): Span {
    const start = at(s.start);
    return { start, end: Math.max(start + 1, at(s.end)) };
  }

  reportParseError(error: { code: DiagnosticCode; message: string; span: ExprSpan; hint?: string }, at: (o: number) => number): void {
    this.report(error.code, error.message, this.mapSpan(error.span, at), error.hint);
  }

  /** Parses and lowers the expression string at `path` in the base timeframe. */
  lowerAt(path: readonly PathSegment[], tf = this.baseTf): Val | undefined {
    const text = this.get(path);
    if (typeof text !== 'string' || this.isBad(path)) return undefined;
    const at = this.mapperFor(path);
    const parsed = parseExpression(text);
    if (!parsed.ok) {
      this.reportParseError(parsed.error, at);
      return undefined;
    }
    return this.lower(parsed.expr, { tf, at });
  }

  span(e: { span: ExprSpan }, ctx: ExprCtx): Span {
    return this.mapSpan(e.span, ctx.at);
  }

  lower(e: Expr, ctx: ExprCtx): Val | undefined {
    if (this.#depth >= MAX_LOWER_DEPTH) {
      if (!this.#reportedTooDeep) {
        this.#reportedTooDeep = true;
        const chain = this.#visiting.length > 3 ? [...this.#visiting.slice(0, 2), '…', this.#visiting[this.#visiting.length - 1]!] : this.#visiting;
        this.report('E305', `expression nested more than ${MAX_LOWER_DEPTH} levels deep through ${this.#visiting.length} signal references (${chain.map((n) => `\`${n}\``).join(' → ')})`, this.span(e, ctx), 'shorten the chain of signals that refer to each other');
      }
      return undefined;
    }
    this.#depth++;
    try {
      return this.lowerNode(e, ctx);
    } finally {
      this.#depth--;
    }
  }

  lowerNode(e: Expr, ctx: ExprCtx): Val | undefined {
    switch (e.kind) {
      case 'num':
        return { k: 'const', type: 'number', value: e.value };
      case 'bool':
        return { k: 'const', type: 'bool', value: e.value };
      case 'str':
        return { k: 'str', value: e.value };
      case 'list': {
        const values: number[] = [];
        let ok = true;
        for (const item of e.items) {
          const v = this.lower(item, ctx);
          if (v === undefined) ok = false;
          else if (v.k === 'const' && v.type === 'number') values.push(v.value as number);
          else {
            this.report('E406', 'list items must be constant numbers', this.span(item, ctx), 'lists hold price levels, e.g. `[412.5, 430]`');
            ok = false;
          }
        }
        return ok ? { k: 'list', values } : undefined;
      }
      case 'param':
        return this.lowerParam(e.name, this.span(e, ctx));
      case 'ident':
        return this.lowerIdent(e.name, this.span(e, ctx), ctx);
      case 'unary':
        return this.lowerUnary(e, ctx);
      case 'binary':
        return this.lowerBinary(e, ctx);
      case 'lag':
        return this.lowerLag(e, ctx);
      case 'member':
        return this.selectOutput(this.lower(e.target, ctx), e.name, this.mapSpan(e.nameSpan, ctx.at), this.span(e.target, ctx));
      case 'tf':
        return this.lowerTf(e, ctx);
      case 'call':
        return this.lowerCall(
          e.callee,
          this.mapSpan(e.calleeSpan, ctx.at),
          this.span(e, ctx),
          e.args.map((a) => ({
            ...(a.name !== undefined ? { name: a.name, nameSpan: this.mapSpan(a.nameSpan!, ctx.at) } : {}),
            val: this.lower(a.value, ctx),
            span: this.span(a.value, ctx),
          })),
          ctx.tf,
        );
    }
  }

  lowerParam(name: string, span: Span): Val | undefined {
    const p = this.params.get(name);
    if (!p) {
      const declared = this.get(['params']);
      if (declared && typeof declared === 'object' && Object.hasOwn(declared, name)) return undefined; // declared but invalid: already reported
      const s = suggest(name, this.params.keys());
      this.report('E405', `undefined param \`$${name}\``, span, s ? `did you mean \`$${s}\`, defined at ${this.where(this.params.get(s)!.keySpan)}?` : `declare it under \`params:\`, e.g. \`${name}: { default: 10, min: 1, max: 100 }\``);
      return undefined;
    }
    p.used = true;
    return { k: 'const', type: 'number', value: p.value };
  }

  lowerIdent(name: string, span: Span, ctx: ExprCtx): Val | undefined {
    if ((BAR_FIELDS as readonly string[]).includes(name)) {
      return { k: 'node', type: 'number', id: this.field(name, ctx.tf), tf: ctx.tf };
    }
    // Own keys only: names such as `constructor` or `__proto__` must not find Object.prototype.
    const derived = Object.hasOwn(DERIVED_FIELDS, name) ? DERIVED_FIELDS[name] : undefined;
    if (derived !== undefined) {
      let ast = this.#derived.get(name);
      if (!ast) {
        const parsed = parseExpression(derived);
        if (!parsed.ok) throw new Error(`derived field ${name} does not parse`);
        ast = parsed.expr;
        this.#derived.set(name, ast);
      }
      return this.lower(ast, { tf: ctx.tf, at: () => span.start });
    }
    if (this.signals.has(name)) {
      // Record who refers to the signal: a signal is used only if a rule reaches it by name.
      const owner = this.#visiting[this.#visiting.length - 1] ?? ROOT_OWNER;
      let set = this.references.get(owner);
      if (!set) this.references.set(owner, (set = new Set()));
      set.add(name);
      return this.lowerSignal(name, span);
    }
    const signalsObj = this.get(['signals']);
    if (signalsObj && typeof signalsObj === 'object' && Object.hasOwn(signalsObj, name)) return undefined; // invalid signal, already reported
    if (this.params.has(name)) {
      this.report('E401', `unknown name \`${name}\``, span, `\`${name}\` is a param: write \`$${name}\``);
      return undefined;
    }
    if (CATALOG.has(name) || this.custom.has(name)) {
      this.report('E401', `\`${name}\` is a function; call it`, span, `e.g. \`${signatureOf(CATALOG.get(name) ?? this.custom.get(name)!)}\``);
      return undefined;
    }
    const candidates = [...this.signals.keys(), ...BAR_FIELDS, ...Object.keys(DERIVED_FIELDS)];
    const s = suggest(name, candidates);
    const sig = s !== undefined ? this.signals.get(s) : undefined;
    this.report(
      'E401',
      `unknown name \`${name}\``,
      span,
      s !== undefined ? `did you mean \`${s}\`${sig ? `, defined at ${this.where(sig.keySpan)}` : ''}?` : `define it under \`signals:\`, or use a bar field (${BAR_FIELDS.join(', ')})`,
    );
    return undefined;
  }

  lowerSignal(name: string, refSpan: Span): Val | undefined {
    const s = this.signals.get(name)!;
    if (s.state === 'done') return s.val;
    if (s.state === 'visiting') {
      const cycle = [...this.#visiting.slice(this.#visiting.indexOf(name)), name];
      const key = [...cycle.slice(0, -1)].sort().join(',');
      if (!this.#reportedCycles.has(key)) {
        this.#reportedCycles.add(key);
        this.report('E414', `signal \`${name}\` depends on itself: ${cycle.join(' → ')}`, refSpan, 'signals form a DAG; to use an earlier value of a signal, write a lag on its inputs (e.g. `close[1]`)', cycle.slice(0, -1).map((n) => ({ message: `\`${n}\` is defined here`, span: this.signals.get(n)!.keySpan })));
      }
      return undefined;
    }
    s.state = 'visiting';
    this.#visiting.push(name);
    const raw = this.get(s.path);
    const val = typeof raw === 'string' ? this.lowerAt(s.path) : this.lowerExplicit(s.path);
    this.#visiting.pop();
    s.state = 'done';
    s.val = val;
    if (val && (val.k === 'node' || val.k === 'multi')) this.dag.label(val.id, name);
    if (val && (val.k === 'str' || val.k === 'list')) {
      this.report('E404', `signal \`${name}\` must be a number or a condition, not a ${val.k === 'str' ? 'string' : 'list'}`, this.spanAt(s.path));
      s.val = undefined;
    }
    return s.val;
  }

  lowerExplicit(path: PathSegment[]): Val | undefined {
    if (this.isBad(path)) return undefined;
    const def = this.get(path) as { node: string; inputs?: string[]; params?: Record<string, unknown>; output?: string; timeframe?: string };
    let tf = this.baseTf;
    if (def.timeframe !== undefined) {
      const checked = this.checkTimeframe(def.timeframe, this.spanAt([...path, 'timeframe']));
      if (checked === undefined) return undefined;
      tf = checked;
    }
    const args: BoundArg[] = [];
    (def.inputs ?? []).forEach((_, i) => {
      args.push({ val: this.lowerAt([...path, 'inputs', i], tf), span: this.spanAt([...path, 'inputs', i]) });
    });
    for (const [pname, pval] of Object.entries(def.params ?? {})) {
      const ppath = [...path, 'params', pname];
      const span = this.spanAt(ppath);
      let val: Val | undefined;
      if (typeof pval === 'number') val = { k: 'const', type: 'number', value: pval };
      else if (Array.isArray(pval)) val = { k: 'list', values: pval as number[] };
      else if (typeof pval === 'string' && /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(pval)) val = this.lowerParam(pval.slice(1), span);
      else if (typeof pval === 'string' && pval.startsWith('$')) this.report('E301', `\`${pval}\` is not a param reference: \`$\` must be followed by a parameter name`, span, 'write `$name`, e.g. `$fast`');
      else if (typeof pval === 'string') val = { k: 'str', value: pval };
      args.push({ name: pname, nameSpan: this.keySpanAt(ppath), val, span });
    }
    const nodeSpan = this.spanAt([...path, 'node']);
    const v = this.lowerCall(def.node, nodeSpan, this.spanAt(path), args, tf);
    if (def.output !== undefined) return this.selectOutput(v, def.output, this.spanAt([...path, 'output']), nodeSpan);
    return v;
  }

  checkTimeframe(tf: string, span: Span): string | undefined {
    if (tf === this.baseTf) return tf;
    if (this.#rejectedTfs.has(tf)) return undefined; // its entry in `timeframes` is already reported
    if (!this.baseTfValid) {
      if (this.declaredTfs.has(tf)) return tf;
      this.report('E508', `timeframe \`${tf}\` is not declared`, span, `add it to the artifact: \`timeframes: [${[...this.declaredTfs, tf].join(', ')}]\``);
      return undefined;
    }
    const n = nests(this.baseTf, tf);
    if (!n.ok) {
      this.report('E504', `cannot read timeframe \`${tf}\` in a strategy whose base timeframe is \`${this.baseTf}\`: ${n.reason}`, span, 'only coarser timeframes made of whole base bars can be read; a finer timeframe would need bars that have not closed');
      return undefined;
    }
    if (!this.declaredTfs.has(tf)) {
      this.report('E508', `timeframe \`${tf}\` is not declared`, span, `add it to the artifact: \`timeframes: [${[...this.declaredTfs, tf].join(', ')}]\``);
      return undefined;
    }
    return tf;
  }

  lowerTf(e: Extract<Expr, { kind: 'tf' }>, ctx: ExprCtx): Val | undefined {
    const tfSpan = this.mapSpan(e.tfSpan, ctx.at);
    const tf = this.checkTimeframe(e.timeframe, tfSpan);
    if (tf === undefined) return undefined;
    if (e.target.kind === 'ident' && this.signals.has(e.target.name)) {
      const sig = this.signals.get(e.target.name)!;
      this.report('E504', `\`@${tf}\` cannot re-time signal \`${e.target.name}\``, tfSpan, `\`@\` applies to bar fields and indicator calls; define the signal on \`${tf}\` bars instead (e.g. \`sma(close@${tf}, 10)\`); \`${e.target.name}\` is defined at ${this.where(sig.keySpan)}`);
      return undefined;
    }
    return this.lower(e.target, { tf, at: ctx.at });
  }

  lowerUnary(e: Extract<Expr, { kind: 'unary' }>, ctx: ExprCtx): Val | undefined {
    const v = this.lower(e.operand, ctx);
    if (!v) return undefined;
    const want: ValueType = e.op === 'not' ? 'bool' : 'number';
    if (!this.expectType(v, want, this.span(e.operand, ctx), e.op === 'not' ? '`not`' : 'unary `-`')) return undefined;
    if (v.k === 'const') return e.op === 'not' ? { k: 'const', type: 'bool', value: !v.value } : { k: 'const', type: 'number', value: -(v.value as number) };
    return this.mk(e.op === 'not' ? 'not' : 'neg', want, [v], {}, 0, this.baseTf);
  }

  lowerBinary(e: Extract<Expr, { kind: 'binary' }>, ctx: ExprCtx): Val | undefined {
    const l = this.lower(e.left, ctx);
    const r = this.lower(e.right, ctx);
    if (!l || !r) return undefined;
    const ls = this.span(e.left, ctx);
    const rs = this.span(e.right, ctx);
    const opName = `\`${e.op}\``;
    if (e.op === 'and' || e.op === 'or') {
      const okL = this.expectType(l, 'bool', ls, opName);
      const okR = this.expectType(r, 'bool', rs, opName);
      if (!okL || !okR) return undefined;
      if (l.k === 'const' && r.k === 'const') return { k: 'const', type: 'bool', value: e.op === 'and' ? Boolean(l.value) && Boolean(r.value) : Boolean(l.value) || Boolean(r.value) };
      return this.mk(e.op, 'bool', [l, r], {}, 0, ctx.tf);
    }
    const cmpOp = COMPARE[e.op];
    if (cmpOp) {
      const boolEq = (e.op === '==' || e.op === '!=') && typeOf(l) === 'bool' && typeOf(r) === 'bool';
      if (!boolEq) {
        const okL = this.expectType(l, 'number', ls, opName);
        const okR = this.expectType(r, 'number', rs, opName);
        if (!okL || !okR) return undefined;
      }
      if (l.k === 'const' && r.k === 'const') return { k: 'const', type: 'bool', value: compare(e.op, l.value, r.value) };
      return this.mk(cmpOp, 'bool', [l, r], {}, 0, ctx.tf);
    }
    const arith = ARITH[e.op]!;
    const okL = this.expectType(l, 'number', ls, opName);
    const okR = this.expectType(r, 'number', rs, opName);
    if (!okL || !okR) return undefined;
    if (l.k === 'const' && r.k === 'const') {
      const a = l.value as number;
      const b = r.value as number;
      if ((e.op === '/' || e.op === '%') && b === 0) {
        this.report('E417', `division by zero: ${opName} by a constant 0`, rs, 'check the constant or param on the right');
        return undefined;
      }
      const value = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : e.op === '/' ? a / b : a % b;
      if (!Number.isFinite(value)) {
        this.report('E417', `constant ${opName} overflows to ${value}`, { start: ls.start, end: rs.end }, 'the result of constant arithmetic must be a finite number');
        return undefined;
      }
      return { k: 'const', type: 'number', value };
    }
    if ((e.op === '/' || e.op === '%') && r.k === 'const' && r.value === 0) {
      this.report('E417', `division by zero: ${opName} by a constant 0`, rs, 'check the constant or param on the right');
      return undefined;
    }
    return this.mk(arith, 'number', [l, r], {}, 0, ctx.tf);
  }

  lowerLag(e: Extract<Expr, { kind: 'lag' }>, ctx: ExprCtx): Val | undefined {
    const target = this.lower(e.target, ctx);
    const lag = this.lower(e.lag, ctx);
    const lagSpan = this.span(e.lag, ctx);
    if (lag === undefined) return undefined;
    if (lag.k !== 'const' || lag.type !== 'number') {
      this.report('E413', 'lag must be a constant whole number', lagSpan, 'write a number or a `$param`, as in `close[1]` or `close[$n]`');
      return undefined;
    }
    const n = lag.value as number;
    if (n < 0) {
      this.report('E507', `negative lag ${n} reads the future`, lagSpan, '`x[1]` is the previous bar; the next bar is never visible — use a lag ≥ 0');
      return undefined;
    }
    if (!Number.isInteger(n) || n > MAX_LAG) {
      this.report('E413', `lag ${n} must be a whole number between 0 and ${MAX_LAG}`, lagSpan);
      return undefined;
    }
    if (!target) return undefined;
    if (target.k === 'multi') return this.multiMisuse(target, this.span(e.target, ctx));
    if (target.k === 'str' || target.k === 'list') {
      this.report('E404', 'only numbers and conditions can be lagged', this.span(e.target, ctx));
      return undefined;
    }
    if (target.k === 'const' || n === 0) return target;
    return this.mk('lag', target.type, [target], { n }, n, target.tf);
  }

  selectOutput(v: Val | undefined, name: string, nameSpan: Span, targetSpan: Span): Val | undefined {
    if (!v) return undefined;
    if (v.k !== 'multi') {
      this.report('E410', `\`.${name}\`: this value has a single output`, nameSpan, 'remove the output selection');
      return undefined;
    }
    const out = v.outputs.find((o) => o.name === name);
    if (!out) {
      const s = suggest(name, v.outputs.map((o) => o.name));
      this.report('E410', `\`${v.callee}\` has no output \`${name}\`; its outputs are ${v.outputs.map((o) => o.name).join(', ')}`, nameSpan, s ? `did you mean \`.${s}\`?` : undefined, [{ message: 'on this call', span: targetSpan }]);
      return undefined;
    }
    return { k: 'node', type: out.type, id: v.id, output: name, tf: v.tf };
  }

  multiMisuse(v: Extract<Val, { k: 'multi' }>, span: Span): undefined {
    this.report('E410', `\`${v.callee}\` has several outputs (${v.outputs.map((o) => o.name).join(', ')}); pick one`, span, `e.g. \`${v.callee}(…).${v.outputs[0]!.name}\``);
    return undefined;
  }

  /** Checks a value against the expected type; reports and returns false on mismatch. */
  expectType(v: Val, want: ValueType, span: Span, context: string): boolean {
    if (v.k === 'multi') {
      this.multiMisuse(v, span);
      return false;
    }
    if (v.k === 'str' || v.k === 'list') {
      this.report('E404', `${context} needs a ${want === 'bool' ? 'condition' : 'number'}, not a ${v.k === 'str' ? 'string' : 'list'}`, span, v.k === 'str' ? 'strings are only allowed as timestamp arguments' : 'lists are only allowed as `levels`');
      return false;
    }
    if (v.type !== want) {
      this.report(
        'E404',
        want === 'bool' ? `${context} needs a condition (bool), but this is a number` : `${context} needs a number, but this is a condition (bool)`,
        span,
        want === 'bool' ? 'compare it to something, e.g. `x > 0`' : 'use `where(cond, a, b)` to turn a condition into a number',
      );
      return false;
    }
    return true;
  }

  field(name: string, tf: string): number {
    return this.dag.add({ op: 'field', tf, type: 'number', inputs: [], params: { field: name }, lookback: 0 });
  }

  /**
   * Creates a node. The node updates on the finest timeframe among its series inputs; an input on
   * a coarser timeframe is read through an `align` node, which exposes only closed coarse bars.
   */
  mk(op: string, type: ValueType, inputs: readonly Val[], params: Record<string, PlanParamValue>, lookback: number, fallbackTf: string, extra: { outputs?: readonly CatalogOutput[]; unstable?: boolean; crossSectional?: boolean } = {}): Val {
    let tf: string | undefined;
    for (const v of inputs) {
      if (v.k === 'node' && (tf === undefined || tfRank(v.tf) < tfRank(tf))) tf = v.tf;
    }
    const nodeTf = tf ?? fallbackTf;
    const refs = inputs.map((v) => {
      if (v.k === 'const') {
        return { id: this.dag.add({ op: 'const', tf: nodeTf, type: v.type, inputs: [], params: { value: typeof v.value === 'boolean' ? (v.value ? 1 : 0) : v.value }, lookback: 0 }) };
      }
      if (v.k !== 'node') throw new Error(`internal: ${v.k} passed as a node input`);
      const ref = v.output !== undefined ? { id: v.id, output: v.output } : { id: v.id };
      if (v.tf === nodeTf) return ref;
      return { id: this.dag.add({ op: 'align', tf: nodeTf, type: v.type, inputs: [ref], params: { from: v.tf }, lookback: 0 }) };
    });
    const id = this.dag.add({
      op,
      tf: nodeTf,
      type,
      inputs: refs,
      params,
      lookback,
      ...(extra.outputs ? { outputs: extra.outputs } : {}),
      ...(COMMUTATIVE_OPS.has(op) ? { commutative: true } : {}),
      ...(extra.unstable ? { unstable: true } : {}),
      ...(extra.crossSectional ? { crossSectional: true } : {}),
    });
    if (extra.outputs && extra.outputs.length > 1) return { k: 'multi', id, tf: nodeTf, outputs: extra.outputs, callee: op };
    return { k: 'node', type, id, tf: nodeTf };
  }

  /** A node value on a coarser timeframe, read on the base timeframe through an `align` node (only closed coarse bars). */
  toBase(v: Val): Val {
    if (v.k !== 'node' || v.tf === this.baseTf) return v;
    const ref = v.output !== undefined ? { id: v.id, output: v.output } : { id: v.id };
    const id = this.dag.add({ op: 'align', tf: this.baseTf, type: v.type, inputs: [ref], params: { from: v.tf }, lookback: 0 });
    return { k: 'node', type: v.type, id, tf: this.baseTf };
  }

  lowerCall(callee: string, calleeSpan: Span, callSpan: Span, args: readonly BoundArg[], ctxTf: string): Val | undefined {
    const entry = CATALOG.get(callee) ?? this.custom.get(callee);
    if (!entry) {
      const nodesObj = this.get(['nodes']);
      if (nodesObj && typeof nodesObj === 'object' && Object.hasOwn(nodesObj, callee)) return undefined; // invalid custom node, already reported
      if (this.signals.has(callee)) {
        this.report('E402', `\`${callee}\` is a signal, not a function`, calleeSpan, `use it without parentheses: \`${callee}\``);
        return undefined;
      }
      const s = suggest(callee, [...CATALOG.keys(), ...this.custom.keys()]);
      const own = s !== undefined && !CATALOG.has(s) ? this.custom.get(s) : undefined;
      this.report('E402', `unknown function \`${callee}\``, calleeSpan, s ? `did you mean \`${s}\`${own ? `, defined at ${this.where(own.keySpan)}` : ''}? (${signatureOf(CATALOG.get(s) ?? this.custom.get(s)!)})` : 'see docs/nodes.md for the node catalog');
      return undefined;
    }
    const slots = [...entry.inputs.map((i) => ({ name: i.name, input: i as typeof i | undefined, param: undefined as CatalogParam | undefined })), ...entry.params.map((p) => ({ name: p.name, input: undefined, param: p as CatalogParam | undefined }))];
    const bound = new Map<string, BoundArg>();
    let ok = true;
    let pos = 0;
    let sawNamed = false;
    for (const a of args) {
      if (a.name === undefined) {
        if (sawNamed) {
          this.report('E408', `positional argument after a named one in \`${callee}\``, a.span, `name it too, or move it before the named arguments (${signatureOf(entry)})`);
          ok = false;
          continue;
        }
        const slot = slots[pos++];
        if (!slot) {
          this.report('E403', `\`${callee}\` takes ${slots.length} argument${slots.length === 1 ? '' : 's'}, got ${args.length}`, a.span, `signature: ${signatureOf(entry)}`);
          ok = false;
          break;
        }
        bound.set(slot.name, a);
      } else {
        sawNamed = true;
        const slot = slots.find((s) => s.name === a.name);
        if (!slot) {
          const s = suggest(a.name, slots.map((x) => x.name));
          this.report('E408', `\`${callee}\` has no argument \`${a.name}\``, a.nameSpan ?? a.span, s ? `did you mean \`${s}\`? (${signatureOf(entry)})` : `signature: ${signatureOf(entry)}`);
          ok = false;
          continue;
        }
        if (bound.has(a.name)) {
          this.report('E408', `argument \`${a.name}\` of \`${callee}\` is given twice`, a.nameSpan ?? a.span, `signature: ${signatureOf(entry)}`);
          ok = false;
          continue;
        }
        bound.set(a.name, a);
      }
    }
    const inputs: Val[] = [];
    for (const input of entry.inputs) {
      const a = bound.get(input.name);
      if (!a) {
        if (ok) this.report('E409', `\`${callee}\` is missing its \`${input.name}\` argument`, callSpan, `signature: ${signatureOf(entry)}`);
        ok = false;
        continue;
      }
      if (!a.val) {
        ok = false;
        continue;
      }
      if (!this.expectType(a.val, input.type, a.span, `argument \`${input.name}\` of \`${callee}\``)) {
        ok = false;
        continue;
      }
      inputs.push(a.val);
    }
    const params: Record<string, PlanParamValue> = {};
    const numeric: Record<string, number> = {};
    for (const p of entry.params) {
      const a = bound.get(p.name);
      if (!a) {
        if (p.default !== undefined) {
          params[p.name] = p.default;
          numeric[p.name] = p.default;
        } else {
          if (ok) this.report('E409', `\`${callee}\` is missing its \`${p.name}\` argument`, callSpan, `signature: ${signatureOf(entry)}`);
          ok = false;
        }
        continue;
      }
      const v = this.paramArg(callee, p, a);
      if (v === undefined) {
        ok = false;
        continue;
      }
      params[p.name] = v;
      if (typeof v === 'number') numeric[p.name] = v;
    }
    if (!ok) return undefined;
    if (!this.crossCheck(callee, params, callSpan)) return undefined;
    const lookback = entry.lookback(numeric);
    if (!Number.isInteger(lookback) || lookback < 0 || lookback > MAX_LAG) {
      this.report('E416', `lookback of \`${callee}\` evaluates to ${lookback}; it must be a whole number from 0 to ${MAX_LAG}`, callSpan);
      return undefined;
    }
    const barInputs: Val[] = entry.bar.map((f) => ({ k: 'node', type: 'number', id: this.field(f, ctxTf), tf: ctxTf }));
    const isCustom = this.custom.has(callee) && !CATALOG.has(callee);
    const op = isCustom ? `custom:${callee}` : callee;
    return this.mk(op, entry.outputs[0]!.type, [...inputs, ...barInputs], params, lookback, ctxTf, {
      outputs: entry.outputs.length > 1 ? entry.outputs : undefined,
      unstable: entry.unstable === true,
      crossSectional: entry.kind === 'cross_sectional',
    } as { outputs?: readonly CatalogOutput[]; unstable?: boolean; crossSectional?: boolean });
  }

  paramArg(callee: string, p: CatalogParam, a: BoundArg): PlanParamValue | undefined {
    const v = a.val;
    if (!v) return undefined;
    const label = `\`${p.name}\` of \`${callee}\``;
    if (p.type === 'levels') {
      const values = v.k === 'list' ? v.values : v.k === 'const' && v.type === 'number' ? [v.value as number] : undefined;
      if (!values) {
        this.report('E406', `${label} must be a list of constant prices`, a.span, 'e.g. `[412.5, 430]`');
        return undefined;
      }
      if (values.length < (p.min ?? 1) || values.length > (p.max ?? Infinity)) {
        this.report('E407', `${label} must hold ${p.min ?? 1} to ${p.max} levels, got ${values.length}`, a.span);
        return undefined;
      }
      if (values.some((x) => !(x > 0))) {
        this.report('E407', `${label} must hold positive prices`, a.span);
        return undefined;
      }
      return [...values].sort((x, y) => x - y);
    }
    if (p.type === 'timestamp') {
      if (v.k !== 'str') {
        this.report('E406', `${label} must be a date or timestamp string`, a.span, 'e.g. "2024-03-01" or "2024-03-01T14:30:00Z"');
        return undefined;
      }
      const ms = parseTimestamp(v.value);
      if (ms === undefined) {
        this.report('E407', `${label}: ${JSON.stringify(v.value)} is not an ISO 8601 date or UTC timestamp`, a.span, 'e.g. "2024-03-01" or "2024-03-01T14:30:00Z"');
        return undefined;
      }
      return new Date(ms).toISOString();
    }
    if (v.k !== 'const' || v.type !== 'number') {
      this.report('E406', `${label} must be a constant number`, a.span, v.k === 'node' ? 'a series cannot set a parameter; use a number or a `$param`' : undefined);
      return undefined;
    }
    const x = v.value as number;
    if (p.type === 'int' && !Number.isInteger(x)) {
      this.report('E407', `${label} must be a whole number, got ${x}`, a.span);
      return undefined;
    }
    if ((p.min !== undefined && x < p.min) || (p.max !== undefined && x > p.max)) {
      this.report('E407', `${label} is ${x}; it must be between ${p.min ?? '-∞'} and ${p.max ?? '∞'}`, a.span);
      return undefined;
    }
    return x;
  }

  /** Constraints between params of one node. */
  crossCheck(callee: string, params: Record<string, PlanParamValue>, span: Span): boolean {
    if (callee === 'macd' && (params.fast as number) >= (params.slow as number)) {
      this.report('E407', `\`fast\` (${String(params.fast)}) of \`macd\` must be shorter than \`slow\` (${String(params.slow)})`, span);
      return false;
    }
    if (callee === 'sar' && (params.max_step as number) < (params.step as number)) {
      this.report('E407', '`max_step` of `sar` must be at least `step`', span);
      return false;
    }
    if (callee === 'trendline_cross' && Date.parse(params.t1 as string) <= Date.parse(params.t0 as string)) {
      this.report('E407', '`t1` of `trendline_cross` must be after `t0`', span);
      return false;
    }
    return true;
  }
}

function typeOf(v: Val): ValueType | undefined {
  return v.k === 'const' || v.k === 'node' ? v.type : undefined;
}

function compare(op: BinaryOp, a: number | boolean, b: number | boolean): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    default:
      return a !== b;
  }
}

function tfRank(tf: string): number {
  const p = parseTimeframe(tf);
  const unit = { m: 1, h: 60, d: 1440, w: 10080, M: 43200 }[p?.unit ?? 'M'];
  return (p?.n ?? 1) * unit;
}

export function signatureOf(e: CatalogEntry): string {
  const parts = [...e.inputs.map((i) => i.name), ...e.params.map((p) => (p.default !== undefined ? `${p.name}=${p.default}` : p.name))];
  const outs = e.outputs.length > 1 ? `.{${e.outputs.map((o) => o.name).join('|')}}` : '';
  return `${e.name}(${parts.join(', ')})${outs}`;
}

function parseTimestamp(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/.test(s)) return undefined;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  if (!Number.isFinite(ms)) return undefined;
  // Reject dates that Date.parse silently rolls over (e.g. 2024-02-31).
  if (new Date(ms).toISOString().slice(0, 10) !== s.slice(0, 10)) return undefined;
  return ms;
}

function findNonParam(e: Expr, names: ReadonlySet<string>): { text: string; span: ExprSpan } | undefined {
  switch (e.kind) {
    case 'num':
      return undefined;
    case 'ident':
      return names.has(e.name) ? undefined : { text: e.name, span: e.span };
    case 'binary':
      if (!['+', '-', '*', '/'].includes(e.op)) return { text: e.op, span: e.span };
      return findNonParam(e.left, names) ?? findNonParam(e.right, names);
    case 'unary':
      return e.op === '-' ? findNonParam(e.operand, names) : { text: 'not', span: e.span };
    case 'call':
      if (e.callee !== 'min' && e.callee !== 'max') return { text: e.callee, span: e.calleeSpan };
      for (const a of e.args) {
        const bad = findNonParam(a.value, names);
        if (bad) return bad;
      }
      return undefined;
    default:
      return { text: e.kind, span: e.span };
  }
}

function evalLookback(e: Expr, v: Readonly<Record<string, number>>): number {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'ident':
      return v[e.name] ?? Number.NaN;
    case 'unary':
      return -evalLookback(e.operand, v);
    case 'binary': {
      const a = evalLookback(e.left, v);
      const b = evalLookback(e.right, v);
      return e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : a / b;
    }
    case 'call': {
      const xs = e.args.map((a) => evalLookback(a.value, v));
      return e.callee === 'min' ? Math.min(...xs) : Math.max(...xs);
    }
    default:
      return Number.NaN;
  }
}
