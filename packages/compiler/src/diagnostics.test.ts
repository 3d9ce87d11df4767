import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, DiagnosticBag, formatDiagnostic, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { SourceText, type Span } from './internal/source.js';

const TEXT = ['strata: strategy/v1', 'params:', '  fast: { default: 10 }', 'signals:', '  fast_ma: sma(close, $fsat)', ''].join('\n');

const spanOf = (text: string, needle: string, from = 0): Span => {
  const start = text.indexOf(needle, from);
  if (start === -1) throw new Error(`${needle} not in text`);
  return { start, end: start + needle.length };
};

function diagnose(text: string, init: Omit<Parameters<DiagnosticBag['add']>[0], 'code' | 'message'> & { code?: Diagnostic['code']; message?: string }): Diagnostic {
  const bag = new DiagnosticBag(new SourceText('examples/x.yaml', text));
  bag.add({ code: init.code ?? 'E405', message: init.message ?? 'undefined param `$fsat`', ...init });
  return bag.items[0]!;
}

const ANSI = /\u001b\[/;

describe('DiagnosticBag.add', () => {
  it('resolves spans to line/column, the source line, and related locations', () => {
    const d = diagnose(TEXT, {
      span: spanOf(TEXT, '$fsat'),
      hint: 'did you mean `$fast`?',
      related: [{ message: '`fast` is defined here', span: spanOf(TEXT, 'fast') }],
      path: '/signals/fast_ma',
    });
    expect(d).toEqual({
      code: 'E405',
      severity: 'error',
      message: 'undefined param `$fsat`',
      file: 'examples/x.yaml',
      line: 5,
      column: 23,
      endLine: 5,
      endColumn: 28,
      sourceLine: '  fast_ma: sma(close, $fsat)',
      path: '/signals/fast_ma',
      hint: 'did you mean `$fast`?',
      related: [{ message: '`fast` is defined here', file: 'examples/x.yaml', line: 3, column: 3 }],
    });
  });

  it('takes the severity from the code table', () => {
    expect(diagnose(TEXT, { code: 'W601', message: 'unused', span: { start: 0, end: 1 } }).severity).toBe('warning');
    const bag = new DiagnosticBag(new SourceText('f', TEXT));
    bag.add({ code: 'W601', message: 'unused' });
    expect(bag.hasErrors).toBe(false);
    bag.add({ code: 'E401', message: 'unknown' });
    expect(bag.hasErrors).toBe(true);
  });

  it('a diagnostic without a span has line 0 and no source line, and omits absent optional fields', () => {
    const d = diagnose(TEXT, { code: 'E001', message: 'no such file: x.yaml' });
    expect(d).toEqual({ code: 'E001', severity: 'error', message: 'no such file: x.yaml', file: 'examples/x.yaml', line: 0, column: 0, endLine: 0, endColumn: 0, sourceLine: '' });
    expect(Object.keys(d)).not.toContain('hint');
    expect(Object.keys(d)).not.toContain('related');
  });
});

describe('formatDiagnostic', () => {
  it('renders header, location, source line, caret, hint and related note (exact text)', () => {
    const d = diagnose(TEXT, {
      span: spanOf(TEXT, '$fsat'),
      hint: 'did you mean `$fast`?',
      related: [{ message: '`fast` is defined here', span: spanOf(TEXT, 'fast') }],
    });
    expect(formatDiagnostic(d, { color: false })).toBe(
      [
        'error[E405]: undefined param `$fsat`',
        ' --> examples/x.yaml:5:23',
        '  |',
        '5 |   fast_ma: sma(close, $fsat)',
        '  |                       ^^^^^',
        '  = hint: did you mean `$fast`?',
        '  = note: `fast` is defined here (examples/x.yaml:3:3)',
      ].join('\n'),
    );
  });

  it('renders a warning and widens the gutter for multi-digit line numbers', () => {
    const text = 'x\n'.repeat(11) + 'signals:\n  dead: ema(close, 20)\n';
    const d = diagnose(text, { code: 'W601', message: 'signal `dead` is not used by any rule', span: spanOf(text, 'dead'), hint: 'delete it' });
    expect(formatDiagnostic(d)).toBe(
      [
        'warning[W601]: signal `dead` is not used by any rule',
        '  --> examples/x.yaml:13:3',
        '   |',
        '13 |   dead: ema(close, 20)',
        '   |   ^^^^',
        '   = hint: delete it',
      ].join('\n'),
    );
  });

  it('renders a diagnostic without a position', () => {
    const d = diagnose(TEXT, { code: 'E001', message: 'no such file: x.yaml', hint: 'check the path' });
    expect(formatDiagnostic(d)).toBe(['error[E001]: no such file: x.yaml', '  --> examples/x.yaml', '  = hint: check the path'].join('\n'));
  });

  const caretLine = (d: Diagnostic) => formatDiagnostic(d, { color: false }).split('\n')[4]!;
  const carets = (d: Diagnostic) => {
    const m = /^ *\| ( *)(\^+)$/.exec(caretLine(d));
    if (!m) throw new Error(`no caret line in ${JSON.stringify(caretLine(d))}`);
    return { indent: m[1]!.length, width: m[2]!.length };
  };

  it.each<[needle: string, width: number]>([
    ['$fsat', 5],
    ['$', 1],
    ['sma', 3],
    ['sma(close, $fsat)', 17],
    ['fast_ma: sma(close, $fsat)', 26],
  ])('the caret under %j is as wide as the span (%i)', (needle, width) => {
    const span = spanOf(TEXT, needle, TEXT.indexOf('fast_ma'));
    const d = diagnose(TEXT, { span });
    expect(carets(d)).toEqual({ indent: d.column - 1, width });
    expect(width).toBe(span.end - span.start);
  });

  it('an empty span gets one caret', () => {
    const at = TEXT.indexOf('$fsat');
    expect(carets(diagnose(TEXT, { span: { start: at, end: at } }))).toEqual({ indent: 22, width: 1 });
  });

  it('a span running past the end of its line is cut at the line end', () => {
    const start = TEXT.indexOf('sma(');
    const d = diagnose(TEXT, { span: { start, end: TEXT.length } });
    expect(d.endLine).toBe(6);
    expect(carets(d)).toEqual({ indent: 11, width: '  fast_ma: sma(close, $fsat)'.length - 11 });
  });

  it('a caret at the end of a line (e.g. on the newline) still shows one caret', () => {
    const start = TEXT.indexOf('\n', TEXT.indexOf('fast_ma'));
    expect(carets(diagnose(TEXT, { span: { start, end: start + 1 } }))).toEqual({ indent: 28, width: 1 });
  });

  it('renders tabs as single spaces so the caret stays aligned', () => {
    const text = 'entry:\n\tlong: a && b\n';
    const d = diagnose(text, { code: 'E301', message: 'unexpected `&&`', span: spanOf(text, '&&') });
    const lines = formatDiagnostic(d).split('\n');
    expect(lines[3]).toBe('2 |  long: a && b');
    expect(lines[4]).toBe('  |          ^^');
  });

  it('emits no ANSI escape codes unless colour is asked for', () => {
    const d = diagnose(TEXT, { span: spanOf(TEXT, '$fsat'), hint: 'h', related: [{ message: 'r', span: { start: 0, end: 1 } }] });
    expect(formatDiagnostic(d)).not.toMatch(ANSI);
    expect(formatDiagnostic(d, { color: false })).not.toMatch(ANSI);
    expect(formatDiagnostic(d, {})).not.toMatch(ANSI);
    const coloured = formatDiagnostic(d, { color: true });
    expect(coloured).toMatch(ANSI);
    // Colour changes nothing but the escape codes.
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(formatDiagnostic(d, { color: false }));
  });
});

describe('sortDiagnostics', () => {
  it('orders by file, line, column, code, then message, without mutating its input', () => {
    const mk = (file: string, line: number, column: number, code: Diagnostic['code'], message: string): Diagnostic => ({
      code, severity: DIAGNOSTIC_CODES[code].severity, message, file, line, column, endLine: line, endColumn: column + 1, sourceLine: '',
    });
    const input = [mk('b.yaml', 1, 1, 'E401', 'x'), mk('a.yaml', 2, 1, 'E401', 'x'), mk('a.yaml', 1, 5, 'E401', 'x'), mk('a.yaml', 1, 5, 'E302', 'z'), mk('a.yaml', 1, 5, 'E302', 'y'), mk('a.yaml', 0, 0, 'E001', 'x')];
    const copy = [...input];
    expect(sortDiagnostics(input).map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`)).toEqual([
      'a.yaml:0:0 E001 x',
      'a.yaml:1:5 E302 y',
      'a.yaml:1:5 E302 z',
      'a.yaml:1:5 E401 x',
      'a.yaml:2:1 E401 x',
      'b.yaml:1:1 E401 x',
    ]);
    expect(input).toEqual(copy);
  });
});

describe('DIAGNOSTIC_CODES', () => {
  it('every code is E/W + three digits, with the severity its letter says, and a title', () => {
    for (const [code, { severity, title }] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(code).toMatch(/^[EW][0-9]{3}$/);
      expect(severity).toBe(code.startsWith('W') ? 'warning' : 'error');
      expect(title.length).toBeGreaterThan(0);
    }
  });
});
