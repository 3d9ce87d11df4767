import { CATALOG, type CatalogParam } from '@strata/compiler';
import { KernelError } from '../errors.js';
import type { IndicatorParams } from './types.js';

/**
 * Reads a node's params, filling the catalog's defaults. The compiler validates params before a
 * plan reaches the kernel; these checks are the kernel's own guard for direct use and fail loudly
 * (KernelError 'range') rather than computing with a nonsense window.
 */
function spec(node: string, key: string): CatalogParam {
  const p = CATALOG.get(node)?.params.find((q) => q.name === key);
  if (!p) throw new KernelError('internal', `indicator \`${node}\` has no catalog param \`${key}\``);
  return p;
}

function numeric(node: string, params: IndicatorParams, key: string): number {
  const p = spec(node, key);
  const v = params[key] ?? p.default;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new KernelError('range', `\`${key}\` of \`${node}\` must be a finite number, got ${JSON.stringify(v)}`);
  }
  if ((p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)) {
    throw new KernelError('range', `\`${key}\` of \`${node}\` is ${v}; it must be between ${p.min ?? '-∞'} and ${p.max ?? '∞'}`);
  }
  return v;
}

export function intParam(node: string, params: IndicatorParams, key: string): number {
  const v = numeric(node, params, key);
  if (!Number.isInteger(v)) throw new KernelError('range', `\`${key}\` of \`${node}\` must be a whole number, got ${v}`);
  return v;
}

export function floatParam(node: string, params: IndicatorParams, key: string): number {
  return numeric(node, params, key);
}

/** A list of positive, finite price levels, returned sorted ascending in a typed array. */
export function levelsParam(node: string, params: IndicatorParams, key: string): Float64Array {
  const p = spec(node, key);
  const v = params[key];
  if (!Array.isArray(v)) throw new KernelError('range', `\`${key}\` of \`${node}\` must be a list of price levels, got ${JSON.stringify(v)}`);
  const list = v as readonly unknown[];
  if (list.length < (p.min ?? 1) || (p.max !== undefined && list.length > p.max)) {
    throw new KernelError('range', `\`${key}\` of \`${node}\` must hold ${p.min ?? 1} to ${p.max ?? '∞'} levels, got ${list.length}`);
  }
  const out = new Float64Array(list.length);
  list.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || !(x > 0)) {
      throw new KernelError('range', `\`${key}\` of \`${node}\` must hold positive finite prices, got ${JSON.stringify(x)} at index ${i}`);
    }
    out[i] = x;
  });
  return out.sort();
}

/** A timestamp param: an ISO 8601 string (as the compiler emits) or milliseconds since the epoch. */
export function timestampParam(node: string, params: IndicatorParams, key: string): number {
  spec(node, key);
  const v = params[key];
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new KernelError('range', `\`${key}\` of \`${node}\` must be an ISO 8601 timestamp or epoch milliseconds, got ${JSON.stringify(v)}`);
  }
  return ms;
}
