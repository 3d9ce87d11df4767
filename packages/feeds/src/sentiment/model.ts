/**
 * Local sentiment models: an ONNX model over `strata-bow/v1` word counts, run by onnxruntime-node
 * (CPU). Loaded lazily, so importing `@strata/feeds` never loads the native runtime; nothing in the
 * strategy kernel calls this — the CLI scores news once, before a run (see `sentimentSeries`).
 *
 * A model is a descriptor JSON (`strata.sentiment-model/v1`) next to its `.onnx` file: the
 * tokenizer, the vocabulary (feature order = input columns), the input and output names and what
 * the output means. docs/sentiment.md states the contract for dropping in another model.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InferenceSession } from 'onnxruntime-node';
import { FeedError } from '../errors.js';
import type { NewsItem } from '../schemas.js';
import { countFeatures, TOKENIZER_ID, vocabularyIndex } from './tokenizer.js';

export const MODEL_DESCRIPTOR_SCHEMA = 'strata.sentiment-model/v1' as const;

/** The bundled model's descriptor: `packages/feeds/models/sentiment-v1.json`. */
export const DEFAULT_SENTIMENT_MODEL: string = fileURLToPath(new URL('../../models/sentiment-v1.json', import.meta.url));

export const BUILD_HINT = 'build it with `npm run build:sentiment-model -w @strata/feeds` (runs packages/feeds/scripts/build-sentiment-model.mjs)';

export interface SentimentModelDescriptor {
  readonly schema: typeof MODEL_DESCRIPTOR_SCHEMA;
  readonly name: string;
  readonly description: string;
  /** The ONNX file, relative to the descriptor. */
  readonly model: string;
  /** sha256 (hex) of the ONNX file: a descriptor only runs the model it was written for. */
  readonly modelSha256: string;
  readonly tokenizer: typeof TOKENIZER_ID;
  /** What is scored: the headline, or the headline and body joined by `". "`. */
  readonly text: 'headline' | 'headline+body';
  /** float32 [N, V] word counts, V = features.length. */
  readonly input: { readonly name: string; readonly type: 'float32'; readonly shape: readonly ['N', number] };
  /**
   * [N, 1]: `probability` = P(positive) in [0, 1], mapped to the score 2p − 1; `score` = a
   * score already in [−1, 1] (e.g. P(pos) − P(neg) of a three-class model).
   */
  readonly output: { readonly name: string; readonly kind: 'probability' | 'score' };
  readonly training?: Readonly<Record<string, number>>;
  /** The vocabulary: feature k is input column k. */
  readonly features: readonly string[];
}

const BATCH = 256;

export class SentimentModel {
  readonly #session: InferenceSession;
  readonly #tensor: typeof import('onnxruntime-node').Tensor;
  readonly #index: ReadonlyMap<string, number>;

  private constructor(
    readonly file: string,
    readonly descriptor: SentimentModelDescriptor,
    session: InferenceSession,
    tensor: typeof import('onnxruntime-node').Tensor,
  ) {
    this.#session = session;
    this.#tensor = tensor;
    this.#index = vocabularyIndex(descriptor.features);
  }

