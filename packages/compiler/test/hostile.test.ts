/**
 * Hostile input: every case must come back as diagnostics (or compile, for the valid ones) without
 * throwing, without an internal error (E901), and within one second. The time bound is a
 * robustness guard against exponential or quadratic blow-ups, not a benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSource, MAX_EXPR_DEPTH, parseExpression, type CompileResult, type DiagnosticCode } from '@strata/compiler';

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ file: f, text: readFileSync(join(examplesDir, f), 'utf8') }));
const smaCross = readFileSync(join(examplesDir, 'sma-cross.yaml'), 'utf8');
const ENTRY = 'long: crosses_above(fast_ma, slow_ma)';

const BUDGET_MS = 1000;

/** Compiles, asserting the invariants every input must satisfy; returns the result and the time taken. */
function compileTimed(input: string | Uint8Array, file = 'hostile.yaml'): CompileResult & { ms: number } {
  const t0 = performance.now();
  let r: CompileResult | undefined;
  expect(() => {
    r = compileSource(input, { file });
  }).not.toThrow();
  const ms = performance.now() - t0;
  const result = r!;
  expect(ms, `compile took ${ms.toFixed(0)} ms`).toBeLessThan(BUDGET_MS);
  expect(codes(result)).not.toContain('E901');
  if (!result.ok) expect(result.diagnostics.length).toBeGreaterThan(0);
  if (result.diagnostics.some((d) => d.severity === 'error')) {
    expect(result.ok).toBe(false);
    expect(result.hash).toBeUndefined();
  }
  return { ...result, ms };
}

const codes = (r: CompileResult): DiagnosticCode[] => r.diagnostics.map((d) => d.code);
const at = (r: CompileResult) => r.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`);

/** sma-cross with its entry rule replaced. */
const withEntry = (rule: string) => {
  expect(smaCross).toContain(ENTRY);
  return smaCross.replace(ENTRY, `long: ${rule}`);
};

/** Deterministic pseudo-random bytes (mulberry32), so the case is the same on every run. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

beforeAll(() => {
  // Warm up (schema compilation, JIT) so the first timed case measures the compiler, not start-up.
  for (const e of examples) compileSource(e.text);
});

describe('resource exhaustion', () => {
  it('a YAML alias bomb (billion laughs) is refused with E103', () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghi';
    for (let i = 1; i < names.length; i++) lol.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
    const r = compileTimed(lol.join('\n') + '\n');
    expect(codes(r)).toEqual(['E103']);
  });

  it('an alias bomb inside an otherwise valid artifact is refused with E103', () => {
    const bomb = ['x0: &x0 [1,1,1,1,1,1,1,1,1,1]', ...Array.from({ length: 7 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array(10).fill(`*x${i}`).join(',')}]`)];
    const r = compileTimed(smaCross.replace('universe: [SPY]', `universe: [SPY]\n${bomb.join('\n')}`));
    expect(codes(r)).toEqual(['E103']);
  });

  it('a 5 MB file is refused with E002 before it is parsed, as text and as bytes', () => {
    const big = smaCross + '# ' + 'x'.repeat(5 * 1024 * 1024) + '\n';
    for (const input of [big, new TextEncoder().encode(big)]) {
      const r = compileTimed(input);
      expect(codes(r)).toEqual(['E002']);
      expect(r.diagnostics[0]!.message).toContain(String(Buffer.byteLength(big)));
    }
  });

  it('1 MB of random binary is refused as not UTF-8 text (E003) or binary (E004)', () => {
    for (const seed of [1, 2, 3]) {
      const r = compileTimed(randomBytes(1 << 20, seed));
      expect(r.diagnostics).toHaveLength(1);
      expect(['E003', 'E004']).toContain(r.diagnostics[0]!.code);
    }
  });

  it('5,000 unknown top-level keys are each reported, in linear time', () => {
    const text = 'strata: strategy/v1\n' + Array.from({ length: 5000 }, (_, i) => `k${i}: ${i}`).join('\n') + '\n';
    const r = compileTimed(text);
    expect(r.diagnostics.filter((d) => d.code === 'E201')).toHaveLength(5000);
  });

  it('a long chain of signals referring to each other ends in E305, not a stack overflow', () => {
    const n = 3000;
    const chain = Array.from({ length: n }, (_, i) => `  s${i}: s${i + 1} + 1`).join('\n');
    const r = compileTimed(withEntry('s0 > 1').replace('signals:', `signals:\n${chain}\n  s${n}: close`));
    expect(codes(r)).toEqual(['E305']);
    expect(r.diagnostics[0]!.message).toMatch(/signal references/);
  });
});

