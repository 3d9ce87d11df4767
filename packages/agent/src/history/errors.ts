/** Everything the strategy history can refuse, as a closed union (the CLI maps each to an exit status). */
export const STRATEGY_REPO_ERROR_CODES = [
  /** No strategies repository at the path (and `create` was not asked for). */
  'repo_not_found',
  /** A git repository that is not a Strata strategies repository, or a non-empty directory that is no git repository. */
  'not_a_strategies_repo',
  /** The `.git` directory is broken: not a repository, unreadable refs, missing or damaged objects. */
  'corrupt',
  /** A strategy name that is not a slug (`^[a-z][a-z0-9-]{0,63}$`). */
  'invalid_name',
  /** A version that cannot be recorded: empty or non-compiling artifact, hash mismatch, bad trace or timestamp. */
  'invalid_version',
  /** No strategy by that name in the repository. */
  'unknown_strategy',
  /** A revision that names no commit, or no version of the strategy. */
  'unknown_rev',
  /** HEAD is detached, so there is no branch to record a version on. */
  'detached_head',
  /** Another process holds the repository's history lock. */
  'locked',
] as const;

export type StrategyRepoErrorCode = (typeof STRATEGY_REPO_ERROR_CODES)[number];

/** The strategy history's one error class: a closed `code`, a message that says what, where and how to fix it. */
export class StrategyRepoError extends Error {
  override readonly name = 'StrategyRepoError';
  constructor(
    readonly code: StrategyRepoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
