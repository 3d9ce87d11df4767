import canonicalizeModule from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON: sorted keys, shortest number forms, no whitespace.
 * The package is CommonJS with `module.exports = fn`, which its typings describe as a default export.
 */
export const canonicalJson = canonicalizeModule as unknown as (input: unknown) => string | undefined;
