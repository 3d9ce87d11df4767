import pc from 'picocolors';
import type { SourceText, Span } from './internal/source.js';

export type Severity = 'error' | 'warning';

/**
 * Every diagnostic the compiler can emit. Codes are stable: never reuse or renumber one.
 * docs/diagnostics.md is generated from this table (and a test keeps it in sync).
 */
export const DIAGNOSTIC_CODES = {
  // E0xx — the file itself
  E001: { severity: 'error', title: 'cannot read file' },
  E002: { severity: 'error', title: 'file too large' },
  E003: { severity: 'error', title: 'file is not valid UTF-8 text' },
  E004: { severity: 'error', title: 'file contains a NUL byte (binary data)' },
  E005: { severity: 'error', title: 'empty artifact' },
  // E1xx — YAML
  E101: { severity: 'error', title: 'YAML syntax error' },
  E102: { severity: 'error', title: 'duplicate key' },
  E103: { severity: 'error', title: 'too many YAML aliases' },
  E104: { severity: 'error', title: 'nesting too deep' },
  E105: { severity: 'error', title: 'more than one YAML document' },
  E106: { severity: 'error', title: 'unsupported YAML construct' },
  // E2xx — artifact schema (strategy/v1)
  E201: { severity: 'error', title: 'unknown field' },
  E202: { severity: 'error', title: 'missing required field' },
  E203: { severity: 'error', title: 'wrong type' },
  E204: { severity: 'error', title: 'value not allowed' },
  E205: { severity: 'error', title: 'value out of range' },
  E206: { severity: 'error', title: 'malformed value' },
  E207: { severity: 'error', title: 'wrong number of items' },
  E208: { severity: 'error', title: 'schema violation' },
  E209: { severity: 'error', title: 'unsupported artifact version' },
  // E3xx — expression syntax
  E301: { severity: 'error', title: 'unexpected character' },
  E302: { severity: 'error', title: 'syntax error in expression' },
  E303: { severity: 'error', title: 'unterminated string' },
  E304: { severity: 'error', title: 'invalid number' },
  E305: { severity: 'error', title: 'expression nested too deeply' },
  // E4xx — names and types
  E401: { severity: 'error', title: 'unknown name' },
  E402: { severity: 'error', title: 'unknown function' },
  E403: { severity: 'error', title: 'wrong number of arguments' },
  E404: { severity: 'error', title: 'type mismatch' },
  E405: { severity: 'error', title: 'undefined parameter' },
  E406: { severity: 'error', title: 'argument must be a constant' },
  E407: { severity: 'error', title: 'argument out of range' },
  E408: { severity: 'error', title: 'unknown or duplicate argument name' },
  E409: { severity: 'error', title: 'missing argument' },
  E410: { severity: 'error', title: 'bad output selection' },
  E411: { severity: 'error', title: 'invalid parameter definition' },
  E412: { severity: 'error', title: 'name already defined' },
  E413: { severity: 'error', title: 'lag must be a constant whole number' },
  E414: { severity: 'error', title: 'cycle between signals' },
  E415: { severity: 'error', title: 'custom node module problem' },
  E416: { severity: 'error', title: 'invalid custom node definition' },
  E417: { severity: 'error', title: 'invalid constant arithmetic' },
  // E5xx — structure, timeframes and causality
  E501: { severity: 'error', title: 'exit rule without entry rule' },
  E502: { severity: 'error', title: 'no trading rules' },
  E503: { severity: 'error', title: 'conflicting strategy forms' },
  E504: { severity: 'error', title: 'incompatible timeframe' },
  E505: { severity: 'error', title: 'sizing needs a stop' },
  E506: { severity: 'error', title: 'conflicting symbols' },
  E507: { severity: 'error', title: 'reads the future' },
  E508: { severity: 'error', title: 'undeclared timeframe' },
  E509: { severity: 'error', title: 'invalid override' },
  E510: { severity: 'error', title: 'conflicting execution settings' },
  // W6xx — warnings: valid, but probably not what was meant
  W601: { severity: 'warning', title: 'unused signal' },
  W602: { severity: 'warning', title: 'rule is constant' },
  W603: { severity: 'warning', title: 'same-bar fill' },
  W604: { severity: 'warning', title: 'unused parameter' },
  W605: { severity: 'warning', title: 'selection covers the whole universe' },
  W606: { severity: 'warning', title: 'setting has no effect' },
  W607: { severity: 'warning', title: 'weights cannot be fully invested' },
  W608: { severity: 'warning', title: 'position never exits' },
  // E9xx — the compiler itself
  E901: { severity: 'error', title: 'internal compiler error' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export interface RelatedLocation {
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A compiler finding as data: the agent consumes the JSON form, humans the rendered one. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  /** 1-based; 0 when the finding has no position (e.g. an unreadable file). */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** The source line the finding points at (empty when there is none). */
  readonly sourceLine: string;
  /** JSON pointer into the artifact, when the finding belongs to a field. */
  readonly path?: string;
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
}

export interface DiagnosticInit {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly span?: Span | undefined;
  readonly path?: string | undefined;
  readonly hint?: string | undefined;
  readonly related?: readonly { message: string; span: Span }[] | undefined;
}

/** Collects diagnostics against one source file. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  constructor(readonly source: SourceText) {}

  add(init: DiagnosticInit): void {
    const { source } = this;
    const span = init.span;
    const start = span ? source.position(span.start) : { line: 0, column: 0 };
    const end = span ? source.position(Math.max(span.start, span.end)) : start;
    const d: {
      -readonly [K in keyof Diagnostic]: Diagnostic[K];
    } = {
      code: init.code,
      severity: DIAGNOSTIC_CODES[init.code].severity,
      message: init.message,
      file: source.file,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      sourceLine: span ? source.lineText(start.line) : '',
    };
    if (init.path !== undefined) d.path = init.path;
    if (init.hint !== undefined) d.hint = init.hint;
    if (init.related && init.related.length > 0) {
      d.related = init.related.map((r) => {
        const p = source.position(r.span.start);
        return { message: r.message, file: source.file, line: p.line, column: p.column };
      });
    }
    this.items.push(d);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  /** Diagnostics in a stable order: by position, then code, then message. */
  sorted(): Diagnostic[] {
    return sortDiagnostics(this.items);
  }
}

export function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  return [...items].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      cmp(a.code, b.code) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface FormatOptions {
  readonly color?: boolean;
}

/** Render a diagnostic the way rustc does: header, location, source line with a caret, hint. */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const c = colorizer(options.color ?? false);
  const sev = d.severity === 'error' ? c.red(c.bold(`error[${d.code}]`)) : c.yellow(c.bold(`warning[${d.code}]`));
  const lines = [`${sev}${c.bold(`: ${d.message}`)}`];
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  if (d.line > 0) {
    const gutter = String(d.line);
    const pad = ' '.repeat(gutter.length);
    lines.push(`${pad}${c.blue('-->')} ${where}`);
    lines.push(`${pad} ${c.blue('|')}`);
    const text = d.sourceLine.replace(/\t/g, ' ');
    lines.push(`${c.blue(gutter)} ${c.blue('|')} ${text}`);
    const width =
      d.endLine === d.line ? Math.max(1, Math.min(d.endColumn, text.length + 1) - d.column) : Math.max(1, text.length - d.column + 1);
    const caret = ' '.repeat(Math.max(0, d.column - 1)) + '^'.repeat(width);
    lines.push(`${pad} ${c.blue('|')} ${d.severity === 'error' ? c.red(caret) : c.yellow(caret)}`);
    if (d.hint) lines.push(`${pad} ${c.blue('=')} ${c.bold('hint')}: ${d.hint}`);
    for (const r of d.related ?? []) lines.push(`${pad} ${c.blue('=')} ${c.bold('note')}: ${r.message} (${r.file}:${r.line}:${r.column})`);
  } else {
    lines.push(`  ${c.blue('-->')} ${where}`);
    if (d.hint) lines.push(`  ${c.blue('=')} ${c.bold('hint')}: ${d.hint}`);
  }
  return lines.join('\n');
}

function colorizer(on: boolean) {
  return pc.createColors(on);
}
