#!/usr/bin/env node
// Generates docs/nodes.md (from CATALOG) and docs/diagnostics.md (from DIAGNOSTIC_CODES) out of the
// BUILT compiler. Build first: `cd packages/compiler && npx tsc -b`.
//
//   node packages/compiler/scripts/gen-docs.mjs           write both files
//   node packages/compiler/scripts/gen-docs.mjs --check   exit 1 if a committed file is out of date
//
// The diagnostics examples are real compiler output: each example artifact is compiled and the
// rendered diagnostic is embedded. An example that stops producing its code is an error here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOCS_DIR = fileURLToPath(new URL('../../../docs/', import.meta.url));
export const COMPILER_DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const REGENERATE = 'node packages/compiler/scripts/gen-docs.mjs';

/** Loads the built compiler. */
export async function loadCompiler() {
  if (!existsSync(COMPILER_DIST)) {
    throw new Error(`the compiler is not built (${COMPILER_DIST} is missing): run \`cd packages/compiler && npx tsc -b\` first`);
  }
  return import(new URL('../dist/index.js', import.meta.url).href);
}

const banner = (what) =>
  `<!-- GENERATED from ${what} by packages/compiler/scripts/gen-docs.mjs. Do not edit: change the source and run \`${REGENERATE}\`. -->\n`;

/** A table cell: pipes escaped (GFM allows `\|` inside code spans in tables), no line breaks. */
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s) => '`' + s + '`';

// ————————————————————————————————————————————— nodes.md —————————————————————————————————————————————

const KIND_ORDER = ['indicator', 'rolling', 'event', 'cross_sectional', 'drawing', 'news', 'math', 'logic'];
const KIND_TITLE = {
  indicator: 'Indicators',
  rolling: 'Rolling statistics',
  event: 'Events',
  cross_sectional: 'Cross-sectional',
  drawing: 'Chart drawings',
  news: 'News and unstructured feeds',
  math: 'Element-wise math',
  logic: 'Logic',
};
const KIND_NOTE = {
  indicator: 'Technical indicators. Those with implicit bar inputs (e.g. `atr` reads high, low, close) read the bars of the timeframe they are evaluated on: the base timeframe, or the one given with `@tf` (`atr(14)@1w`).',
  rolling: 'Window statistics over one (or two) series.',
  event: 'Boolean events computed from the current and the previous bar.',
  cross_sectional: 'Nodes that read the same series across the whole universe at one time. Plan nodes of this kind carry `crossSectional: true`.',
  drawing: 'Chart drawings frozen into constants (price levels, anchor points). Level lists must be constant positive numbers and are sorted ascending in the plan; timestamps are ISO 8601 dates (`"2024-03-01"`) or UTC timestamps (`"2024-03-01T14:30:00Z"`), normalised to `YYYY-MM-DDTHH:MM:SS.sssZ` in the plan.',
  news: 'Signals from unstructured feeds (`feeds.news`), scored by a local model (an ONNX file run by onnxruntime, no LLM) when the feed is loaded, before the run, into a per-bar series the kernel reads like a bar field. Base timeframe only. The model, the alignment rule and the limits: [sentiment.md](sentiment.md).',
  math: 'Element-wise functions: no window, lookback 0. Calls are never constant-folded: `abs(-3)` becomes a `const` node and an `abs` node.',
  logic: 'Conditional selection.',
};

/**
 * The lookback function's source, rewritten into a formula over param names:
 * `(v) => Math.max(p(v, 'fast'), p(v, 'slow')) - 1` → `max(fast, slow) - 1`.
 * Falls back to the raw function body when the source has another shape.
 */
