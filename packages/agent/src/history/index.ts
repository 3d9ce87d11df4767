// The strategy history on its own (no LLM stack): what `@strata/agent` re-exports from src/history.
// A `./history` subpath export of the package would let the CLI load only this.
export { StrategyRepo, defaultStrategiesDir, isStrategyName, STRATEGY_NAME_PATTERN, STRATEGY_FILES, STRATEGIES_MARKER, STRATEGIES_ENV, VERSION_META_SCHEMA, type CommitVersionInput, type CommittedVersion, type HistoryEntry, type StrategyFile, type StrategyVersion, type VersionMeta } from './repo.js';
export { StrategyRepoError, STRATEGY_REPO_ERROR_CODES, type StrategyRepoErrorCode } from './errors.js';
export { semanticDiff, formatSemanticDiff, SemanticDiffError, DIFF_SECTIONS, type DiffChange, type DiffSection, type ChangeKind, type SemanticDiff } from './diff.js';
