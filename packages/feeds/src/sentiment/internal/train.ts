/**
 * Fits `sentiment-v1`: a logistic model over bag-of-words counts, P(positive | headline) =
 * sigmoid(counts · w + b).
 *
 * The features are the lexicon's words and their negated forms (`!word`), sorted. Each has a prior
 * weight from the lexicon. The fit is a MAP estimate with a Gaussian prior centred on those
 * weights: full-batch gradient descent, from the prior, on the mean log-loss over the labelled
 * headlines plus `l2 / 2 · ‖w − prior‖²` (the bias is not penalised). No random numbers are
 * involved, so the result is a pure function of the word list, the headlines and the settings.
 */
import { countFeatures, vocabularyIndex } from '../tokenizer.js';
import { TRAINING_HEADLINES } from './headlines.js';
import { NEGATED_FACTOR, NEGATIVE_PRIOR, NEGATIVE_WORDS, POSITIVE_PRIOR, POSITIVE_WORDS, UNCERTAIN_PRIOR, UNCERTAIN_WORDS } from './lexicon.js';

export const TRAINING_SETTINGS = { steps: 400, learningRate: 0.5, l2: 0.05 } as const;

export interface TrainedSentimentModel {
  /** Feature names in column order: words, then `!word`s, each sorted. */
  readonly features: readonly string[];
  /** Fitted weights (float64; the ONNX file stores them rounded to float32). */
  readonly weights: Float64Array;
  readonly bias: number;
  readonly prior: Float64Array;
  readonly training: {
    readonly examples: number;
    readonly positives: number;
    readonly steps: number;
    readonly learningRate: number;
    readonly l2: number;
    /** Share of training headlines classified correctly (p ≥ 0.5 ⇔ label 1) before and after the fit. */
    readonly accuracyPrior: number;
    readonly accuracy: number;
    readonly meanLogLoss: number;
  };
}

/** The lexicon as (word → prior weight); throws if a word is listed twice. */
export function lexiconPriors(): Map<string, number> {
  const priors = new Map<string, number>();
  const add = (words: readonly string[], w: number): void => {
    for (const word of words) {
      if (priors.has(word)) throw new Error(`lexicon lists "${word}" twice`);
      if (!/^[a-z0-9][a-z0-9'-]*$/.test(word)) throw new Error(`lexicon word "${word}" is not a token the tokenizer can produce`);
      priors.set(word, w);
    }
  };
  add(POSITIVE_WORDS, POSITIVE_PRIOR);
  add(NEGATIVE_WORDS, NEGATIVE_PRIOR);
  add(UNCERTAIN_WORDS, UNCERTAIN_PRIOR);
  return priors;
}

export function fitSentimentModel(): TrainedSentimentModel {
  const priors = lexiconPriors();
  const words = [...priors.keys()].sort();
  const features = [...words, ...words.map((w) => `!${w}`)];
  const V = features.length;
  const prior = new Float64Array(V);
  words.forEach((w, i) => {
    prior[i] = priors.get(w)!;
    prior[words.length + i] = NEGATED_FACTOR * priors.get(w)!;
  });
  const index = vocabularyIndex(features);
  const n = TRAINING_HEADLINES.length;
  const X = TRAINING_HEADLINES.map(([h]) => {
    const row = new Float64Array(V);
    countFeatures(h, index, row);
    return row;
  });
  const y = TRAINING_HEADLINES.map(([, label]) => label);

  const w = Float64Array.from(prior);
  let b = 0;
  const { steps, learningRate, l2 } = TRAINING_SETTINGS;
  const grad = new Float64Array(V);
  const accuracy = (): number => X.filter((x, i) => (sigmoid(dot(x, w) + b) >= 0.5 ? 1 : 0) === y[i]).length / n;
  const accuracyPrior = accuracy();
  for (let step = 0; step < steps; step++) {
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const x = X[i]!;
      const r = sigmoid(dot(x, w) + b) - y[i]!;
      for (let k = 0; k < V; k++) if (x[k] !== 0) grad[k]! += (r * x[k]!) / n;
      gb += r / n;
    }
    for (let k = 0; k < V; k++) w[k]! -= learningRate * (grad[k]! + l2 * (w[k]! - prior[k]!));
    b -= learningRate * gb;
  }
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const p = sigmoid(dot(X[i]!, w) + b);
    loss -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return {
    features,
    weights: w,
    bias: b,
    prior,
    training: { examples: n, positives: y.filter((v) => v === 1).length, steps, learningRate, l2, accuracyPrior, accuracy: accuracy(), meanLogLoss: loss / n },
  };
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function dot(x: Float64Array, w: Float64Array): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) if (x[k] !== 0) s += x[k]! * w[k]!;
  return s;
}
