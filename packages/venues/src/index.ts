export { CcxtVenue, deriveCapabilities, type CcxtCredentials, type CcxtVenueOptions } from './ccxt/venue.js';
export { CCXT_ERROR_KINDS, ccxtErrorKind, foldCcxtError, redactor, type CcxtErrorName, type Redactor } from './ccxt/errors.js';
export { backoffDelay, DEFAULT_RETRY_POLICY, realSleep, retryRead, validateRetryPolicy, type RetryDeps, type RetryPolicy } from './retry.js';
export { BinanceEmulator, type BinanceEmulatorOptions, type EmulatorRequest, type RequestMatch } from './emulator/server.js';
export { BinanceApiError, type EmuOrder, type EmuTrade, type Liquidity } from './emulator/engine.js';
export { DEFAULT_MARKETS, EMULATOR_ORDER_TYPES, type EmulatorMarket } from './emulator/markets.js';
export { SimVenue, type SimBar, type SimVenueOptions, type SimVenueState } from './sim/venue.js';
