// Property tests run with a pinned seed so that CI is reproducible: the same commit gives the
// same verdict. To explore, set FC_SEED to a number, or to "random" for a fresh seed each run;
// fast-check prints the seed and path of any counterexample so it can be replayed.
import fc from 'fast-check';

const raw = process.env.FC_SEED;
const seed = raw === 'random' ? undefined : raw !== undefined && raw !== '' ? Number(raw) : 20_261_121;
if (seed !== undefined && !Number.isInteger(seed)) {
  throw new Error(`FC_SEED must be an integer or "random", got ${JSON.stringify(raw)}`);
}
fc.configureGlobal({ ...(seed === undefined ? {} : { seed }), numRuns: Number(process.env.FC_NUM_RUNS ?? 100) });