export function lookbackFormula(fn) {
  const src = fn.toString().trim();
  const m = /^(?:\(\s*\w*\s*\)|\w+)\s*=>\s*([\s\S]*)$/.exec(src);
  if (!m) return { text: src, params: undefined };
  const body = m[1].trim();
  const params = new Set();
  const text = body
    .replace(/\bp\(\s*\w+\s*,\s*(['"])(\w+)\1\s*\)/g, (_all, _q, name) => {
      params.add(name);
      return name;
    })
    .replace(/\bMath\.(max|min)\b/g, '$1');
  const clean = /^[\w\s+\-*/(),.]*$/.test(text) && !/\bv\b|\bp\(/.test(text);
  return clean ? { text, params } : { text: body, params: undefined };
}

function rangeText(p) {
  if (p.type === 'levels') return `${p.min ?? 1}..${p.max ?? '∞'} levels`;
  if (p.type === 'timestamp') return 'ISO date / UTC timestamp';
  if (p.min === undefined && p.max === undefined) return 'any';
  return `${p.min ?? '−∞'}..${p.max ?? '∞'}`;
}

function lookbackAtDefaults(entry, formula) {
  const defaults = {};
  for (const p of entry.params) if (typeof p.default === 'number') defaults[p.name] = p.default;
  if (formula.params === undefined) {
    // Unknown shape: evaluate only when every numeric param has a default.
    const numeric = entry.params.filter((p) => p.type === 'int' || p.type === 'float');
    return numeric.every((p) => p.default !== undefined) ? String(entry.lookback(defaults)) : '—';
  }
  for (const name of formula.params) if (!(name in defaults)) return `— (\`${name}\` has no default)`;
  return String(entry.lookback(defaults));
}

export function renderNodes(c) {
  const entries = [...c.CATALOG.values()];
  const kinds = [...new Set(entries.map((e) => e.kind))];
  for (const k of kinds) if (!KIND_ORDER.includes(k)) throw new Error(`gen-docs: node kind \`${k}\` has no section; add it to KIND_ORDER / KIND_TITLE / KIND_NOTE`);
  const out = [];
  out.push(banner('`CATALOG` in packages/compiler/src/catalog.ts'));
  out.push('# Node catalog\n');
  out.push(
    `Every signal node the compiler knows: ${entries.length} entries. Call them in expressions (\`sma(close, 20)\`) or name them in the explicit node form (\`{ node: sma, inputs: [close], params: { period: 20 } }\`); see [expressions.md](expressions.md) and [artifact.md](artifact.md).\n`,
  );
  out.push('How to read an entry:\n');
  out.push(
    [
      '- **Signature** (`signatureOf`): series inputs first, then params; `name=value` marks a param default (a param without a default is required); `.{a|b}` lists the outputs of a multi-output node, one of which must be selected with `.name`. Arguments bind positionally in this order, or by name (`bbands(close, k=2.5)`).',
      '- **Implicit bar inputs**: bar fields the node reads itself, on the timeframe it is evaluated on. In the plan they follow the explicit inputs in `inputs`.',
      '- **Params**: `int` params take whole numbers; ranges are inclusive. A param value must be a compile-time constant: a number, a `$param`, or arithmetic on those.',
      '- **Lookback** follows the TA-Lib convention: the number of bars consumed before the first valid output (`sma(n)` → n − 1, `rsi(n)` → n). The formula is the catalog\'s, over param names; "at defaults" evaluates it with every param at its default (— when a param it uses has none). A node\'s warm-up in the plan adds its lookback to the warm-up of its inputs (see [artifact.md](artifact.md#warm-up)).',
      '- **Unstable**: infinite-memory recursion (EMA-style smoothing). After the lookback the value is defined but still depends on where history starts; give such nodes extra history beyond the reported warm-up.',
      '- **Reference**: the TA-Lib function that is the independent reference implementation for the kernel\'s tests (none: no TA-Lib counterpart).',
    ].join('\n') + '\n',
  );

  out.push('## Summary\n');
  out.push('| node | kind | signature | lookback | at defaults | unstable | reference |');
  out.push('|---|---|---|---|---|---|---|');
  for (const kind of KIND_ORDER) {
    for (const e of entries.filter((x) => x.kind === kind)) {
      const f = lookbackFormula(e.lookback);
      out.push(`| [${code(e.name)}](#${e.name}) | ${kind} | ${code(cell(c.signatureOf(e)))} | ${code(cell(f.text))} | ${cell(lookbackAtDefaults(e, f))} | ${e.unstable ? 'yes' : ''} | ${e.reference ? code(e.reference) : ''} |`);
    }
  }
  out.push('');

  for (const kind of KIND_ORDER) {
    const group = entries.filter((x) => x.kind === kind);
    if (group.length === 0) continue;
    out.push(`## ${KIND_TITLE[kind]}\n`);
    out.push(`${KIND_NOTE[kind]}\n`);
    for (const e of group) {
      const f = lookbackFormula(e.lookback);
      out.push(`### ${e.name}\n`);
      out.push(`${code(c.signatureOf(e))}\n`);
      out.push(`${e.description}\n`);
      const facts = [];
      facts.push(`- **Inputs:** ${e.inputs.length > 0 ? e.inputs.map((i) => `${code(i.name)} (${i.type})`).join(', ') : 'none'}`);
      if (e.bar.length > 0) facts.push(`- **Implicit bar inputs:** ${e.bar.map(code).join(', ')}`);
      facts.push(`- **Outputs:** ${e.outputs.length === 1 ? `one, ${e.outputs[0].type}` : e.outputs.map((o) => `${code('.' + o.name)} (${o.type})`).join(', ')}`);
      facts.push(`- **Lookback:** ${code(f.text)}; at defaults: ${lookbackAtDefaults(e, f)}`);
      facts.push(`- **Unstable:** ${e.unstable ? 'yes' : 'no'}`);
      facts.push(`- **Reference:** ${e.reference ? `TA-Lib ${code(e.reference)}` : 'none'}`);
      out.push(facts.join('\n') + '\n');
      if (e.params.length > 0) {
        out.push('| param | type | range | default | meaning |');
        out.push('|---|---|---|---|---|');
        for (const p of e.params) out.push(`| ${code(p.name)} | ${p.type} | ${cell(rangeText(p))} | ${p.default === undefined ? 'required' : p.default} | ${cell(p.description)} |`);
        out.push('');
      }
    }
  }

  out.push('## Bar fields and derived fields\n');
  out.push(`Bar fields (plan op \`field\`, param \`field\`): ${c.BAR_FIELDS.map(code).join(', ')}. Derived fields expand into arithmetic on bar fields before lowering, so they share nodes with the same arithmetic written out:\n`);
  out.push('| name | expands to |');
  out.push('|---|---|');
  for (const [k, v] of Object.entries(c.DERIVED_FIELDS)) out.push(`| ${code(k)} | ${code(cell(v))} |`);
  out.push('');
  out.push('## Plan ops that are not catalog entries\n');
  out.push(
    [
      'Operators and structural nodes appear in plans under these `op` names:',
      '',
      '| op | from | params | lookback |',
      '|---|---|---|---|',
      '| `field` | a bar field (`close`, …) | `field` | 0 |',
      '| `const` | a constant operand of a non-constant expression, or a rule that folds to a constant; bools are stored as 1 / 0 | `value` | 0 |',
      '| `lag` | `x[n]`, n ≥ 1 (`x[0]` is `x`) | `n` | n |',
      '| `align` | an input on a coarser timeframe, read by a node on a finer one; exposes only closed coarse bars | `from` (the coarse timeframe) | 0 |',
      '| `add` `sub` `mul` `div` `mod` | `+` `-` `*` `/` `%` | — | 0 |',
      '| `lt` `le` `gt` `ge` `eq` `ne` | `<` `<=` `>` `>=` `==` `!=` | — | 0 |',
      '| `and` `or` `not` | `and` `or` `not` | — | 0 |',
      '| `neg` | unary `-` | — | 0 |',
      '| `custom:<name>` | a custom node declared under `nodes:` | its params | its `lookback` |',
      '',
      '`add`, `mul`, `eq`, `ne`, `and`, `or`, `min` and `max` are commutative: their inputs are ordered canonically, so `a + b` and `b + a` are one node.',
    ].join('\n') + '\n',
  );
  return out.join('\n');
}

// ————————————————————————————————————————— diagnostics.md —————————————————————————————————————————

const GROUPS = [
  { test: /^E0/, title: 'E0xx — the file itself', note: 'Checked before YAML parsing. These stop compilation.' },
  { test: /^E1/, title: 'E1xx — YAML', note: 'The artifact is parsed as a single YAML 1.2 document with the core schema (so `on`, `yes`, `no` are strings and unquoted dates are strings), unique keys and no custom tags. Only E102 and E105 let the remaining checks run.' },
  { test: /^E2/, title: 'E2xx — artifact schema (strategy/v1)', note: 'ajv validates against `schemas/strategy/v1/strategy.schema.json` collecting all errors; each ajv error becomes one diagnostic at the offending value. Values that fail the schema are skipped by the later passes, so one mistake does not cascade. When `strata` is missing or wrong, compilation stops after this pass.' },
  { test: /^E3/, title: 'E3xx — expression syntax', note: 'From the lexer and parser (`src/expr/`). The caret points into the expression inside the YAML scalar, also for quoted and block scalars. The parser stops at the first error in an expression; other expressions are still checked.' },
  { test: /^E4/, title: 'E4xx — names and types', note: 'From name resolution, type checking and constant folding (`src/internal/lower.ts`). "Did you mean" hints use edit distance over the names in scope.' },
  { test: /^E5/, title: 'E5xx — structure, timeframes and causality', note: 'Whole-artifact rules (`checkStructure` in `src/compile.ts`) and the timeframe and lag rules that keep a strategy causal.' },
  { test: /^W6/, title: 'W6xx — warnings', note: 'The artifact is valid and compiles to a plan, but probably does not do what was meant. Warnings never change the exit status of `strata compile`.' },
  { test: /^E9/, title: 'E9xx — the compiler itself', note: '' },
];

/** One paragraph per code. Keep in step with the code that emits it (grep the code in src/). */
const EXPLAIN = {
  E001: '`compileFile` could not read the path: it does not exist (ENOENT), is a directory (EISDIR), or another error code is shown. The diagnostic has no position (line 0).',
  E002: 'The artifact is larger than the limit, 1 MiB (1 048 576 bytes) by default (`CompileOptions.maxBytes` changes it). Checked on the raw bytes before decoding.',
  E003: 'The bytes are not valid UTF-8. The position is the first undecodable byte. A leading byte-order mark is accepted and dropped.',
  E004: 'The text contains U+0000, which no YAML artifact contains: usually a binary file passed by mistake.',
  E005: 'The file holds no YAML document, or only empty ones (for example only comments).',
  E101: 'Any YAML error not covered by a more specific code: bad indentation, a tab used for indentation, an unquoted `: ` inside a plain value, a value starting with a reserved character, an unclosed bracket. The message comes from the `yaml` library; the hint depends on the error kind. A common cause in Strata is a flow mapping such as `rank: { by: roc(close, 10) }`: the comma ends the value (the result is E201 here, see below); quote such expressions or use block style.',
  E102: 'A key appears twice in one mapping. YAML would otherwise keep one of them silently.',
  E103: 'More than 100 alias dereferences (`*name`) while building the value: protection against alias bombs. Artifacts do not need aliases; write the values out.',
  E104: 'Collections nested deeper than 64 levels. No artifact field nests that deep.',
  E105: 'The file contains a `---` separator and a second document. One artifact per file.',
  E106: 'A YAML tag (`!something`) that cannot be resolved under the core schema. Artifacts are plain YAML.',
  E201: 'A field the schema does not define (every object in strategy/v1 is closed). The hint suggests the nearest allowed field, or lists them.',
  E202: 'A required field is missing; the hint shows an example value. Required at the top level: `strata`, `name`, `universe`, `timeframe`, `feeds`.',
  E203: 'The value has the wrong JSON type (a string where a list is expected, a mapping where a number is expected, …). Also: the artifact itself is not a mapping; a signal is neither an expression string nor an explicit node mapping; a `kind` tag is not a string. Hints catch quoted numbers and YAML reading a value as a boolean or number.',
  E204: 'The value is not one of the allowed values (an `enum`, a `const`, or an unknown `kind` of a stop, sizing or weighting). The hint suggests the nearest allowed value.',
  E205: 'A number is outside its range (`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`). The ranges are listed in [artifact.md](artifact.md).',
  E206: 'A string does not match its pattern (strategy name, identifier, symbol, feed ID, timeframe, `$param` reference, module path, sha256), or is empty or too long. Also used for malformed map keys such as a signal named `FastMA`.',
  E207: 'A list or mapping has too few or too many entries, or a list that must hold unique items lists one twice (e.g. a symbol in `universe`).',
  E208: 'A schema violation with no more specific code (a fallback for ajv keywords the compiler does not map). Not expected with the current schema.',
  E209: 'The `strata` field is not `strategy/v1`. Nothing after the schema pass runs, because fields of another version cannot be trusted to mean the same thing.',
  E301: 'A character that is not part of the expression language: `&&`, `||`, `!`, `&`, `|`, `^` (with a hint to `and`, `or`, `not`, `!=`, `pow`), `#`, non-ASCII characters, control characters (shown as `U+XXXX`); a `$` not followed by a name; an `@` not followed by a timeframe such as `1w`.',
  E302: 'The tokens do not form an expression: a missing operand or `)`, a trailing comma, a keyword where a value is expected, two values side by side, `=` used for comparison (hint: `==`), or chained comparisons such as `a < b < c` (hint: `a < b and b < c`).',
  E303: 'A string literal has no closing quote on the same line. Strings have no escapes and cannot span lines.',
  E304: 'A number that runs into letters (`1d`, `2e`, `3x`: names cannot start with a digit, and a timeframe needs `@`), or a number outside the double range (`1e400`).',
  E305: 'The syntax tree of an expression is more than 200 levels high (`MAX_EXPR_DEPTH`) — deep nesting, or a long flat chain such as `a + b + c + …` — or lowering nests more than 500 levels through signals that refer to signals (`MAX_LOWER_DEPTH`). Split the expression, or shorten the chain of signals. The limits keep hostile input from exhausting the stack.',
  E401: 'An identifier that is not a bar field, a derived field or a signal. Hints: the nearest name in scope with its definition site; "`x` is a param: write `$x`"; "`sma` is a function; call it". Names are case-sensitive.',
  E402: 'A call to a name that is neither a catalog node nor a custom node, or a call of a signal (`fast_ma()`). The hint gives the nearest node with its signature.',
  E403: 'More positional arguments than the node has inputs and params together.',
  E404: 'A value of the wrong type: a number where a condition (bool) is needed or the reverse, a string or list outside the params that accept them, or a signal whose value is a string or a list. Conditions become numbers only through `where(cond, a, b)`.',
  E405: 'A `$name` that is not declared under `params:`. The hint names the nearest declared param.',
  E406: 'A node param given something that is not a compile-time constant of the right kind: a series as a window length, a non-constant list item, a level list that is not numbers, a timestamp that is not a string.',
  E407: 'A constant argument outside its allowed values: a non-whole `int`, a value outside the catalog range, a level count outside its range or a non-positive level, a date that is not ISO 8601 (or does not exist, like `2024-02-31`), or a constraint between params: `macd` needs `fast` < `slow`, `sar` needs `max_step` ≥ `step`, `trendline_cross` needs `t1` after `t0`.',
  E408: 'A named argument that the node does not have, or one given twice by name.',
  E409: 'An input, or a param without a default, was not given.',
  E410: 'A `.output` selection on a single-output value, an output name the node does not have, or a multi-output node (such as `bbands`) used without choosing an output.',
  E411: 'A param declaration is inconsistent: an `int` param with a fractional `default`, `min` or `max`; `min` above `max`; or a `default` outside `[min, max]`.',
  E412: 'A signal named like a bar field or derived field (`close`, `hl2`, …), a keyword (`and`, `or`, `not`, `true`, `false`) or a param; or a custom node named like a catalog node.',
  E413: 'A lag (`x[n]`) whose index does not fold to a constant, or folds to a fractional number or a number above 100 000. Lags are constants: a number, a `$param`, or arithmetic on those.',
  E414: 'Signals that depend on themselves, directly or through others. The message shows the cycle; each member is listed as a related location. Signals form a DAG; an earlier value is read with a lag on the inputs.',
  E415: 'A custom node module could not be verified: the artifact was compiled from text with no file to resolve the path against, the file cannot be read, or its sha256 differs from the one declared (the hint gives the actual digest). The compiler hashes the module; it never loads or runs it.',
  E416: 'A custom node `lookback` expression uses something other than the node\'s params, numbers, `+ - * /`, unary minus, parentheses and `min` / `max`; or a node\'s lookback evaluates to something other than a whole number from 0 to 100 000.',
  E417: 'Constant arithmetic that has no finite result: `/` or `%` whose right operand folds to 0 (a literal, a param, or arithmetic on those), or a folded constant that overflows (e.g. `1e308 * 10`).',
  E501: '`exit.long` (or `exit.short`) without the matching `entry.long` (`entry.short`); or stops / `max_bars` with no `entry` block at all.',
  E502: 'The artifact has neither `entry` (single-symbol form) nor `portfolio` (portfolio form).',
  E503: 'The two strategy forms are mixed: `entry` together with `portfolio`, or `exit` in the portfolio form (a portfolio exits a symbol when it drops out of the selection at a rebalance).',
  E504: 'A timeframe that cannot be read from the base timeframe: an entry of `timeframes`, an `@tf` or an explicit node `timeframe` that is not strictly coarser or is not made of whole base bars (see [artifact.md](artifact.md#multi-timeframe)). Also `@tf` applied directly to a signal name (define the signal on that timeframe instead).',
  E505: '`sizing.kind: risk_per_trade` in the single-symbol form without `exit.stop_loss`: the risk per trade is the distance to the stop.',
  E506: 'The cash-sleeve symbol (`portfolio.cash.symbol`) is also in `universe`.',
  E507: 'A negative lag such as `close[-1]`: it would read a future bar. Lags are ≥ 0; there is no other way to shift a series in time.',
  E508: 'An `@tf` or explicit node `timeframe` names a timeframe that nests in the base timeframe but is not listed in `timeframes:`. (The base timeframe itself never needs declaring.)',
  E509: 'A `--param name=value` override (`CompileOptions.params`) names an undeclared param, is not finite, is fractional for an `int` param, or is outside the param\'s `[min, max]`.',
  E510: 'Execution settings that contradict each other: `fill: limit_touch` (a limit order filled when the bar touches it) with `order_type: market`.',
  W601: 'A signal that no rule, stop, score, filter or sizing input reaches, directly or through other signals. It is still checked, but left out of the plan (dead-node removal).',
  W602: 'A condition (`entry.*`, `exit.*`, `portfolio.filter`) folds to a constant `true` or `false`: it fires on every bar or never. The plan still contains it, as a `const` node.',
  W603: '`execution.fill: close` fills at the close of the bar the signal was computed on; only market-on-close orders achieve that. `next_open` is the default.',
  W604: 'A param that no expression references (a reference inside an unused signal counts as a use).',
  W605: '`portfolio.select.top` is at least the size of `universe`: every eligible symbol is held and the ranking has no effect.',
  W606: 'A setting that the rest of the artifact makes irrelevant: `sizing` in the portfolio form (target weights size positions), `execution.limit_offset_bps` with market orders.',
  W607: 'Without a cash sleeve, `max_weight × min(top, universe size)` is below 1, so part of the equity can never be invested and stays in uninvested cash.',
  W608: 'An `entry.long` / `entry.short` with no way out: no matching exit rule, and no stop-loss, take-profit, trailing stop or `max_bars`. Positions then stay open until the end of the data or until a risk breaker flattens them — fine for buy-and-hold, usually a mistake otherwise.',
  E901: 'An exception inside the compiler. The artifact may be fine; this is a bug in Strata. Set `STRATA_DEBUG=1` to print the stack trace to stderr.',
};

const BASE = {
  head: 'strata: strategy/v1\nname: demo\nuniverse: [SPY]\ntimeframe: 1d\nfeeds: { bars: equities.us.daily }\n',
  params: 'params:\n  fast: { default: 10, min: 2, max: 50, type: int }\n',
  signals: 'signals:\n  fast_ma: sma(close, $fast)\n  slow_ma: sma(close, 30)\n',
  rules: 'entry:\n  long: crosses_above(fast_ma, slow_ma)\nexit:\n  long: crosses_below(fast_ma, slow_ma)\n',
  extra: '',
};
const art = (o = {}) => {
  const a = { ...BASE, ...o };
  return a.head + a.params + a.signals + a.rules + a.extra;
};
const portfolio = (o = {}) =>
  art({
    head: 'strata: strategy/v1\nname: demo\nuniverse: [XLK, XLF, XLE]\ntimeframe: 1d\nfeeds: { bars: equities.us.daily }\n',
    params: '',
    signals: 'signals:\n  momentum: roc(close, 252)\n',
    rules: 'portfolio:\n  rank: { by: momentum }\n  select: { top: 2 }\n' + (o.portfolioExtra ?? '') + '  rebalance: { every: monthly }\n',
    ...o,
  });

/** Example inputs: a source text (or a file to read) and options, compiled with the real compiler. */
const EXAMPLES = {
  E001: { file: '/nonexistent/strata-docs/missing.yaml', displayPath: 'missing.yaml' },
  E003: { bytes: [...Buffer.from('strata: strategy/v1\nname: caf'), 0xe9, ...Buffer.from('\n')] },
  E005: { text: '# nothing but a comment\n' },
  E101: { text: art({ signals: 'signals:\n  fast_ma: sma(close, $fast)\n  slow_ma:sma(close, 30)\n' }) },
  E102: { text: art({ signals: 'signals:\n  fast_ma: sma(close, $fast)\n  slow_ma: sma(close, 30)\n  fast_ma: ema(close, $fast)\n' }) },
  E105: { text: art() + '---\nstrata: strategy/v1\n' },
  E201: { text: art({ extra: 'exit_rules: {}\n' }) },
  E202: { text: art({ head: 'strata: strategy/v1\nname: demo\nuniverse: [SPY]\ntimeframe: 1d\n' }) },
  E203: { text: art({ head: 'strata: strategy/v1\nname: demo\nuniverse: SPY\ntimeframe: 1d\nfeeds: { bars: equities.us.daily }\n' }) },
  E204: { text: art({ extra: 'execution: { fill: next_opne }\n' }) },
  E205: { text: art({ extra: 'execution: { fee_bps: 5000 }\n' }) },
  E206: { text: art({ head: 'strata: strategy/v1\nname: Demo\nuniverse: [SPY]\ntimeframe: 1d\nfeeds: { bars: equities.us.daily }\n' }) },
  E207: { text: art({ head: 'strata: strategy/v1\nname: demo\nuniverse: [SPY, QQQ, SPY]\ntimeframe: 1d\nfeeds: { bars: equities.us.daily }\n' }) },
  E209: { text: art({ head: 'strata: strategy/v2\nname: demo\nuniverse: [SPY]\ntimeframe: 1d\nfeeds: { bars: equities.us.daily }\n' }) },
  E301: { text: art({ rules: 'entry:\n  long: crosses_above(fast_ma, slow_ma) && close > open\n' }) },
  E302: { text: art({ rules: 'entry:\n  long: 20 < rsi(close) < 40\n' }) },
  E303: { text: art({ rules: 'entry:\n  long: trendline_cross(close, "2024-01-02, 100, 2024-03-01, 120).up\n' }) },
  E304: { text: art({ rules: 'entry:\n  long: close > sma(close, 1w)\n' }) },
  E401: { text: art({ rules: 'entry:\n  long: crosses_above(fast_ma, slow_m)\n' }) },
  E402: { text: art({ rules: 'entry:\n  long: close > smaa(close, 50)\n' }) },
  E403: { text: art({ rules: 'entry:\n  long: close > sma(close, 50, 2)\n' }) },
  E404: { text: art({ rules: 'entry:\n  long: fast_ma - slow_ma\n' }) },
  E405: { text: art({ signals: 'signals:\n  fast_ma: sma(close, $fsat)\n  slow_ma: sma(close, 30)\n' }) },
  E406: { text: art({ rules: 'entry:\n  long: close > sma(close, fast_ma)\n' }) },
  E407: { text: art({ rules: 'entry:\n  long: close > sma(close, 0)\n' }) },
  E408: { text: art({ rules: 'entry:\n  long: close > bbands(close, width=2.5).upper\n' }) },
  E409: { text: art({ rules: 'entry:\n  long: close > sma(close)\n' }) },
  E410: { text: art({ rules: 'entry:\n  long: close > bbands(close, 20)\n' }) },
  E411: { text: art({ params: 'params:\n  fast: { default: 60, min: 2, max: 50, type: int }\n' }) },
  E412: { text: art({ signals: 'signals:\n  fast_ma: sma(close, $fast)\n  slow_ma: sma(close, 30)\n  close: ema(close, 5)\n' }) },
  E413: { text: art({ rules: 'entry:\n  long: close > close[fast_ma]\n' }) },
  E414: { text: art({ signals: 'signals:\n  fast_ma: sma(slow_ma, $fast)\n  slow_ma: sma(fast_ma, 30)\n' }) },
  E417: { text: art({ rules: 'entry:\n  long: close / ($fast - 10) > 1\n' }) },
  E501: { text: art({ rules: 'entry:\n  long: crosses_above(fast_ma, slow_ma)\nexit:\n  long: crosses_below(fast_ma, slow_ma)\n  short: crosses_above(fast_ma, slow_ma)\n' }) },
  E502: { text: art({ rules: '' }) },
  E503: { text: art({ rules: 'entry:\n  long: crosses_above(fast_ma, slow_ma)\n', extra: 'portfolio:\n  rank: { by: fast_ma }\n  select: { top: 1 }\n  rebalance: { every: monthly }\n' }) },
  E504: { text: art({ head: 'strata: strategy/v1\nname: demo\nuniverse: [SPY]\ntimeframe: 1d\ntimeframes: [4h]\nfeeds: { bars: equities.us.daily }\n' }) },
  E505: { text: art({ extra: 'sizing: { kind: risk_per_trade, value: 0.01 }\n' }) },
  E506: { text: portfolio({ portfolioExtra: '  cash: { symbol: XLK }\n' }) },
  E507: { text: art({ rules: 'entry:\n  long: close[-1] > close\n' }) },
  E508: { text: art({ rules: 'entry:\n  long: crosses_above(fast_ma, slow_ma) and close@1w > sma(close@1w, 20)\n' }) },
  E509: { text: art(), options: { params: { fast: 100 } } },
  E510: { text: art({ extra: 'execution: { order_type: market, fill: limit_touch }\n' }) },
  W601: { text: art({ signals: 'signals:\n  fast_ma: sma(close, $fast)\n  slow_ma: sma(close, 30)\n  trend: sma(close, 200)\n' }) },
  W602: { text: art({ rules: 'entry:\n  long: $fast > 5\n' }) },
  W603: { text: art({ extra: 'execution: { fill: close }\n' }) },
  W604: { text: art({ params: 'params:\n  fast: { default: 10, min: 2, max: 50, type: int }\n  slow: { default: 30 }\n' }) },
  W605: { text: portfolio({ rules: 'portfolio:\n  rank: { by: momentum }\n  select: { top: 3 }\n  rebalance: { every: monthly }\n' }) },
  W606: { text: portfolio({ extra: 'sizing: { kind: equity_fraction, value: 1 }\n' }) },
  W607: { text: portfolio({ portfolioExtra: '  max_weight: 0.3\n' }) },
};

function runExample(c, code, ex) {
  let result;
  if (ex.file !== undefined) result = c.compileFile(ex.file, { displayPath: ex.displayPath });
  else if (ex.bytes !== undefined) result = c.compileSource(Uint8Array.from(ex.bytes), { file: 'strategy.yaml' });
  else result = c.compileSource(ex.text, { file: 'strategy.yaml', ...(ex.options ?? {}) });
  const d = result.diagnostics.find((x) => x.code === code);
  if (!d) {
    const got = result.diagnostics.map((x) => `${x.code} ${x.message}`).join('; ') || 'no diagnostics';
    throw new Error(`gen-docs: the example for ${code} no longer produces ${code} (got: ${got}); fix the example in scripts/gen-docs.mjs`);
  }
  return { diagnostic: d, text: c.formatDiagnostic(d, { color: false }) };
}

export function renderDiagnostics(c) {
  const codes = Object.keys(c.DIAGNOSTIC_CODES);
  for (const k of codes) {
    if (!EXPLAIN[k]) throw new Error(`gen-docs: diagnostic ${k} has no explanation; add one to EXPLAIN in scripts/gen-docs.mjs`);
    if (!GROUPS.some((g) => g.test.test(k))) throw new Error(`gen-docs: diagnostic ${k} fits no group; add one to GROUPS in scripts/gen-docs.mjs`);
  }
  for (const k of [...Object.keys(EXPLAIN), ...Object.keys(EXAMPLES)]) {
    if (!(k in c.DIAGNOSTIC_CODES)) throw new Error(`gen-docs: ${k} is documented but not in DIAGNOSTIC_CODES; remove it from scripts/gen-docs.mjs`);
  }
  const out = [];
  out.push(banner('`DIAGNOSTIC_CODES` in packages/compiler/src/diagnostics.ts'));
  out.push('# Diagnostics\n');
  out.push(
    [
      `The compiler reports every problem as data: ${codes.length} codes, each with a fixed severity and title. Codes are stable — never reused or renumbered. \`compileSource\` / \`compileFile\` never throw for anything the input contains; they return \`{ ok, diagnostics, hash?, canonical?, plan? }\`, with a hash and a plan only when there is no error (warnings allowed).`,
      '',
      '## Shape',
      '',
      '```ts',
      'interface Diagnostic {',
      "  code: DiagnosticCode;          // e.g. 'E401'",
      "  severity: 'error' | 'warning'; // fixed per code",
      '  message: string;',
      '  file: string;',
      '  line: number; column: number;       // 1-based; 0 when there is no position (E001, E002)',
      '  endLine: number; endColumn: number; // end of the span (exclusive column)',
      '  sourceLine: string;            // the line the finding points at',
      '  path?: string;                 // JSON pointer into the artifact, when it belongs to a field',
      '  hint?: string;                 // how to fix it',
      '  related?: { message: string; file: string; line: number; column: number }[];',
      '}',
      '```',
      '',
      'Columns count UTF-16 code units. Expression positions are mapped back through the YAML scalar (plain, quoted or block), so the caret points at the offending token in the file. Diagnostics are sorted by file, line, column, code, then message.',
      '',
      '`formatDiagnostic` renders the human form (header, `file:line:col`, the source line with a caret under the span, `= hint:` and `= note:` lines for related locations); the examples below are its output. `strata compile --json` prints the same objects as JSON (`schema: "strata.compile-result/v1"`, one entry per file with `ok`, `hash`, `errors`, `warnings`, `diagnostics` and, without `--out`, the `plan`). Exit status: 0 when every artifact compiles (warnings allowed), 1 when any has an error, 2 on a usage error.',
      '',
      'Examples are produced by compiling a small artifact named `strategy.yaml` with the current compiler.',
      '',
      '## All codes',
      '',
      '| code | severity | title |',
      '|---|---|---|',
      ...codes.map((k) => `| [${k}](#${k.toLowerCase()}) | ${c.DIAGNOSTIC_CODES[k].severity} | ${cell(c.DIAGNOSTIC_CODES[k].title)} |`),
      '',
    ].join('\n'),
  );
  for (const g of GROUPS) {
    const inGroup = codes.filter((k) => g.test.test(k));
    if (inGroup.length === 0) continue;
    out.push(`## ${g.title}\n`);
    if (g.note) out.push(`${g.note}\n`);
    for (const k of inGroup) {
      const { severity, title } = c.DIAGNOSTIC_CODES[k];
      out.push(`### ${k}\n`);
      out.push(`**${title}** (${severity})\n`);
      out.push(`${EXPLAIN[k]}\n`);
      const ex = EXAMPLES[k];
      if (ex) {
        const { text } = runExample(c, k, ex);
        out.push('```text\n' + text + '\n```\n');
      }
    }
  }
  return out.join('\n');
}

// ————————————————————————————————————————————— driver —————————————————————————————————————————————

/** The generated files: path (absolute) → content. */
export function generate(c) {
  return [
    { path: `${DOCS_DIR}nodes.md`, content: renderNodes(c) },
    { path: `${DOCS_DIR}diagnostics.md`, content: renderDiagnostics(c) },
  ];
}

/** Paths whose committed content differs from what would be generated. */
export function stale(files) {
  return files.filter((f) => !existsSync(f.path) || readFileSync(f.path, 'utf8') !== f.content).map((f) => f.path);
}

async function main(argv) {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`gen-docs: unknown argument ${unknown[0]}; usage: ${REGENERATE} [--check]`);
    return 2;
  }
  const files = generate(await loadCompiler());
  if (check) {
    const bad = stale(files);
    for (const p of bad) console.error(`out of date: ${relative(process.cwd(), p) || p}`);
    if (bad.length > 0) console.error(`regenerate with: ${REGENERATE}`);
    return bad.length > 0 ? 1 : 0;
  }
  for (const f of files) {
    writeFileSync(f.path, f.content);
    console.log(`wrote ${f.path}`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
