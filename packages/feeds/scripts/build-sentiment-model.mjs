#!/usr/bin/env node
/**
 * Builds the bundled sentiment model from the hand-written word list and labelled headlines:
 *   models/sentiment-v1.onnx   the ONNX graph (MatMul + Add + Sigmoid over word counts)
 *   models/sentiment-v1.json   its descriptor (tokenizer, vocabulary, input/output, training stats)
 *
 * Deterministic: no random numbers, no timestamps; the same sources give the same bytes.
 * Needs the built package (`npx tsc -b` in packages/feeds). Usage:
 *   node packages/feeds/scripts/build-sentiment-model.mjs [--out DIR] [--check]
 * --check compares with the committed files instead of writing (exit 1 when they differ).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const built = join(here, '../dist/sentiment/internal/onnx-model.js');
if (!existsSync(built)) {
  console.error(`build-sentiment-model: ${built} is missing; build the package first (cd packages/feeds && npx tsc -b)`);
  process.exit(2);
}
const { buildSentimentModel, MODEL_NAME } = await import(built);

const args = process.argv.slice(2);
const check = args.includes('--check');
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args[outAt + 1] : join(here, '../models');
if (outAt >= 0 && !outDir) {
  console.error('build-sentiment-model: --out needs a directory');
  process.exit(2);
}

const { onnx, descriptor, trained } = buildSentimentModel();
const files = [
  [`${MODEL_NAME}.onnx`, Buffer.from(onnx)],
  [`${MODEL_NAME}.json`, Buffer.from(descriptor, 'utf8')],
];
if (check) {
  const stale = files.filter(([name, bytes]) => !existsSync(join(outDir, name)) || !readFileSync(join(outDir, name)).equals(bytes)).map(([name]) => name);
  if (stale.length > 0) {
    console.error(`build-sentiment-model: out of date in ${outDir}: ${stale.join(', ')}; run node packages/feeds/scripts/build-sentiment-model.mjs`);
    process.exit(1);
  }
  console.log(`build-sentiment-model: ${files.map(([n]) => n).join(', ')} are up to date`);
} else {
  mkdirSync(outDir, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(outDir, name), bytes);
  const t = trained.training;
  console.log(
    `build-sentiment-model: wrote ${files.map(([n, b]) => `${n} (${b.length} bytes)`).join(', ')} to ${outDir}\n` +
      `  ${trained.features.length} features, ${t.examples} headlines (${t.positives} positive), ${t.steps} steps, lr ${t.learningRate}, l2 ${t.l2}\n` +
      `  training accuracy ${(100 * t.accuracyPrior).toFixed(1)}% with the lexicon priors → ${(100 * t.accuracy).toFixed(1)}% fitted; mean log-loss ${t.meanLogLoss.toFixed(4)}`,
  );
}
