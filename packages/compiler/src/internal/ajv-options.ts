import type { Options } from 'ajv';

/**
 * Options of the strategy/v1 validator. The build compiles it ahead of time with exactly these
 * (scripts/build-validator.mjs → dist/internal/strategy-validator.cjs); tests from source compile
 * it at run time with the same options, and a test checks both give the same errors.
 */
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  discriminator: true,
  useDefaults: false,
  allowUnionTypes: true,
} as const satisfies Options;
