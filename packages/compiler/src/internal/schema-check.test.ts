import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileValidator } from './schema-check.js';

const generated = fileURLToPath(new URL('../../dist/internal/strategy-validator.cjs', import.meta.url));
const dirs = ['../../test/corpus/', '../../../../examples/'].map((d) => fileURLToPath(new URL(d, import.meta.url)));
const samples = dirs.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      try {
        return { file: f, value: parse(readFileSync(d + f, 'utf8')) as unknown };
      } catch {
        return undefined;
      }
    })
    .filter((x): x is { file: string; value: unknown } => x !== undefined),
);

describe('the build-time (standalone) strategy validator', () => {
  it('exists after the build', () => {
    expect(existsSync(generated), `${generated} is missing: run \`npm run build\` (npm test builds first)`).toBe(true);
  });

  it.each(samples.map((s) => [s.file, s.value] as const))('gives the same verdict and errors as the run-time one: %s', (_file, value) => {
    const pre = createRequire(import.meta.url)(generated) as ValidateFunction;
    const run = compileValidator();
    const a = pre(value);
    const b = run(value);
    expect(a).toBe(b);
    const strip = (errs: ValidateFunction['errors']) => (errs ?? []).map((e) => ({ keyword: e.keyword, instancePath: e.instancePath, schemaPath: e.schemaPath, params: e.params, data: e.data }));
    expect(strip(pre.errors)).toEqual(strip(run.errors));
  });
});
