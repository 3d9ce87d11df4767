import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Document } from 'yaml';
import { strategyV1Schema } from '@strata/schemas';
import type { DiagnosticBag, DiagnosticCode } from '../diagnostics.js';
import { AJV_OPTIONS } from './ajv-options.js';
import { headSpan, nodeAtPath, rangeSpan, type PathSegment } from './load.js';
import { closest, similar } from './suggest.js';
import type { SourceText, Span } from './source.js';

type Schema = Record<string, unknown>;

let validator: ValidateFunction | undefined;
const require = createRequire(import.meta.url);

/**
 * The strategy/v1 validator: the module generated at build time when there is one (the built
 * package), otherwise compiled now with the same options (tests running from source).
 */
export function strategyValidator(): ValidateFunction {
  if (!validator) validator = loadPrecompiled() ?? compileValidator();
  return validator;
}

function loadPrecompiled(): ValidateFunction | undefined {
  try {
    return require('./strategy-validator.cjs') as ValidateFunction;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** Compiles the validator at run time (exported so a test can compare it with the generated one). */
export function compileValidator(): ValidateFunction {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(AJV_OPTIONS).compile(strategyV1Schema);
}

/** What each schema pattern means, for messages a person (or a model) can act on. */
const PATTERN_MEANING: Record<string, string> = {
  identifier: 'a name of lower-case letters, digits and `_`, starting with a letter or `_` (e.g. `fast_ma`)',
  symbol: 'an upper-case symbol such as `SPY` or `BTC/USDT`',
  feedId: 'a feed ID of lower-case letters, digits, `.`, `_` and `-` (e.g. `equities.us.daily`)',
  timeframe: 'a timeframe such as `15m`, `4h`, `1d`, `1w` or `1M`',
  paramValue: 'a number or a `$param` reference',
  name: 'lower-case letters, digits and dashes, starting with a letter (e.g. `sma-cross`)',
  module: 'a relative path to a .js or .mjs file, such as `./nodes/my-node.js`',
  sha256: '64 lower-case hex digits',
};

export interface SchemaCheckResult {
  /** JSON pointers of values that failed the schema: later passes skip them to avoid cascades. */
  readonly badPaths: ReadonlySet<string>;
}

export function checkSchema(value: unknown, doc: Document.Parsed, source: SourceText, bag: DiagnosticBag): SchemaCheckResult {
  const validate = strategyValidator();
  const badPaths = new Set<string>();
  if (validate(value)) return { badPaths };
  const errors = selectErrors(validate.errors ?? []);
  for (const err of errors) {
    if (err.keyword === 'additionalProperties') badPaths.add(`${err.instancePath}/${String((err.params as { additionalProperty: string }).additionalProperty)}`);
    // A malformed name spoils that entry only, not its siblings (a `propertyNames` error comes with the name's own error).
    else if (err.propertyName !== undefined) badPaths.add(`${err.instancePath}/${err.propertyName}`);
    // A mapping without a required field is unusable, except the artifact itself: the other fields still get checked.
    else if (err.keyword === 'required' ? err.instancePath !== '' : err.keyword !== 'propertyNames') badPaths.add(err.instancePath);
    report(err, doc, source, bag);
  }
  return { badPaths };
}

/**
 * anyOf / oneOf produce an error per branch. When the value's own JSON type picks one branch
 * (an object for the explicit node form, a string for an expression), keep that branch's
 * errors; otherwise replace them all with one "wrong type" error.
 *
 * Ajv reports a union's branch errors just before the union's own error. Branches are told
 * apart by the JSON types they accept, not by schema paths: inside a `$ref` branch, a schema
 * path names the referenced definition (or is relative to it), not the union.
 */
function selectErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const isUnion = (e: ErrorObject) => e.keyword === 'anyOf' || (e.keyword === 'oneOf' && !('passingSchemas' in e.params && e.params.passingSchemas));
  const present = new Set(errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf'));
  errors.forEach((u, index) => {
    if (!isUnion(u)) return;
    const within = (e: ErrorObject) => e.instancePath === u.instancePath || e.instancePath.startsWith(`${u.instancePath}/`);
    const inside: ErrorObject[] = [];
    for (let i = index - 1; i >= 0 && within(errors[i]!); i--) if (present.has(errors[i]!)) inside.push(errors[i]!);
    const branches = Array.isArray(u.schema) ? (u.schema as unknown[]) : [];
    const matching = branches.filter((b) => acceptsType(b, u.data)).length;
    // The other branches fail on the type alone: a `type` error, or a nested union none of whose branches takes the type.
    const otherBranch = (e: ErrorObject) => e.instancePath === u.instancePath && (e.keyword === 'type' || (isUnion(e) && !(e.schema as unknown[]).some((b) => acceptsType(b, e.data))));
    const picked = matching === 1 ? inside.filter((e) => !otherBranch(e)) : [];
    for (const e of inside) present.delete(e);
    for (const e of picked.length > 0 ? picked : [u]) present.add(e);
  });
  const result = errors.filter((e) => present.has(e));
  // A discriminator error makes the other branch errors noise.
  const disc = new Set(result.filter((e) => e.keyword === 'discriminator').map((e) => e.instancePath));
  return result.filter((e) => e.keyword === 'discriminator' || !disc.has(e.instancePath) || e.keyword === 'required');
}

/** Whether a (sub)schema's `type` admits the JSON type of `data`; a schema without `type` admits anything. */
function acceptsType(schema: unknown, data: unknown): boolean {
  let s = schema as Schema | undefined;
  for (let guard = 0; typeof s?.$ref === 'string' && guard < 16; guard++) {
    s = (s.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<Schema | undefined>((t, seg) => t?.[seg] as Schema | undefined, strategyV1Schema as Schema);
  }
  if (!s || typeof s !== 'object') return true;
  const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return union.some((b) => acceptsType(b, data));
  if (s.type === undefined) return true;
  const types = ([] as unknown[]).concat(s.type);
  const t = data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data === 'number' ? (Number.isInteger(data) ? 'integer' : 'number') : typeof data;
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

function parsePointer(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function describePath(pointer: string): string {
  const segs = parsePointer(pointer);
  if (segs.length === 0) return 'the artifact';
  return '`' + segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') + '`';
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `a string ("${v.length > 40 ? v.slice(0, 40) + '…' : v}")`;
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return typeof v;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

function report(err: ErrorObject, doc: Document.Parsed, source: SourceText, bag: DiagnosticBag): void {
  const path = parsePointer(err.instancePath);
  const { node, key, parent } = nodeAtPath(doc, path);
  const valueSpan: Span = rangeSpan(node) ?? headSpan(source, parent) ?? { start: 0, end: 1 };
  const where = describePath(err.instancePath);
  const add = (code: DiagnosticCode, message: string, span: Span, hint?: string, at = err.instancePath) =>
    bag.add({ code, message, span, path: at, ...(hint ? { hint } : {}) });
  const p = err.params as Record<string, unknown>;
  const parentSchema = err.parentSchema as Record<string, unknown> | undefined;

  switch (err.keyword) {
    case 'additionalProperties': {
      const prop = String(p.additionalProperty);
      const at = nodeAtPath(doc, [...path, prop]);
      const allowed = Object.keys((parentSchema?.properties as Record<string, unknown>) ?? {});
      const guess = allowed.length > 0 ? closest(prop, allowed) : undefined;
      const near = guess !== undefined && similar(prop, guess);
      add(
        'E201',
        `unknown field \`${prop}\` in ${where}`,
        rangeSpan(at.key) ?? valueSpan,
        near ? `did you mean \`${guess}\`?` : allowed.length > 0 ? `allowed fields: ${allowed.join(', ')}` : undefined,
        `${err.instancePath}/${prop}`,
      );
      return;
    }
    case 'required': {
      const prop = String(p.missingProperty);
      const span = key ? rangeSpan(key)! : (headSpan(source, node) ?? { start: 0, end: 1 });
      const example = REQUIRED_EXAMPLES[prop];
      add('E202', `${where} is missing the required field \`${prop}\``, span, example ? `add e.g. \`${example}\`` : `add \`${prop}:\``);
      return;
    }
    case 'type': {
      const want = String(p.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
      add('E203', `${where} must be ${want}, not ${typeName(err.data)}`, valueSpan, typeHint(String(p.type), err.data));
      return;
    }
    case 'anyOf':
    case 'oneOf': {
      const what = err.schemaPath.includes('signals') ? 'an expression string or an explicit node (`{ node: sma, inputs: [close], params: { period: 20 } }`)' : 'one of the allowed forms';
      add('E203', `${where} must be ${what}, not ${typeName(err.data)}`, valueSpan);
      return;
    }
    case 'const': {
      if (err.instancePath === '/strata') {
        add('E209', `unsupported artifact version ${JSON.stringify(err.data)}; this compiler reads \`strategy/v1\``, valueSpan, 'set `strata: strategy/v1` (or upgrade Strata to read a newer version)');
      } else {
        add('E204', `${where} must be ${JSON.stringify(p.allowedValue)}`, valueSpan);
      }
      return;
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => String(v));
      const guess = typeof err.data === 'string' ? closest(err.data, allowed) : undefined;
      add(
        'E204',
        `${where} is ${typeName(err.data)}; allowed: ${allowed.join(', ')}`,
        valueSpan,
        guess !== undefined && typeof err.data === 'string' && similar(err.data, guess) ? `did you mean \`${guess}\`?` : undefined,
      );
      return;
    }
    case 'discriminator': {
      const mapping = (parentSchema?.oneOf as { properties?: { kind?: { const?: string } } }[] | undefined)?.map((b) => b.properties?.kind?.const).filter((k): k is string => typeof k === 'string') ?? [];
      const tag = String(p.tag);
      const { node: tagNode } = nodeAtPath(doc, [...path, tag]);
      if (p.error === 'tag') {
        add('E203', `${where}.${tag} must be a string`, rangeSpan(tagNode) ?? valueSpan);
      } else {
        const got = String(p.tagValue);
        const guess = mapping.length > 0 ? closest(got, mapping) : undefined;
        add('E204', `${where} has unknown ${tag} \`${got}\`; allowed: ${mapping.join(', ')}`, rangeSpan(tagNode) ?? valueSpan, guess && similar(got, guess) ? `did you mean \`${guess}\`?` : undefined, `${err.instancePath}/${tag}`);
      }
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const cmp = { minimum: '≥', maximum: '≤', exclusiveMinimum: '>', exclusiveMaximum: '<' }[err.keyword];
      add('E205', `${where} is ${String(err.data)}; it must be ${cmp} ${String(p.limit)}`, valueSpan);
      return;
    }
    case 'pattern': {
      const def = /definitions\/(\w+)\/pattern$/.exec(err.schemaPath)?.[1] ?? /properties\/(\w+)\/pattern$/.exec(err.schemaPath)?.[1] ?? '';
      const meaning = PATTERN_MEANING[def];
      const isKey = err.keyword === 'pattern' && err.propertyName !== undefined;
      add('E206', `${isKey ? 'name' : 'value'} ${JSON.stringify(err.propertyName ?? err.data)} in ${where} is malformed${meaning ? `: expected ${meaning}` : ''}`, isKey ? (rangeSpan(nodeAtPath(doc, [...path, err.propertyName!]).key) ?? valueSpan) : valueSpan, patternHint(def, err.propertyName ?? err.data));
      return;
    }
    case 'propertyNames':
      return; // the nested `pattern` error (with propertyName) says it better
    case 'minLength':
      add('E206', `${where} must not be empty`, valueSpan);
      return;
    case 'maxLength':
      add('E206', `${where} is longer than ${String(p.limit)} characters`, valueSpan);
      return;
    case 'minItems':
    case 'minProperties':
      add('E207', `${where} needs at least ${String(p.limit)} ${err.keyword === 'minItems' ? 'item' : 'entry'}${Number(p.limit) === 1 ? '' : 's'}`, valueSpan, err.instancePath === '/universe' ? 'list the symbols to trade, e.g. `universe: [SPY]`' : undefined);
      return;
    case 'maxItems':
    case 'maxProperties':
      add('E207', `${where} has more than ${String(p.limit)} ${err.keyword === 'maxItems' ? 'items' : 'entries'}`, valueSpan);
      return;
    case 'uniqueItems': {
      const j = Number(p.j);
      const i = Number(p.i);
      const dup = nodeAtPath(doc, [...path, Math.max(i, j)]).node;
      add('E207', `${where} lists ${JSON.stringify((err.data as unknown[])[Math.max(i, j)])} twice`, rangeSpan(dup) ?? valueSpan, 'remove the duplicate');
      return;
    }
    default:
      add('E208', `${where} ${err.message ?? 'is invalid'}`, valueSpan);
  }
}

const REQUIRED_EXAMPLES: Record<string, string> = {
  strata: 'strata: strategy/v1',
  name: 'name: my-strategy',
  universe: 'universe: [SPY]',
  timeframe: 'timeframe: 1d',
  feeds: 'feeds: { bars: equities.us.daily }',
  bars: 'bars: equities.us.daily',
  default: 'default: 10',
  kind: 'kind: atr',
  multiple: 'multiple: 2',
  value: 'value: 0.05',
  target: 'target: 0.15',
  distance: 'distance: 2 * atr14',
  rank: 'rank: { by: mom }',
  by: 'by: roc(close, 252)',
  select: 'select: { top: 5 }',
  top: 'top: 5',
  rebalance: 'rebalance: { every: monthly }',
  every: 'every: monthly',
  symbol: 'symbol: BIL',
  threshold: 'threshold: 0.15',
  window: 'window: 60',
  node: 'node: sma',
  module: 'module: ./nodes/my-node.js',
  sha256: 'sha256: <sha256sum of the module>',
  output: 'output: number',
  lookback: 'lookback: period - 1',
};

function typeHint(want: string, data: unknown): string | undefined {
  if (want.includes('array') && typeof data === 'string') return `write a list: [${data}]`;
  if ((want.includes('number') || want.includes('integer')) && typeof data === 'string' && data.trim() !== '' && Number.isFinite(Number(data))) return 'remove the quotes around the number';
  if (want === 'string' && typeof data === 'boolean') return 'YAML read this as a boolean; quote it';
  if (want === 'string' && typeof data === 'number') return 'YAML read this as a number; quote it';
  return undefined;
}

function patternHint(def: string, data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  // Suggest a fixed spelling only when it is itself valid.
  const fixed = def === 'symbol' ? data.toUpperCase() : def === 'identifier' ? data.toLowerCase().replace(/[-\s]+/g, '_') : def === 'name' ? data.toLowerCase().replace(/[_\s]+/g, '-') : undefined;
  const valid = def === 'symbol' ? /^[A-Z0-9][A-Z0-9._:/-]{0,31}$/ : def === 'identifier' ? /^[a-z_][a-z0-9_]{0,63}$/ : /^[a-z][a-z0-9-]{0,63}$/;
  if (fixed !== undefined && fixed !== data && valid.test(fixed)) return `did you mean \`${fixed}\`?`;
  if (def === 'timeframe' && /^\d+(min|hour|day|week|month)s?$/i.test(data)) return 'use the short units m, h, d, w, M';
  return undefined;
}
