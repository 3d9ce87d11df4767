// Custom node used by the corpus fixture unknown-custom-function.yaml: the difference of two series.
export default {
  name: 'spread',
  step(inputs) {
    return inputs.a - inputs.b;
  },
};
