/**
 * Property-based fuzzing of the compiler with fast-check. Every run uses a fixed seed, so CI sees
 * the same inputs each time; a failure prints the seed, the path and the shrunk counterexample.
 *
 * Invariants for ANY input: compileSource never throws and never reports an internal error
 * (E901); a failed compile has diagnostics; an artifact with an error has no hash, no canonical
 * form and no plan; every diagnostic has a known code with its table severity and a position
 * inside the text. For a compiled artifact: the plan validates against plan/v1 and compiling the
 * same input again gives byte-identical output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { planV1Schema, strategyV1Schema } from '@strata/schemas';
import { describe, expect, it } from 'vitest';
import { compileSource, DIAGNOSTIC_CODES, parseExpression, printExpr, type CompileResult, type Expr } from '@strata/compiler';

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(join(examplesDir, f), 'utf8'));
const validatePlan = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(planV1Schema);

const HEADER = 'strata: strategy/v1\nname: fuzz\nuniverse: [SPY, QQQ]\ntimeframe: 1d\nfeeds: { bars: equities.us.daily }\n';

/** The text positions refer to: the decoded input without its byte-order mark. */
function textOf(input: string | Uint8Array): string {
  const s = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

function checkInvariants(input: string | Uint8Array, r: CompileResult): void {
  expect(r.diagnostics.map((d) => d.code)).not.toContain('E901');
  if (!r.ok) expect(r.diagnostics.length).toBeGreaterThan(0);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    expect(r.ok).toBe(false);
    expect(r.hash).toBeUndefined();
    expect(r.canonical).toBeUndefined();
    expect(r.plan).toBeUndefined();
  } else {
    expect(r.ok).toBe(true);
    expect(r.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.plan).toBeDefined();
  }
  const lines = textOf(input).split('\n');
  for (const d of r.diagnostics) {
    expect(DIAGNOSTIC_CODES[d.code]?.severity).toBe(d.severity);
    expect(d.message.length).toBeGreaterThan(0);
    if (d.line === 0) {
      // No position: only for findings about the whole file.
      expect(d.column).toBe(0);
      expect(['E001', 'E002', 'E003', 'E004', 'E901']).toContain(d.code);
      continue;
    }
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines.length);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeLessThanOrEqual(lines[d.line - 1]!.length + 1);
    expect(d.endLine > d.line || (d.endLine === d.line && d.endColumn >= d.column)).toBe(true);
  }
}

/** Compiles and checks the invariants; for a compiled artifact also the plan schema and determinism. */
function compileChecked(input: string | Uint8Array): CompileResult {
  let r: CompileResult | undefined;
  expect(() => {
    r = compileSource(input);
  }).not.toThrow();
  checkInvariants(input, r!);
  if (r!.ok) {
    expect(validatePlan(r!.plan), JSON.stringify(validatePlan.errors)).toBe(true);
    const again = compileSource(input);
    expect(again.hash).toBe(r!.hash);
    expect(again.canonical).toBe(r!.canonical);
    expect(JSON.stringify(again.plan)).toBe(JSON.stringify(r!.plan));
    expect(JSON.stringify(again.diagnostics)).toBe(JSON.stringify(r!.diagnostics));
  }
  return r!;
}

const YAML_AND_EXPR_CHARS = [...':-[]{}#&*!|>\'"%@`,?.$()<>=+/^~\\\n\n\n\t    ', 'a', 'z', 'A', '0', '1', '9', 'é', '😀', '\r', '\u0000', '\uFEFF'];

describe('fuzz (a): arbitrary text never crashes the compiler', () => {
  it('printable ASCII strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        compileChecked(s);
      }),
      { numRuns: 300, seed: 0x5eed01 },
    );
  });

  it('arbitrary Unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        compileChecked(s);
      }),
      { numRuns: 200, seed: 0x5eed02 },
    );
  });

  it('arbitrary UTF-16 code units, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }), (units) => {
        compileChecked(String.fromCharCode(...units));
      }),
      { numRuns: 200, seed: 0x5eed03 },
    );
  });

  it('strings of YAML and expression syntax, with and without a valid header', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.string({ unit: fc.constantFrom(...YAML_AND_EXPR_CHARS), maxLength: 200 }), (header, s) => {
        compileChecked(header ? HEADER + s : s);
      }),
      { numRuns: 500, seed: 0x5eed04 },
    );
  });

  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        compileChecked(bytes);
      }),
      { numRuns: 200, seed: 0x5eed05 },
    );
  });
});

