import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { planV1Schema } from '@strata/schemas';
import { describe, expect, it } from 'vitest';
import { compileFile } from '@strata/compiler';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const examplesDir = join(root, 'examples');
const goldenDir = fileURLToPath(new URL('./golden', import.meta.url));
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).sort();
const validatePlan = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(planV1Schema);

describe('examples compile to their committed golden plans', () => {
  it('has the four required examples', () => {
    expect(examples).toEqual(expect.arrayContaining(['sma-cross.yaml', 'sector-rotation.yaml', 'rsi-reversion.yaml', 'btc-breakout.yaml']));
  });

  it.each(examples)('%s', (file) => {
    const result = compileFile(join(examplesDir, file), { displayPath: `examples/${file}` });
    expect(result.diagnostics, 'examples compile without errors or warnings').toEqual([]);
    expect(result.ok).toBe(true);
    expect(validatePlan(result.plan), JSON.stringify(validatePlan.errors)).toBe(true);
    const text = JSON.stringify(result.plan, null, 2) + '\n';
    const golden = join(goldenDir, basename(file, '.yaml') + '.plan.json');
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
      if (process.env.CI) throw new Error(`golden file ${golden} is missing; run UPDATE_GOLDEN=1 npx vitest run golden`);
      writeFileSync(golden, text);
    }
    expect(text, 'plan differs from the golden file; refresh on purpose with UPDATE_GOLDEN=1').toBe(readFileSync(golden, 'utf8'));
  });
});