  /** Loads a model from its descriptor JSON (default: the bundled `sentiment-v1`). */
  static async load(descriptorFile: string = DEFAULT_SENTIMENT_MODEL): Promise<SentimentModel> {
    const file = resolve(descriptorFile);
    if (!existsSync(file)) throw new FeedError('model_error', `sentiment model descriptor ${descriptorFile} not found; ${BUILD_HINT}`, { details: { file } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new FeedError('model_error', `sentiment model descriptor ${descriptorFile} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    const d = checkDescriptor(parsed, descriptorFile);
    const onnxFile = resolve(dirname(file), d.model);
    if (!existsSync(onnxFile)) throw new FeedError('model_error', `sentiment model file ${onnxFile} not found (named by ${descriptorFile}); ${BUILD_HINT}`, { details: { file: onnxFile } });
    const bytes = readFileSync(onnxFile);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== d.modelSha256) {
      throw new FeedError('model_error', `sentiment model file ${onnxFile} has sha256 ${sha}, but ${descriptorFile} was written for ${d.modelSha256}; rebuild both together (${BUILD_HINT})`);
    }
    const ort = await import('onnxruntime-node');
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (e) {
      throw new FeedError('model_error', `onnxruntime could not load ${onnxFile}: ${(e as Error).message}`, { cause: e });
    }
    if (!session.inputNames.includes(d.input.name) || !session.outputNames.includes(d.output.name)) {
      throw new FeedError('model_error', `${onnxFile} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}], but ${descriptorFile} names input ${d.input.name} and output ${d.output.name}`);
    }
    return new SentimentModel(file, d, session, ort.Tensor);
  }

  /** The text a news item is scored on, per the descriptor. */
  textOf(item: Pick<NewsItem, 'headline' | 'body'>): string {
    return this.descriptor.text === 'headline+body' && item.body !== undefined ? `${item.headline}. ${item.body}` : item.headline;
  }

  /** The model's raw output per text (P(positive) for a `probability` model). */
  async predict(texts: readonly string[]): Promise<Float32Array> {
    const V = this.descriptor.features.length;
    const out = new Float32Array(texts.length);
    for (let start = 0; start < texts.length; start += BATCH) {
      const n = Math.min(BATCH, texts.length - start);
      const counts = new Float32Array(n * V);
      for (let i = 0; i < n; i++) countFeatures(texts[start + i]!, this.#index, counts, i * V);
      let result: InferenceSession.OnnxValueMapType;
      try {
        result = await this.#session.run({ [this.descriptor.input.name]: new this.#tensor('float32', counts, [n, V]) });
      } catch (e) {
        throw new FeedError('model_error', `sentiment model ${this.descriptor.name} failed to run: ${(e as Error).message}`, { cause: e });
      }
      const y = result[this.descriptor.output.name];
      if (y === undefined || y.type !== 'float32' || y.size !== n) {
        throw new FeedError('model_error', `sentiment model ${this.descriptor.name}: output ${this.descriptor.output.name} must be float32 [N, 1], got ${y === undefined ? 'nothing' : `${y.type} [${y.dims.join(', ')}]`}`);
      }
      out.set(y.data as Float32Array, start);
    }
    return out;
  }

  /** Scores in [−1, 1] (negative … positive), one per text. */
  async scoreTexts(texts: readonly string[]): Promise<number[]> {
    const raw = await this.predict(texts);
    const prob = this.descriptor.output.kind === 'probability';
    return Array.from(raw, (y, i) => {
      const s = prob ? 2 * y - 1 : y;
      if (!(s >= -1 && s <= 1)) throw new FeedError('model_error', `sentiment model ${this.descriptor.name} gave ${y} for text ${i}, outside the ${prob ? '[0, 1] probability' : '[-1, 1] score'} range`);
      return s;
    });
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}

const cache = new Map<string, Promise<SentimentModel>>();

/** A shared, lazily loaded model per descriptor file (one onnxruntime session per process). */
export function sentimentModel(descriptorFile: string = DEFAULT_SENTIMENT_MODEL): Promise<SentimentModel> {
  const key = resolve(descriptorFile);
  let m = cache.get(key);
  if (m === undefined) {
    m = SentimentModel.load(key);
    cache.set(key, m);
    m.catch(() => cache.delete(key));
  }
  return m;
}

export interface ScoreNewsOptions {
  /** A loaded model, or the path of a model descriptor (default: the bundled `sentiment-v1`). */
  readonly model?: SentimentModel | string;
}

/**
 * Sentiment of each news item, in [−1, 1] (−1 negative, 0 neutral, +1 positive), in input order.
 * The bundled model scores the headline only. Runs the ONNX model; no LLM, no network.
 */
export async function scoreNews(items: readonly Pick<NewsItem, 'headline' | 'body'>[], options: ScoreNewsOptions = {}): Promise<number[]> {
  const model = options.model instanceof SentimentModel ? options.model : await sentimentModel(options.model);
  return model.scoreTexts(items.map((it) => model.textOf(it)));
}

function checkDescriptor(v: unknown, file: string): SentimentModelDescriptor {
  const bad = (what: string): never => {
    throw new FeedError('model_error', `sentiment model descriptor ${file}: ${what}`);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('must be a JSON object');
  const d = v as Record<string, unknown>;
  if (d.schema !== MODEL_DESCRIPTOR_SCHEMA) bad(`schema must be "${MODEL_DESCRIPTOR_SCHEMA}", got ${JSON.stringify(d.schema)}`);
  if (d.tokenizer !== TOKENIZER_ID) bad(`tokenizer ${JSON.stringify(d.tokenizer)} is not supported (only ${TOKENIZER_ID})`);
  for (const k of ['name', 'model', 'modelSha256'] as const) if (typeof d[k] !== 'string' || d[k] === '') bad(`${k} must be a non-empty string`);
  if (d.text !== 'headline' && d.text !== 'headline+body') bad('text must be "headline" or "headline+body"');
  const features = d.features;
  if (!Array.isArray(features) || features.length === 0 || !features.every((f) => typeof f === 'string' && f !== '')) return bad('features must be a non-empty list of strings');
  if (new Set(features).size !== features.length) bad('features has duplicates');
  const input = d.input as Record<string, unknown> | undefined;
  const shape = input?.shape;
  if (typeof input?.name !== 'string' || input.type !== 'float32' || !Array.isArray(shape) || shape.length !== 2 || shape[0] !== 'N' || shape[1] !== features.length) {
    bad(`input must be { name, type: "float32", shape: ["N", ${features.length}] } (one column per feature)`);
  }
  const output = d.output as Record<string, unknown> | undefined;
  if (typeof output?.name !== 'string' || (output.kind !== 'probability' && output.kind !== 'score')) bad('output must be { name, kind: "probability" | "score" }');
  return d as unknown as SentimentModelDescriptor;
}
