import type { FeedRegistry, NewsItem } from '@strata/feeds';
import type { z } from 'zod';
import type { SessionContext } from '../context.js';

/**
 * The tool contract. A tool is deterministic: the same arguments over the same local data and
 * the same session give the same result. Tools read market data, the kernel's indicator code and
 * the compiler; none of them can place an order or reach the order kernel.
 */
export interface AgentTool<S extends z.ZodObject = z.ZodObject, R = unknown> {
  /** snake_case name the model calls. */
  readonly name: string;
  /** What the tool does and when to use it, written for the model. */
  readonly description: string;
  /** Strict argument schema; every field carries a `.describe()` so models get good JSON Schema. */
  readonly schema: S;
  /** Runs the tool on validated arguments. Throws `ToolError` for a request it cannot serve. */
  run(args: z.output<S>, ctx: ToolContext): Promise<R>;
}

/** Scores texts in [-1, 1] (negative … positive). The local ONNX model implements it (src/sentiment). */
export interface SentimentScorer {
  score(texts: readonly string[]): Promise<number[]>;
}

/** A news item as the tools see it: the fields of the feeds' news envelope that matter for scoring (`ts` in ms UTC). */
export type NewsHeadline = Pick<NewsItem, 'id' | 'ts' | 'source' | 'symbols' | 'headline' | 'body'>;

/** Local news, filtered by symbol and an inclusive time range (ms, UTC). */
export interface NewsSource {
  news(req: { readonly symbol: string; readonly from?: number; readonly to?: number }): Promise<readonly NewsHeadline[]>;
}

/** What every tool runs against: local data, the session, and optional local models. */
export interface ToolContext {
  /** The feed registry over the local data directory (`createDefaultRegistry({ dataDir })`). */
  readonly registry: FeedRegistry;
  /** The trader's working session; tools record what they learn (active symbol, drawings, signals). */
  readonly session: SessionContext;
  /** Local sentiment model for `fetch_news_sentiment`. */
  readonly sentiment?: SentimentScorer;
  /** Local news for `fetch_news_sentiment`. */
  readonly news?: NewsSource;
  /** Initial cash of `run_backtest` (default 100 000). */
  readonly initialCash?: number;
}

export const TOOL_ERROR_CODES = ['invalid_arguments', 'unknown_tool', 'unknown_symbol', 'unknown_feed', 'no_data', 'invalid_request', 'unavailable', 'compile_failed', 'backtest_failed', 'internal'] as const;
export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number];

/** One problem with a tool's arguments, located by path. */
export interface ArgumentIssue {
  /** Dotted path of the field (`params.period`, `drawings.0.points`); `(arguments)` for the whole object. */
  readonly path: string;
  /** What was expected, phrased so a model can act on it. */
  readonly message: string;
}

/** The error a tool returns to the model: a stable code, a message that says how to fix it, details. */
export interface ToolErrorPayload {
  readonly code: ToolErrorCode;
  readonly tool: string;
  readonly message: string;
  readonly issues?: readonly ArgumentIssue[];
  readonly details?: unknown;
}

/** A request a tool cannot serve; becomes `{ ok: false, error }` for the model, never a crash. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    readonly code: ToolErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What `invokeTool` returns: the result, or a structured error. Always JSON-serialisable. */
export type ToolOutcome<R = unknown> = { readonly ok: true; readonly tool: string; readonly result: R } | { readonly ok: false; readonly tool: string; readonly error: ToolErrorPayload };

/** A param value of a signal node: a number, a `$param` reference, a timestamp string or a list of levels. */
export type NodeParamValue = number | string | readonly number[];

/**
 * A signal node frozen from a tool's output, ready to go into an artifact's `signals:` block.
 * `yaml` is the explicit node form (`name:` plus the indented mapping); `expression` the same
 * call as an expression (`sr_proximity(close, [412.5, 430], tolerance=0.005)`). Both compile to
 * the same DAG node.
 */
export interface ExecutableNode {
  /** The signal name (an identifier). */
  readonly signal: string;
  /** Catalog node name. */
  readonly node: string;
  /** Series inputs as expressions, in catalog order. */
  readonly inputs: readonly string[];
  /** Params by name, in catalog order. */
  readonly params: Readonly<Record<string, NodeParamValue>>;
  /** Output selected, for a multi-output node used as one series. */
  readonly output?: string;
  /** Evaluation timeframe, when not the base one. */
  readonly timeframe?: string;
  /** Outputs rules can reference as `signal.output` (multi-output nodes without `output`). */
  readonly outputs: readonly string[];
  readonly yaml: string;
  readonly expression: string;
}

/** A tool result that can be frozen into the artifact. */
export interface Executable {
  toExecutableNode(): ExecutableNode;
}