/** Every property name the strategy/v1 schema knows, so random documents reach deep into the passes. */
const SCHEMA_KEYS = (() => {
  const keys = new Set<string>();
  const walk = (s: unknown) => {
    if (Array.isArray(s)) s.forEach(walk);
    else if (s && typeof s === 'object') {
      for (const [k, v] of Object.entries(s)) {
        if (k === 'properties' && v && typeof v === 'object') for (const p of Object.keys(v)) keys.add(p);
        walk(v);
      }
    }
  };
  walk(strategyV1Schema);
  return [...keys].sort();
})();

const leaf = fc.oneof(
  fc.anything({ maxDepth: 1 }),
  fc.constantFrom('close', 'sma(close, 10)', 'close > open', '$fast', 'atr', 'expr', 'equal', 'monthly', 'limit', 'close', 'SPY', 'BIL', '1w', '4h', 0, 1, -1, 0.5, 2.5, 1e9, true, null, [], {}),
);
const plausible: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.dictionary(fc.constantFrom(...SCHEMA_KEYS, 'fast', 'slow', 'x'), tie('value'), { maxKeys: 5 }), fc.array(tie('value'), { maxLength: 3 })),
})).value;

describe('fuzz (b): random YAML documents', () => {
  it('fc.anything() serialized as YAML', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (v) => {
        // `stringify(undefined)` is undefined, not a document; the compiler takes text or bytes.
        compileChecked(stringify(v) ?? '');
      }),
      { numRuns: 300, seed: 0x5eed11 },
    );
  });

  it('fc.object() serialized as YAML, flow and block style', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 3 }), fc.constantFrom('block', 'flow') as fc.Arbitrary<'block' | 'flow'>, (v, style) => {
        compileChecked(stringify(v, { collectionStyle: style }));
      }),
      { numRuns: 300, seed: 0x5eed12 },
    );
  });

  it('artifact-shaped documents: a valid header plus random values under schema field names', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...SCHEMA_KEYS), plausible, { maxKeys: 6 }), (extra) => {
        const doc = { strata: 'strategy/v1', name: 'fuzz', universe: ['SPY', 'QQQ'], timeframe: '1d', feeds: { bars: 'equities.us.daily' }, ...extra };
        compileChecked(stringify(doc));
      }),
      { numRuns: 500, seed: 0x5eed13 },
    );
  });
});

type Edit =
  | { readonly k: 'delete'; readonly at: number; readonly len: number }
  | { readonly k: 'insert'; readonly at: number; readonly s: string }
  | { readonly k: 'replace'; readonly at: number; readonly s: string }
  | { readonly k: 'swap'; readonly a: number; readonly b: number };

const snippet = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom(':', ': ', ' ', '\n', '\t', '[', ']', '{', '}', ',', '-', '- ', '#', '"', "'", '&a ', '*a', '!', '|', '>', '$', '$fast', '@1w', '@1h', '[1]', '[-1]', '.upper', '(', ')', ' and ', ' or ', 'not ', ' > ', '==', '=', '&&', '0', '1.5', '-2', 'close', 'sma(close, 5)', 'bbands(close)', 'true', 'null', '~', '\r\n', '\u0000', '😀'),
);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ k: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), s: snippet }),
  fc.record({ k: fc.constant('replace' as const), at: fc.nat(), s: snippet.filter((s) => s.length > 0) }),
  fc.record({ k: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
);

function applyEdits(text: string, edits: readonly Edit[]): string {
  let t = text;
  for (const e of edits) {
    if (e.k === 'swap') {
      const lines = t.split('\n');
      const a = e.a % lines.length;
      const b = e.b % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      t = lines.join('\n');
      continue;
    }
    const at = e.at % (t.length + 1);
    if (e.k === 'delete') t = t.slice(0, at) + t.slice(at + e.len);
    else if (e.k === 'insert') t = t.slice(0, at) + e.s + t.slice(at);
    else t = t.slice(0, at) + e.s + t.slice(at + e.s.length);
  }
  return t;
}

describe('fuzz (c): mutated example artifacts', () => {
  it('the unmutated examples compile (the mutations start from valid artifacts)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const text of examples) expect(compileChecked(text).ok).toBe(true);
  });

  it('random character edits and line swaps keep every invariant; what still compiles is valid and deterministic', () => {
    let compiled = 0;
    fc.assert(
      fc.property(fc.nat({ max: examples.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }), fc.boolean(), (i, edits, asBytes) => {
        const text = applyEdits(examples[i]!, edits);
        const r = compileChecked(asBytes ? new TextEncoder().encode(text) : text);
        if (r.ok) {
          compiled++;
          // Text and bytes are the same artifact.
          expect(compileSource(asBytes ? text : new TextEncoder().encode(text)).hash).toBe(r.hash);
        }
      }),
      { numRuns: 1500, seed: 0x5eed21 },
    );
    // Many mutations are harmless (inside comments, descriptions, numbers): the valid path is exercised too.
    expect(compiled).toBeGreaterThan(100);
  });
});

