/**
 * The kernel's streaming indicators, keyed by catalog name: every catalog entry of kind
 * 'indicator', 'rolling', 'event' or 'drawing'. ('math', 'logic' and 'cross_sectional' nodes are
 * evaluated by the DAG itself.) Entries that name a TA-Lib `reference` reproduce TA-Lib's results,
 * seeding included; see the contract suite in test/indicators.
 */
import { drawings } from './drawings.js';
import { events } from './events.js';
import { movingAverages } from './moving-averages.js';
import { oscillators } from './oscillators.js';
import { rolling } from './rolling.js';
import { trend } from './trend.js';
import type { IndicatorFactory } from './types.js';
import { volatility } from './volatility.js';
import { volume } from './volume.js';

export const INDICATORS: Readonly<Record<string, IndicatorFactory>> = Object.freeze({
  ...movingAverages,
  ...oscillators,
  ...volatility,
  ...trend,
  ...volume,
  ...rolling,
  ...events,
  ...drawings,
});

export { runIndicator } from './batch.js';
export type { IndicatorFactory, IndicatorParams, StreamingIndicator } from './types.js';
