import type { TSchema } from '@sinclair/typebox';

/**
 * A fast accept-only check compiled from the same TypeBox schemas as the ajv validators, for the
 * order kernel's hot path. `fast(value)` is true exactly when ajv (options `strict: true`, so
 * `strictNumbers`; unicode patterns and lengths) accepts the value — a property test in
 * codec.test.ts holds the two to the same verdict. It gives no error messages: on `false`,
 * validateMessage runs ajv to say what and where.
 *
 * Only the keywords the order contract uses are supported (type, const, anyOf, properties,
 * required, additionalProperties: false, minProperties, pattern, minLength, maxLength, minimum,
 * exclusiveMinimum, maximum); any other keyword throws when the module loads, so a schema change
 * cannot silently weaken the check.
 */
export type FastCheck = (value: unknown) => boolean;

const ANNOTATIONS = new Set(['$id', 'title', 'description']);

/** Code points of a string (what JSON Schema's minLength / maxLength count), as ajv's ucs2length. */
export function ucs2length(str: string): number {
  const len = str.length;
  let length = 0;
  let pos = 0;
  while (pos < len) {
    length++;
    const value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len) {
      const extra = str.charCodeAt(pos);
      if ((extra & 0xfc00) === 0xdc00) pos++;
    }
  }
  return length;
}

export function compileFastCheck(schema: TSchema): FastCheck {
  const regexps: RegExp[] = [];
  let vars = 0;
  const lit = (x: unknown): string => JSON.stringify(x);

  /** An expression that is true when the value in variable `v` is valid against `s`. */
  function expr(s: Record<string, unknown>, v: string): string {
    const parts: string[] = [];
    for (const k of Object.keys(s)) {
      if (ANNOTATIONS.has(k)) continue;
      if (!['type', 'const', 'anyOf', 'properties', 'required', 'additionalProperties', 'minProperties', 'pattern', 'minLength', 'maxLength', 'minimum', 'exclusiveMinimum', 'maximum'].includes(k)) {
        throw new Error(`fast-validate: unsupported schema keyword \`${k}\``);
      }
    }
    switch (s.type) {
      case undefined:
        break;
      case 'object':
        parts.push(`(typeof ${v} === 'object' && ${v} !== null && !Array.isArray(${v}))`);
        break;
      case 'string':
        parts.push(`typeof ${v} === 'string'`);
        break;
      case 'number':
        parts.push(`(typeof ${v} === 'number' && isFinite(${v}))`);
        break;
      case 'integer':
        parts.push(`(typeof ${v} === 'number' && isFinite(${v}) && ${v} % 1 === 0)`);
        break;
      case 'boolean':
        parts.push(`typeof ${v} === 'boolean'`);
        break;
      default:
        throw new Error(`fast-validate: unsupported type ${lit(s.type)}`);
    }
    if ('const' in s) {
      if (typeof s.const !== 'string' && typeof s.const !== 'number' && typeof s.const !== 'boolean') throw new Error('fast-validate: only scalar const is supported');
      parts.push(`${v} === ${lit(s.const)}`);
    }
    if (s.anyOf !== undefined) parts.push(`(${(s.anyOf as Record<string, unknown>[]).map((b) => `(${expr(b, v)})`).join(' || ')})`);
    if (s.pattern !== undefined) {
      regexps.push(new RegExp(s.pattern as string, 'u'));
      parts.push(`re[${regexps.length - 1}].test(${v})`);
    }
    if (s.minLength !== undefined) parts.push(`(${v}.length >= ${2 * (s.minLength as number)} || ucs2length(${v}) >= ${s.minLength as number})`);
    if (s.maxLength !== undefined) parts.push(`(${v}.length <= ${s.maxLength as number} || ucs2length(${v}) <= ${s.maxLength as number})`);
    if (s.minimum !== undefined) parts.push(`${v} >= ${s.minimum as number}`);
    if (s.exclusiveMinimum !== undefined) parts.push(`${v} > ${s.exclusiveMinimum as number}`);
    if (s.maximum !== undefined) parts.push(`${v} <= ${s.maximum as number}`);
    if (s.minProperties !== undefined) parts.push(`Object.keys(${v}).length >= ${s.minProperties as number}`);
    if (s.properties !== undefined || s.required !== undefined || s.additionalProperties !== undefined) {
      if (s.type !== 'object') throw new Error('fast-validate: object keywords need type: object');
      // An object is checked by a function of its own: one local per property, no closures.
      const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
      const fn = `obj${vars++}`;
      const lines: string[] = [];
      for (const r of (s.required ?? []) as string[]) lines.push(`if (o[${lit(r)}] === undefined) return false;`);
      for (const [name, ps] of Object.entries(props)) {
        const pv = `p${vars++}`;
        lines.push(`const ${pv} = o[${lit(name)}];`, `if (${pv} !== undefined && !(${expr(ps, pv)})) return false;`);
      }
      if (s.additionalProperties === false) {
        lines.push(`for (const k in o) { switch (k) { ${Object.keys(props).map((n) => `case ${lit(n)}:`).join(' ')} continue; default: return false; } }`);
      } else if (s.additionalProperties !== undefined) {
        throw new Error('fast-validate: only additionalProperties: false is supported');
      }
      extras.push(`function ${fn}(o) {\n  ${lines.join('\n  ')}\n  return true;\n}`);
      parts.push(`${fn}(${v})`);
    }
    return parts.length === 0 ? 'true' : parts.join(' && ');
  }

  const extras: string[] = [];
  const body = expr(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>, 'value');
  const code = `${extras.join('\n')}\nreturn function fastCheck(value) { return ${body}; };`;
  return new Function('re', 'ucs2length', code)(regexps, ucs2length) as FastCheck;
}
