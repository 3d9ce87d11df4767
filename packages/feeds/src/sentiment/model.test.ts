import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFeedError } from '../errors.js';
import { loadNews } from '../news-file.js';
import { buildSentimentModel } from './internal/onnx-model.js';
import { fitSentimentModel } from './internal/train.js';
import { TRAINING_HEADLINES } from './internal/headlines.js';
import { DEFAULT_SENTIMENT_MODEL, SentimentModel, scoreNews, type SentimentModelDescriptor } from './model.js';
import { countFeatures, vocabularyIndex } from './tokenizer.js';

const MODELS = dirname(DEFAULT_SENTIMENT_MODEL);
const SPY_NEWS = join(MODELS, '../../../examples/data/news/SPY.jsonl');

let model: SentimentModel;
beforeAll(async () => {
  model = await SentimentModel.load();
});
afterAll(async () => {
  await model.release();
});

describe('the bundled sentiment-v1 model', () => {
  it('matches an independent computation of the logistic formula to 1e-6', async () => {
    // Independent: the fitted weights from the training code (not read back from the ONNX file),
    // rounded to float32 as stored, and sigmoid(counts · w + b) in float64 plain JS.
    const trained = fitSentimentModel();
    expect(model.descriptor.features, 'the descriptor carries the training vocabulary').toEqual(trained.features);
    const index = vocabularyIndex(trained.features);
    const w = Array.from(trained.weights, Math.fround);
    const b = Math.fround(trained.bias);
    const texts = [...loadNews(SPY_NEWS).map((i) => i.headline), ...TRAINING_HEADLINES.map(([h]) => h), 'Nothing the vocabulary knows', 'gain gain gain gain gain gain gain gain', "Stocks don't rally"];
    const got = await model.predict(texts);
    let hitsTotal = 0;
    texts.forEach((t, i) => {
      const x = new Float64Array(w.length);
      hitsTotal += countFeatures(t, index, x);
      let z = b;
      for (let k = 0; k < w.length; k++) z += x[k]! * w[k]!;
      const p = 1 / (1 + Math.exp(-z));
      expect(Math.abs(got[i]! - p), `${t}: onnxruntime ${got[i]} vs plain JS ${p}`).toBeLessThan(1e-6);
    });
    expect(hitsTotal, 'the texts exercise the vocabulary').toBeGreaterThan(200);
  });

  it('scores in [-1, 1] with the expected sign on clear headlines', async () => {
    const scores = await scoreNews(
      ['Stocks surge to record highs as earnings beat', 'Shares plunge as recession fears mount', 'Inflation is not falling, data show', 'Markets do not expect a recession'].map((headline) => ({ headline })),
      { model },
    );
    expect(scores.every((s) => s >= -1 && s <= 1), 'scores are in [-1, 1]').toBe(true);
    expect(scores[0], 'two positive words').toBeGreaterThan(0.5);
    expect(scores[1], 'three negative words').toBeLessThan(-0.5);
    expect(scores[2], 'negated positive word').toBeLessThan(0);
    expect(scores[3], 'negated negative word').toBeGreaterThan(0);
  });

  it('scores the headline only, as its descriptor says', async () => {
    const [a, b] = await scoreNews([{ headline: 'Stocks rally' }, { headline: 'Stocks rally', body: 'crash crash crash plunge' }], { model });
    expect(model.descriptor.text).toBe('headline');
    expect(b, 'the body is ignored').toBe(a);
  });

  it('returns an empty list for no items', async () => {
    expect(await scoreNews([], { model })).toEqual([]);
  });
});

describe('the model build', () => {
  it('is deterministic and reproduces the committed files byte for byte', () => {
    const a = buildSentimentModel();
    const b = buildSentimentModel();
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx)), 'two builds give the same ONNX bytes').toBe(true);
    expect(a.descriptor).toBe(b.descriptor);
    expect(Buffer.from(a.onnx).equals(readFileSync(join(MODELS, 'sentiment-v1.onnx'))), 'models/sentiment-v1.onnx is up to date: run node packages/feeds/scripts/build-sentiment-model.mjs').toBe(true);
    expect(a.descriptor, 'models/sentiment-v1.json is up to date').toBe(readFileSync(join(MODELS, 'sentiment-v1.json'), 'utf8'));
  });

  it('the script writes the same bytes into --out', () => {
    const out = mkdtempSync(join(tmpdir(), 'strata-sentiment-'));
    execFileSync(process.execPath, [join(MODELS, '../scripts/build-sentiment-model.mjs'), '--out', out], { stdio: 'pipe' });
    for (const f of ['sentiment-v1.onnx', 'sentiment-v1.json']) expect(readFileSync(join(out, f)).equals(readFileSync(join(MODELS, f))), f).toBe(true);
  });

  it('improves on the lexicon priors on its training headlines', () => {
    const t = fitSentimentModel().training;
    expect(t.accuracy, 'the fit does not make the training accuracy worse').toBeGreaterThanOrEqual(t.accuracyPrior);
    expect(t.examples).toBe(TRAINING_HEADLINES.length);
  });
});

describe('loading a model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-sentiment-bad-'));
  const descriptor = JSON.parse(readFileSync(DEFAULT_SENTIMENT_MODEL, 'utf8')) as SentimentModelDescriptor;
  const write = (name: string, d: unknown): string => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(d));
    return f;
  };
  const fails = async (file: string): Promise<Error & { code?: string }> => {
    try {
      await SentimentModel.load(file);
    } catch (e) {
      expect(isFeedError(e, 'model_error'), String(e)).toBe(true);
      return e as Error;
    }
    throw new Error(`${file} loaded`);
  };

  it('a missing descriptor says how to build the model', async () => {
    const e = await fails(join(dir, 'nope.json'));
    expect(e.message).toMatch(/not found; build it with `npm run build:sentiment-model -w @strata\/feeds`/);
  });

  it('a missing ONNX file names it and says how to build it', async () => {
    const e = await fails(write('missing-onnx.json', { ...descriptor, model: 'gone.onnx' }));
    expect(e.message).toMatch(/gone\.onnx not found .*build-sentiment-model\.mjs/);
  });

  it('an ONNX file that is not the one the descriptor was written for', async () => {
    copyFileSync(join(MODELS, 'sentiment-v1.onnx'), join(dir, 'sentiment-v1.onnx'));
    const e = await fails(write('other-sha.json', { ...descriptor, modelSha256: '0'.repeat(64) }));
    expect(e.message).toMatch(/has sha256 [0-9a-f]{64}, but .* was written for 0{64}/);
  });

  it.each([
    ['tokenizer', { tokenizer: 'wordpiece/v1' }, /tokenizer "wordpiece\/v1" is not supported/],
    ['input shape', { input: { name: 'counts', type: 'float32', shape: ['N', 5] } }, /shape: \["N", 676\]/],
    ['output kind', { output: { name: 'p_positive', kind: 'logits' } }, /output must be/],
    ['input name', { input: { name: 'ids', type: 'float32', shape: ['N', 676] } }, /has inputs \[counts\] .* names input ids/],
  ])('a descriptor with a wrong %s', async (label, patch, message) => {
    copyFileSync(join(MODELS, 'sentiment-v1.onnx'), join(dir, 'sentiment-v1.onnx'));
    const e = await fails(write(`bad-${label.replace(' ', '-')}.json`, { ...descriptor, ...patch }));
    expect(e.message).toMatch(message);
  });
});
