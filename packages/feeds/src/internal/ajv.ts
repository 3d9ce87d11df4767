import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, whose
// `.default` is the plugin (the same function).
const addFormats = formatsModule.default;

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** Reads a schema shipped in packages/feeds/schemas (one level above both src/ and dist/). */
export function readSchemaFile(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** Compiled validator of a shipped schema file (compiled once per process). */
export function validatorFor(file: string): ValidateFunction {
  let v = compiled.get(file);
  if (v === undefined) {
    ajv ??= addFormats(new Ajv({ allErrors: true, strict: true }), ['uri', 'date-time']);
    v = ajv.compile(readSchemaFile(file));
    compiled.set(file, v);
  }
  return v;
}
