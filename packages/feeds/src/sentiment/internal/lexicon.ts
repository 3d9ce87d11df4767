/**
 * The finance word list behind `sentiment-v1`: hand-written for this project. Its categories are
 * inspired by the Loughran–McDonald sentiment word lists (positive, negative, uncertainty), but
 * it is NOT that dictionary and shares no data with it: every word here was chosen by hand for
 * market headlines, inflections written out (no stemmer).
 *
 * Each word becomes two features of the model: the word and its negated form (`!word`, see the
 * tokenizer). The prior weights below are the starting point and the centre of the L2 penalty
 * when the build fits the logistic model on the labelled headlines (internal/headlines.ts); a word
 * that no headline uses keeps its prior weight.
 */

/** Prior log-odds weight of a positive word. */
export const POSITIVE_PRIOR = 1;
/** Prior weight of a negative word. */
export const NEGATIVE_PRIOR = -1;
/** Prior weight of an uncertainty word (mildly negative for prices). */
export const UNCERTAIN_PRIOR = -0.5;
/** A negated word's prior is this multiple of the word's prior (`not strong` is weakly negative). */
export const NEGATED_FACTOR = -0.5;

export const POSITIVE_WORDS: readonly string[] = [
  // price action
  'gain', 'gains', 'gained', 'gaining',
  'rally', 'rallies', 'rallied', 'rallying',
  'rise', 'rises', 'rose', 'rising',
  'climb', 'climbs', 'climbed', 'climbing',
  'jump', 'jumps', 'jumped',
  'surge', 'surges', 'surged', 'surging',
  'soar', 'soars', 'soared', 'soaring',
  'rebound', 'rebounds', 'rebounded',
  'recover', 'recovers', 'recovered', 'recovery',
  'advance', 'advances', 'advanced',
  'highs', 'record', 'records',
  'upside', 'uptrend', 'breakout',
  // results and guidance
  'beat', 'beats', 'beating', 'exceed', 'exceeds', 'exceeded', 'tops', 'topped',
  'strong', 'stronger', 'strongest', 'strength', 'robust', 'solid', 'resilient', 'resilience',
  'profit', 'profits', 'profitable', 'profitability',
  'growth', 'grow', 'grows', 'grew', 'growing', 'expand', 'expands', 'expanded', 'expansion',
  'improve', 'improves', 'improved', 'improving', 'improvement',
  'boost', 'boosts', 'boosted', 'raise', 'raises', 'raised',
  'upgrade', 'upgrades', 'upgraded', 'outperform', 'outperforms', 'outperformed',
  'accelerate', 'accelerates', 'accelerated', 'momentum',
  'success', 'successful', 'win', 'wins', 'won', 'achieve', 'achieved',
  'dividend', 'buyback', 'buybacks',
  // tone
  'optimism', 'optimistic', 'bullish', 'confidence', 'confident', 'upbeat', 'positive',
  'favorable', 'encouraging', 'healthy', 'steady', 'stable', 'stabilize', 'stabilizes', 'stabilized',
  'easing', 'eases', 'eased', 'cools', 'cooled', 'cooling', 'relief', 'calm', 'calmer',
  'inflows', 'demand', 'hiring', 'hires', 'jobs', 'boom', 'booming',
  'opportunity', 'opportunities', 'breakthrough', 'deal', 'agreement', 'approval', 'approved',
];

export const NEGATIVE_WORDS: readonly string[] = [
  // price action
  'fall', 'falls', 'fell', 'falling',
  'drop', 'drops', 'dropped', 'dropping',
  'decline', 'declines', 'declined', 'declining',
  'slide', 'slides', 'slid', 'sliding',
  'slump', 'slumps', 'slumped',
  'plunge', 'plunges', 'plunged', 'plunging',
  'tumble', 'tumbles', 'tumbled',
  'sink', 'sinks', 'sank', 'sinking',
  'slip', 'slips', 'slipped',
  'crash', 'crashes', 'crashed',
  'selloff', 'sell-off', 'rout', 'losses', 'loss', 'lose', 'loses', 'lost', 'losing',
  'lows', 'downside', 'downtrend', 'correction', 'bear', 'bearish',
  // results and guidance
  'miss', 'misses', 'missed', 'shortfall', 'weak', 'weaker', 'weakest', 'weakness', 'weakening',
  'cut', 'cuts', 'lowered', 'lowers', 'slash', 'slashes', 'slashed',
  'downgrade', 'downgrades', 'downgraded', 'underperform', 'underperforms', 'underperformed',
  'disappoint', 'disappoints', 'disappointed', 'disappointing', 'disappointment',
  'slowdown', 'slowing', 'slows', 'slowed', 'stall', 'stalls', 'stalled', 'stagnation',
  'contraction', 'contracts', 'contracted', 'shrink', 'shrinks', 'shrank',
  'deficit', 'debt', 'default', 'defaults', 'bankruptcy', 'bankrupt', 'insolvency',
  'layoffs', 'layoff', 'unemployment', 'jobless',
  'recession', 'recessionary', 'downturn', 'crisis', 'turmoil', 'contagion',
  'inflation', 'inflationary', 'hike', 'hikes', 'hawkish',
  // tone and events
  'fear', 'fears', 'feared', 'worry', 'worries', 'worried', 'concern', 'concerns', 'concerned',
  'anxiety', 'panic', 'pessimism', 'pessimistic', 'gloomy', 'gloom', 'negative',
  'warn', 'warns', 'warned', 'warning', 'threat', 'threatens', 'threatened',
  'pressure', 'pressures', 'headwinds', 'headwind', 'outflows', 'stress', 'strain',
  'war', 'conflict', 'sanctions', 'tariff', 'tariffs', 'shutdown', 'strike',
  'probe', 'investigation', 'lawsuit', 'fraud', 'penalty', 'fined', 'scandal',
  'fail', 'fails', 'failed', 'failure', 'collapse', 'collapses', 'collapsed',
  'halt', 'halts', 'halted', 'suspend', 'suspends', 'suspended', 'delay', 'delays', 'delayed',
];

export const UNCERTAIN_WORDS: readonly string[] = [
  'uncertainty', 'uncertain', 'volatile', 'volatility', 'unclear', 'doubt', 'doubts',
  'risk', 'risks', 'risky', 'caution', 'cautious', 'mixed', 'choppy', 'jittery', 'jitters',
  'unexpected', 'unexpectedly', 'unpredictable', 'speculation', 'may', 'might', 'could',
];
