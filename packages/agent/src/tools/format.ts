import type { z } from 'zod';
import type { ArgumentIssue, ExecutableNode, NodeParamValue } from './types.js';

/** Signal / param identifiers of the artifact language. */
export const IDENTIFIER = /^[a-z_][a-z0-9_]{0,63}$/;

/** The dotted path of a zod issue (`params.period`, `drawings.0.points`), `(arguments)` for the root. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(arguments)' : path.map((p) => String(p)).join('.');
}

function typeName(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'number' && Number.isNaN(input)) return 'NaN';
  return typeof input === 'object' ? 'an object' : `${typeof input} ${JSON.stringify(input)}`;
}

/** `, got …` for a short scalar, nothing for objects and long strings. */
function got(value: unknown): string {
  if (value === undefined || (typeof value === 'object' && value !== null)) return '';
  const text = JSON.stringify(value);
  return text === undefined || text.length > 60 ? '' : `, got ${text}`;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required: expected ${issue.expected}`;
      return `expected ${issue.expected}, got ${typeName(value)}`;
    case 'too_small': {
      if (!/^Too small/.test(issue.message)) return issue.message;
      const what = issue.origin === 'array' || issue.origin === 'set' ? 'at least' : issue.origin === 'string' ? 'at least' : issue.inclusive === false ? 'greater than' : 'at least';
      const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
      return `must be ${what} ${String(issue.minimum)}${unit}${got(value)}`;
    }
    case 'too_big': {
      if (!/^Too big/.test(issue.message)) return issue.message;
      const what = issue.inclusive === false ? 'less than' : 'at most';
      const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
      return `must be ${what} ${String(issue.maximum)}${unit}${got(value)}`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length === 1 ? 'it' : 'them'} (only the documented fields are accepted)`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got(value)}`;
    case 'invalid_format':
      return `${issue.message}${got(value)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string' && issue.errors.length === 0) return issue.message;
      return `${issue.message}; got ${typeName(value)}`;
    }
    default:
      return issue.message;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * Turns a zod error into issues a model can act on: each names the field's path, what was
 * expected and what was given. `input` is the raw arguments (for the "got …" part).
 */
export function zodIssues(error: z.ZodError, input: unknown): ArgumentIssue[] {
  return error.issues.map((issue) => ({ path: issuePath(issue.path), message: describeIssue(issue, input) }));
}

/** One line per issue: `path: message`. */
export function formatZodError(error: z.ZodError, input: unknown): string {
  return zodIssues(error, input)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
}

// — rendering signal nodes —

/** A number as the artifact language and YAML both read it (shortest round-trip form). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot render ${x} in an artifact`);
  return Object.is(x, -0) ? '0' : String(x);
}

const PLAIN_EXPR = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

function yamlScalar(text: string): string {
  return PLAIN_EXPR.test(text) && !['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~'].includes(text.toLowerCase()) ? text : JSON.stringify(text);
}

function yamlParam(v: NodeParamValue): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return JSON.stringify(v);
  return `[${v.map(formatNumber).join(', ')}]`;
}

function exprParam(v: NodeParamValue): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v.startsWith('$') ? v : JSON.stringify(v);
  return `[${v.map(formatNumber).join(', ')}]`;
}

/**
 * Builds an `ExecutableNode` (explicit YAML form and expression form) from its parts.
 * Deterministic: params are rendered in the given (catalog) order, numbers in shortest form.
 */
export function executableNode(spec: {
  readonly signal: string;
  readonly node: string;
  readonly inputs: readonly string[];
  readonly params: ReadonlyArray<readonly [string, NodeParamValue]>;
  readonly output?: string;
  readonly timeframe?: string;
  readonly outputs: readonly string[];
}): ExecutableNode {
  const lines = [`${spec.signal}:`, `  node: ${spec.node}`];
  if (spec.inputs.length > 0) lines.push(`  inputs: [${spec.inputs.map(yamlScalar).join(', ')}]`);
  if (spec.params.length > 0) lines.push(`  params: { ${spec.params.map(([k, v]) => `${k}: ${yamlParam(v)}`).join(', ')} }`);
  if (spec.output !== undefined) lines.push(`  output: ${spec.output}`);
  if (spec.timeframe !== undefined) lines.push(`  timeframe: ${spec.timeframe}`);
  const args = [...spec.inputs, ...spec.params.map(([k, v]) => `${k}=${exprParam(v)}`)];
  let expression = `${spec.node}(${args.join(', ')})`;
  if (spec.timeframe !== undefined) expression += `@${spec.timeframe}`;
  if (spec.output !== undefined) expression += `.${spec.output}`;
  const params: Record<string, NodeParamValue> = {};
  for (const [k, v] of spec.params) params[k] = typeof v === 'object' ? [...v] : v;
  return Object.freeze({
    signal: spec.signal,
    node: spec.node,
    inputs: [...spec.inputs],
    params,
    ...(spec.output !== undefined ? { output: spec.output } : {}),
    ...(spec.timeframe !== undefined ? { timeframe: spec.timeframe } : {}),
    outputs: spec.output !== undefined ? [] : [...spec.outputs],
    yaml: lines.join('\n') + '\n',
    expression,
  });
}

/** A string turned into a signal identifier: lower-case, `[a-z0-9_]`, starting with a letter or `_`. */
export function toIdentifier(text: string, fallback: string): string {
  let s = text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_');
  if (s === '') s = fallback;
  if (!/^[a-z_]/.test(s)) s = `_${s}`;
  return s.slice(0, 64);
}

/** `YYYY-MM-DD` when the time is midnight UTC, otherwise `YYYY-MM-DDTHH:MM:SSZ` (whole seconds) or with milliseconds. */
export function isoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  if (iso.endsWith('.000Z')) return `${iso.slice(0, 19)}Z`;
  return iso;
}

/** Replaces non-finite numbers (NaN during warm-up, Infinity) with null / a string, so results are plain JSON. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