describe('nesting', () => {
  it('10,000 levels of nested flow brackets: E104 at the first bracket past the limit', () => {
    const r = compileTimed('a: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n');
    // The root mapping is level 1, so the 64th bracket (column 4 + 63) is level 65.
    expect(at(r)).toEqual(['E104 1:67']);
  });

  it('10,000 unclosed flow brackets and flow mappings: one E104, not an error per bracket', () => {
    expect(at(compileTimed('a: ' + '['.repeat(10_000) + '\n'))).toEqual(['E104 1:67']);
    expect(at(compileTimed('a: ' + '{a: '.repeat(10_000) + '1' + '}'.repeat(10_000) + '\n'))).toEqual(['E104 1:256']);
  });

  it('64 levels are accepted by the YAML loader, 65 are not', () => {
    const ok = compileTimed('a: ' + '['.repeat(63) + ']'.repeat(63) + '\n');
    expect(codes(ok)).not.toContain('E104');
    expect(at(compileTimed('a: ' + '['.repeat(64) + ']'.repeat(64) + '\n'))).toEqual(['E104 1:67']);
  });

  it('deeply indented block nesting (1,000 levels of mappings) is refused with E104', () => {
    const text = Array.from({ length: 1000 }, (_, i) => ' '.repeat(i) + `k${i}:`).join('\n') + '\n';
    expect(text.length).toBeLessThan(1 << 20);
    // Line i holds the mapping at level i: level 65 starts on line 65, column 65.
    expect(at(compileTimed(text))).toEqual(['E104 65:65']);
  });

  it('10,000 compact block sequences on one line (`- - - …`) are refused with E104', () => {
    expect(at(compileTimed('- '.repeat(10_000) + 'x\n'))).toEqual(['E104 1:129']);
  });
});

describe('huge and deep expressions', () => {
  it('a 100,000-character expression is refused by the field length limit (E206)', () => {
    const expr = Array.from({ length: 12_500 }, () => 'close').join(' + ') + ' > 0';
    expect(expr.length).toBeGreaterThanOrEqual(100_000);
    const r = compileTimed(withEntry(expr));
    expect(at(r)).toEqual(['E206 19:9']);
    expect(r.diagnostics[0]!.message).toBe('`entry.long` is longer than 20000 characters');
  });

  it('a flat 3,000-term sum under the length limit is refused with E305, not a stack overflow', () => {
    const expr = Array.from({ length: 3000 }, () => 'close').join('+') + ' > 0';
    expect(expr.length).toBeLessThan(20_000);
    const r = compileTimed(withEntry(expr));
    expect(codes(r)).toEqual(['E305']);
    // The operator that makes the tree one level too deep: the (MAX_EXPR_DEPTH + 1)-th `+`.
    const col = r.diagnostics[0]!.column;
    expect(r.diagnostics[0]!.sourceLine[col - 1]).toBe('+');
    expect(col).toBe('  long: '.length + 1 + MAX_EXPR_DEPTH * 'close+'.length + 'close'.length);
  });

  it('a 4,000-deep lag chain and a long member chain are refused with E305', () => {
    expect(codes(compileTimed(withEntry('close' + '[1]'.repeat(4000) + ' > 0')))).toEqual(['E305']);
    expect(codes(compileTimed(withEntry('crosses_above(fast_ma, slow_ma' + '.x'.repeat(5000) + ')')))).toEqual(['E305']);
  });

  it('10,000 nested parentheses: E206 when balanced (over the length limit), E305 when the depth limit is reached first', () => {
    const balanced = '('.repeat(10_000) + 'close > 0' + ')'.repeat(10_000);
    expect(codes(compileTimed(withEntry(balanced)))).toEqual(['E206']);
    const parsed = parseExpression(balanced);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe('E305');
    // Unbalanced, so it stays under the length limit and reaches the parser.
    const r = compileTimed(withEntry('('.repeat(10_000) + 'close > 0'));
    expect(codes(r)).toEqual(['E305']);
    expect(r.diagnostics[0]!.column).toBe('  long: '.length + MAX_EXPR_DEPTH + 2);
  });
});

