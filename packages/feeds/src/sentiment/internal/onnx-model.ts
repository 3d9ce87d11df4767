/**
 * Writes `sentiment-v1` as an ONNX model (protobuf via onnx-proto) plus its descriptor. Used only
 * by scripts/build-sentiment-model.mjs and the build's tests: nothing at run time imports this
 * module, so onnx-proto stays a development dependency.
 *
 * Graph (opset 13): counts [N, V] float32 → MatMul(W [V, 1]) → Add(b [1]) → Sigmoid → p_positive [N, 1].
 */
import { createHash } from 'node:crypto';
import onnxProto from 'onnx-proto';
import { TOKENIZER_ID } from '../tokenizer.js';
import { MODEL_DESCRIPTOR_SCHEMA, type SentimentModelDescriptor } from '../model.js';
import { fitSentimentModel, type TrainedSentimentModel } from './train.js';

const { onnx } = onnxProto;

export const MODEL_NAME = 'sentiment-v1';
export const INPUT_NAME = 'counts';
export const OUTPUT_NAME = 'p_positive';

export function encodeSentimentModel(trained: TrainedSentimentModel): Uint8Array {
  const V = trained.features.length;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const tensorType = (cols: number) => ({ tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: cols }] } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'strata',
    producerVersion: MODEL_NAME,
    domain: 'dev.strata',
    modelVersion: 1,
    docString: 'Strata sentiment-v1: logistic regression over strata-bow/v1 word counts of a hand-written finance word list. P(positive headline). Built by packages/feeds/scripts/build-sentiment-model.mjs.',
    opsetImport: [{ domain: '', version: 13 }],
    metadataProps: [
      { key: 'strata.tokenizer', value: TOKENIZER_ID },
      { key: 'strata.features', value: String(V) },
    ],
    graph: {
      name: MODEL_NAME,
      node: [
        { opType: 'MatMul', input: [INPUT_NAME, 'W'], output: ['logit_w'], name: 'matmul' },
        { opType: 'Add', input: ['logit_w', 'b'], output: ['logit'], name: 'add' },
        { opType: 'Sigmoid', input: ['logit'], output: [OUTPUT_NAME], name: 'sigmoid' },
      ],
      initializer: [
        { name: 'W', dims: [V, 1], dataType: FLOAT, floatData: Array.from(trained.weights, Math.fround) },
        { name: 'b', dims: [1], dataType: FLOAT, floatData: [Math.fround(trained.bias)] },
      ],
      input: [{ name: INPUT_NAME, type: tensorType(V) }],
      output: [{ name: OUTPUT_NAME, type: tensorType(1) }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export function describeSentimentModel(trained: TrainedSentimentModel, onnxBytes: Uint8Array): SentimentModelDescriptor {
  return {
    schema: MODEL_DESCRIPTOR_SCHEMA,
    name: MODEL_NAME,
    description: 'Logistic regression over bag-of-words counts of a hand-written finance word list (inspired by the Loughran-McDonald categories, not that dictionary), fit on a small set of headlines written for the project. Not FinBERT. See docs/sentiment.md.',
    model: `${MODEL_NAME}.onnx`,
    modelSha256: createHash('sha256').update(onnxBytes).digest('hex'),
    tokenizer: TOKENIZER_ID,
    text: 'headline',
    input: { name: INPUT_NAME, type: 'float32', shape: ['N', trained.features.length] },
    output: { name: OUTPUT_NAME, kind: 'probability' },
    training: trained.training,
    features: trained.features,
  };
}

/** The two files of the model, byte for byte: `sentiment-v1.onnx` and `sentiment-v1.json`. */
export function buildSentimentModel(): { readonly onnx: Uint8Array; readonly descriptor: string; readonly trained: TrainedSentimentModel } {
  const trained = fitSentimentModel();
  const bytes = encodeSentimentModel(trained);
  return { onnx: bytes, descriptor: JSON.stringify(describeSentimentModel(trained, bytes), null, 2) + '\n', trained };
}
