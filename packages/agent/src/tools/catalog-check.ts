import { CATALOG, type CatalogEntry } from '@strata/compiler';
import { z } from 'zod';
import { ToolError, type ArgumentIssue, type NodeParamValue } from './types.js';

/** A node param value as a tool argument: a number, a string (timestamp or `$param`) or a list of levels. */
export const paramValueArg = z
  .union([z.number(), z.string().min(1).max(64), z.array(z.number()).min(1).max(1000)])
  .describe('A number; for `levels` a list of prices; for `t0`/`t1` a date "YYYY-MM-DD" or UTC timestamp "YYYY-MM-DDTHH:MM:SSZ"; where allowed a "$param" reference.');

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/;
const PARAM_REF = /^\$[a-z_][a-z0-9_]*$/;

export function parseTimestamp(s: string): number | undefined {
  if (!TIMESTAMP.test(s)) return undefined;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== s.slice(0, 10)) return undefined;
  return ms;
}

/** Did-you-mean: the closest name within a third of the letters (Levenshtein). */
export function suggest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = levenshtein(name, k);
    if (d < bestD || (d === bestD && best !== undefined && k < best)) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(Math.max(name.length, best.length) / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The catalog entry, or an `invalid_arguments` error with a did-you-mean. */
export function requireEntry(node: string, path: string, allowed?: ReadonlySet<string>): CatalogEntry {
  const entry = CATALOG.get(node);
  if (!entry || (allowed && !allowed.has(node))) {
    const known = allowed ?? new Set(CATALOG.keys());
    const guess = suggest(node, known);
    throw new ToolError('invalid_arguments', `${path}: unknown node "${node}"${guess ? `; did you mean "${guess}"?` : ''} Known: ${[...known].sort().join(', ')}`, undefined);
  }
  return entry;
}

/**
 * Checks params against a catalog entry (names, required, types, ranges) and returns them in
 * catalog order with defaults left out unless given. `allowRefs`: numeric params may be `$param`
 * references (checked by the compiler later). Every problem is reported, not just the first.
 */
export function checkParams(entry: CatalogEntry, params: Readonly<Record<string, NodeParamValue>>, opts: { readonly allowRefs: boolean; readonly path?: string }): Array<readonly [string, NodeParamValue]> {
  const base = opts.path ?? 'params';
  const issues: ArgumentIssue[] = [];
  const names = entry.params.map((p) => p.name);
  for (const key of Object.keys(params).sort()) {
    if (!names.includes(key)) {
      const guess = suggest(key, names);
      issues.push({ path: `${base}.${key}`, message: `\`${entry.name}\` has no param "${key}"${guess ? `; did you mean "${guess}"?` : ''} Its params: ${names.length ? names.join(', ') : '(none)'}` });
    }
  }
  const out: Array<readonly [string, NodeParamValue]> = [];
  for (const p of entry.params) {
    const v = params[p.name];
    const path = `${base}.${p.name}`;
    if (v === undefined) {
      if (p.default === undefined) issues.push({ path, message: `is required: ${p.description} (${p.type}${p.min !== undefined ? `, ${p.min}..${p.max}` : ''})` });
      continue;
    }
    if (typeof v === 'string' && PARAM_REF.test(v) && opts.allowRefs && (p.type === 'int' || p.type === 'float')) {
      out.push([p.name, v]);
      continue;
    }
    switch (p.type) {
      case 'int':
      case 'float':
        if (typeof v !== 'number') issues.push({ path, message: `expected ${p.type === 'int' ? 'a whole number' : 'a number'}${opts.allowRefs ? ' or a "$param" reference' : ''}, got ${JSON.stringify(v)}` });
        else if (p.type === 'int' && !Number.isInteger(v)) issues.push({ path, message: `must be a whole number, got ${v}` });
        else if ((p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)) issues.push({ path, message: `is ${v}; it must be between ${p.min ?? '-∞'} and ${p.max ?? '∞'}` });
        else out.push([p.name, v]);
        break;
      case 'levels': {
        const list = typeof v === 'number' ? [v] : v;
        if (typeof list === 'string') issues.push({ path, message: `expected a list of prices, e.g. [412.5, 430], got ${JSON.stringify(v)}` });
        else if (list.length < (p.min ?? 1) || list.length > (p.max ?? 1000)) issues.push({ path, message: `must hold ${p.min ?? 1} to ${p.max ?? 1000} levels, got ${list.length}` });
        else if (list.some((x) => !(x > 0) || !Number.isFinite(x))) issues.push({ path, message: 'must hold positive, finite prices' });
        else out.push([p.name, [...new Set(list)].sort((x, y) => x - y)]);
        break;
      }
      case 'timestamp':
        if (typeof v !== 'string' || parseTimestamp(v) === undefined) issues.push({ path, message: `expected a date "YYYY-MM-DD" or UTC timestamp "YYYY-MM-DDTHH:MM:SSZ", got ${JSON.stringify(v)}` });
        else out.push([p.name, v]);
        break;
    }
  }
  if (issues.length === 0 && entry.name === 'trendline_cross') {
    const t0 = params.t0;
    const t1 = params.t1;
    if (typeof t0 === 'string' && typeof t1 === 'string' && parseTimestamp(t1)! <= parseTimestamp(t0)!) issues.push({ path: `${base}.t1`, message: `must be after t0 (${t0}), got ${t1}` });
  }
  if (issues.length === 0 && entry.name === 'macd') {
    const f = params.fast ?? 12;
    const s = params.slow ?? 26;
    if (typeof f === 'number' && typeof s === 'number' && f >= s) issues.push({ path: `${base}.fast`, message: `must be shorter than slow (${s}), got ${f}` });
  }
  if (issues.length === 0 && entry.name === 'sar') {
    const st = params.step ?? 0.02;
    const mx = params.max_step ?? 0.2;
    if (typeof st === 'number' && typeof mx === 'number' && mx < st) issues.push({ path: `${base}.max_step`, message: `must be at least step (${st}), got ${mx}` });
  }
  if (issues.length > 0) throw new ToolError('invalid_arguments', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  return out;
}