describe('encodings and line endings', () => {
  it('NUL bytes inside otherwise valid YAML are refused with E004 at the NUL', () => {
    const text = smaCross.replace('name: sma-cross', 'name: sma\u0000-cross');
    for (const input of [text, new TextEncoder().encode(text)]) {
      const r = compileTimed(input);
      expect(at(r)).toEqual(['E004 3:10']);
    }
  });

  it('after a byte-order mark, a NUL on the first line is positioned like the rest of the file (BOM not counted, not shown)', () => {
    const text = 'strata: strategy/v1\u0000\n';
    const plain = compileTimed(text).diagnostics;
    expect(plain.map((d) => [d.code, d.line, d.column, d.sourceLine])).toEqual([['E004', 1, 20, 'strata: strategy/v1\u0000']]);
    for (const input of ['\uFEFF' + text, new TextEncoder().encode('\uFEFF' + text)]) {
      expect(compileTimed(input).diagnostics).toEqual(plain);
    }
  });

  it('invalid UTF-8 is refused with E003 at the first bad byte', () => {
    const bytes = new TextEncoder().encode(smaCross);
    const lineStart = smaCross.indexOf('name: sma-cross');
    const bad = new Uint8Array(bytes.length + 2);
    bad.set(bytes.subarray(0, lineStart + 6));
    bad.set([0xc3, 0x28], lineStart + 6); // a truncated two-byte sequence
    bad.set(bytes.subarray(lineStart + 6), lineStart + 8);
    expect(at(compileTimed(bad))).toEqual(['E003 3:7']);
    // Overlong encoding of "/" and a lone continuation byte.
    expect(codes(compileTimed(new Uint8Array([...new TextEncoder().encode('strata: strategy'), 0xc0, 0xaf, 0x76, 0x31])))).toEqual(['E003']);
    expect(codes(compileTimed(new Uint8Array([0x80])))).toEqual(['E003']);
  });

  it.each(examples.map((e) => [e.file, e.text] as const))('%s with a UTF-8 BOM and CRLF line endings compiles to the same hash and plan', (_file, lf) => {
    const reference = compileTimed(lf);
    expect(reference.ok).toBe(true);
    const crlf = '\uFEFF' + lf.replace(/\n/g, '\r\n');
    for (const input of [crlf, new TextEncoder().encode(crlf)]) {
      const r = compileTimed(input);
      expect(r.diagnostics).toEqual([]);
      expect(r.hash).toBe(reference.hash);
      expect(r.canonical).toBe(reference.canonical);
      expect(JSON.stringify(r.plan)).toBe(JSON.stringify(reference.plan));
    }
  });

  it('columns are right in a CRLF file with errors (plain and folded scalars)', () => {
    const lf = withEntry('crosses_above(fast_ma, slow_mas)').replace(
      'exit:\n  long: crosses_below(fast_ma, slow_ma)',
      'exit:\n  long: >-\n    crosses_below(fast_ma, slow_ma)\n    or smaa(close, 3) > 1',
    );
    const expected = compileTimed(lf);
    expect(at(expected)).toEqual(['E401 19:32', 'E402 23:8']);
    const crlf = compileTimed('\uFEFF' + lf.replace(/\n/g, '\r\n'));
    const strip = (r: CompileResult) => r.diagnostics.map(({ code, line, column, endLine, endColumn, sourceLine, message }) => ({ code, line, column, endLine, endColumn, sourceLine, message }));
    expect(strip(crlf)).toEqual(strip(expected));
    for (const d of crlf.diagnostics) expect(d.sourceLine).not.toContain('\r');
  });

  it('carets after escape sequences in a double-quoted expression point at the source characters', () => {
    // Each escape stands for one character (two UTF-16 units for \U beyond the BMP) but spans several in the file.
    for (const [written, token] of [
      ['"\\tcrosses_above(fast_ma, slow_mas)"', 'slow_mas'],
      ['"crosses_above(fast_ma,\\x20slow_mas)"', 'slow_mas'],
      ['"crosses_above(fast_ma, \\u0073low_mas)"', '\\u0073low_mas'],
      ['"crosses_above(fast_ma, slow_ma) and \\U0001F600 > 1"', '\\U0001F600'],
      ['"crosses_above(fast_ma, slow_ma) and \\\\ or smaa(close, 2) > 1"', '\\\\'],
    ] as const) {
      const r = compileTimed(withEntry(written));
      expect(r.diagnostics.length, written).toBeGreaterThan(0);
      const d = r.diagnostics[0]!;
      expect(d.line).toBe(19);
      expect(d.sourceLine.slice(d.column - 1).startsWith(token), `${written}: caret at ${d.column}`).toBe(true);
    }
  });

  it('a lone surrogate inside an expression is E301 at its own column, shown as U+D800', () => {
    const r = compileTimed(withEntry('crosses_above(fast_ma, \uD800slow_ma)'));
    expect(at(r)).toEqual(['E301 19:32']);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe('unexpected character `U+D800`');
    expect(d.endColumn).toBe(33);
    expect(d.sourceLine.charCodeAt(d.column - 1)).toBe(0xd800);
  });

  it('an emoji inside an expression is E301 with a caret covering both UTF-16 units', () => {
    const r = compileTimed(withEntry('crosses_above(fast_ma, 😀slow_ma)'));
    expect(at(r)).toEqual(['E301 19:32']);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe('unexpected character `😀`');
    expect(d.endColumn - d.column).toBe(2);
    expect(d.sourceLine.slice(d.column - 1, d.endColumn - 1)).toBe('😀');
  });

  it('columns after an emoji on the same line still point at the right characters', () => {
    const r = compileTimed(withEntry(`'trendline_cross(close, t0="😀", p0=1, t1="2024-01-05", p1=2).up and smaa(close, 3) > 1'`));
    expect(codes(r).sort()).toEqual(['E402', 'E407']);
    for (const d of r.diagnostics) {
      const rest = d.sourceLine.slice(d.column - 1);
      expect(rest.startsWith(d.code === 'E402' ? 'smaa(' : '"😀"'), `${d.code} at ${d.column}: ${rest}`).toBe(true);
    }
  });
});
