import canonicalizeModule from 'canonicalize';

/** RFC 8785 canonical JSON (the package is CommonJS; its typings call it a default export). */
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** The same value always gives the same bytes: keys sorted, numbers in their shortest form. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be represented as JSON');
  return text;
}
