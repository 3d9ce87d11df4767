import { strategyV1Schema } from '@strata/schemas';

type Schema = Record<string, any>;

/**
 * Returns a copy of a schema-valid artifact with every schema default filled in. The schema is the
 * single source of defaults; a discriminated `oneOf` picks its branch by `kind`.
 */
export function applyDefaults(value: Record<string, unknown>): Record<string, unknown> {
  return fill(strategyV1Schema as Schema, structuredClone(value)) as Record<string, unknown>;
}

function deref(s: Schema): Schema {
  let cur = s;
  while (typeof cur.$ref === 'string') {
    const path = cur.$ref.replace(/^#\//, '').split('/');
    let t: any = strategyV1Schema;
    for (const seg of path) t = t?.[seg];
    cur = { ...t, ...Object.fromEntries(Object.entries(cur).filter(([k]) => k !== '$ref')) };
  }
  return cur;
}

function fill(schemaIn: Schema, v: unknown): unknown {
  const schema = deref(schemaIn);
  if (Array.isArray(v)) {
    return schema.items ? v.map((x) => fill(schema.items, x)) : v;
  }
  if (v === null || typeof v !== 'object') return v;
  const obj = v as Record<string, unknown>;
  if (schema.discriminator && Array.isArray(schema.oneOf)) {
    const tag = schema.discriminator.propertyName as string;
    const branch = (schema.oneOf as Schema[]).find((b) => b.properties?.[tag]?.const === obj[tag]);
    return branch ? fill(branch, obj) : obj;
  }
  if (Array.isArray(schema.anyOf)) {
    const branch = (schema.anyOf as Schema[]).map(deref).find((b) => b.type === 'object');
    return branch ? fill(branch, obj) : obj;
  }
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [k, ps] of Object.entries(props)) {
    const p = deref(ps);
    if (obj[k] === undefined && p.default !== undefined) obj[k] = structuredClone(p.default);
    if (obj[k] !== undefined) obj[k] = fill(p, obj[k]);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    for (const k of Object.keys(obj)) if (!Object.hasOwn(props, k)) obj[k] = fill(schema.additionalProperties, obj[k]);
  }
  return obj;
}