/** The AST without source positions. */
function shape(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === 'span' || k === 'calleeSpan' || k === 'nameSpan' || k === 'tfSpan' ? undefined : v)));
}

/** Random expressions as fully parenthesised source text, so nearly all of them parse. */
const exprSource: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('close', 'open', 'x', 's1', '$n', '0', '1', '2.5', '1e3', '0.001', 'true', 'false', '"2024-01-01"', "'say \"hi\"'", '"C:\\data"', '[1, 2]', '[]'),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '<', '<=', '>', '>=', '==', '!=', 'and', 'or'), tie('e')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    tie('e').map((a) => `-(${a})`),
    tie('e').map((a) => `not (${a})`),
    fc.tuple(fc.constantFrom('sma', 'f', 'where', 'macd'), fc.array(tie('e'), { maxLength: 3 }), fc.option(tie('e'), { nil: undefined })).map(([f, args, k]) => `${f}(${[...args, ...(k === undefined ? [] : [`k=${k}`])].join(', ')})`),
    fc.tuple(tie('e'), fc.constantFrom('0', '1', '$n', '2 + 1')).map(([a, n]) => `(${a})[${n}]`),
    fc.tuple(tie('e'), fc.constantFrom('upper', 'x', 'd')).map(([a, m]) => `(${a}).${m}`),
    fc.tuple(tie('e'), fc.constantFrom('1w', '4h', '1M')).map(([a, tf]) => `(${a})@${tf}`),
  ),
})).e;

describe('fuzz (d): canonical printing of expressions (the artifact hash relies on it)', () => {
  it('generated expressions: parse(print(e)) equals e, and printing is idempotent', () => {
    let parsedCount = 0;
    fc.assert(
      fc.property(exprSource, (src) => {
        const parsed = parseExpression(src);
        if (!parsed.ok) return;
        parsedCount++;
        const printed = printExpr(parsed.expr);
        const again = parseExpression(printed);
        expect(again.ok, `${src} printed as ${printed}`).toBe(true);
        if (!again.ok) return;
        expect(shape(again.expr)).toEqual(shape(parsed.expr));
        expect(printExpr(again.expr)).toBe(printed);
      }),
      { numRuns: 1500, seed: 0x5eed32 },
    );
    expect(parsedCount).toBeGreaterThan(1000);
  });

  const token = fc.constantFrom(
    'close', 'x', 's1', '.upper', '.x', '$n', '1', '0', '2.5', '1e3', '-', '+', '*', '/', '%', '<', '<=', '>', '==', '!=', 'and', 'or', 'not', 'true', 'false',
    '(', ')', '[', ']', ',', '@1w', 'sma(', 'f(', 'k=', '"2024-01-01"', "'a\"b'", '"a\\b"', '[1, 2]',
  );
  it('random token sequences: parse(print(e)) equals e, and printing is idempotent', () => {
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 16 }), fc.constantFrom(' ', ''), (tokens, sep) => {
        const parsed = parseExpression(tokens.join(sep));
        if (!parsed.ok) return;
        const printed = printExpr(parsed.expr);
        const again = parseExpression(printed);
        expect(again.ok, printed).toBe(true);
        if (!again.ok) return;
        expect(shape(again.expr)).toEqual(shape(parsed.expr));
        expect(printExpr(again.expr)).toBe(printed);
      }),
      { numRuns: 3000, seed: 0x5eed31 },
    );
  });
});
