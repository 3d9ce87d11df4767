import { tool as langchainTool, type DynamicStructuredTool } from '@langchain/core/tools';
import { z } from 'zod';
import { SessionContext } from '../context.js';
import { onnxSentimentScorer, registryNewsSource } from '../sentiment/index.js';
import { annotateDrawing } from './annotate-drawing.js';
import { compileStrategy } from './compile-strategy.js';
import { composeSignalNode } from './compose-signal-node.js';
import { computeIndicator } from './compute-indicator.js';
import { detectSrLevels } from './detect-sr-levels.js';
import { emitStrategy } from './emit-strategy.js';
import { fetchNewsSentiment } from './fetch-news-sentiment.js';
import { zodIssues } from './format.js';
import { registryFor } from './market-data.js';
import { queryChart } from './query-chart.js';
import { runBacktestTool } from './run-backtest.js';
import { ToolError, type AgentTool, type NewsSource, type SentimentScorer, type ToolContext, type ToolOutcome } from './types.js';

/**
 * The tool registry: every tool the authoring model may call, all read-only over local data.
 * None of them can place an order: the agent package does not depend on the order kernel, the
 * venues or the order contract (a test holds this).
 */
export const TOOLS: readonly AgentTool[] = Object.freeze([
  queryChart,
  computeIndicator,
  detectSrLevels,
  fetchNewsSentiment,
  annotateDrawing,
  composeSignalNode,
  compileStrategy,
  runBacktestTool,
  emitStrategy,
] as unknown as AgentTool[]);

export const TOOL_NAMES: readonly string[] = Object.freeze(TOOLS.map((t) => t.name));

/** The tool that finalises a strategy; the loop commits what it accepts. */
export const EMIT_TOOL = emitStrategy.name;

export function getTool(name: string): AgentTool | undefined {
  return TOOLS.find((t) => t.name === name);
}

/**
 * Validates raw arguments against the tool's schema and runs it. Never throws for anything the
 * model can get wrong: an unknown tool, bad arguments and requests the tool cannot serve come back
 * as `{ ok: false, error }` with a message that says what to change. Unexpected exceptions become
 * `internal` errors (with the message; the stack is not sent to the model).
 */
export async function invokeTool(name: string, rawArgs: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  const t = getTool(name);
  if (!t) {
    return { ok: false, tool: name, error: { code: 'unknown_tool', tool: name, message: `there is no tool "${name}"; the tools are: ${TOOL_NAMES.join(', ')}` } };
  }
  const parsed = t.schema.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, rawArgs);
    return { ok: false, tool: name, error: { code: 'invalid_arguments', tool: name, message: `invalid arguments for ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues } };
  }
  try {
    return { ok: true, tool: name, result: await t.run(parsed.data, ctx) };
  } catch (e) {
    if (e instanceof ToolError) {
      const issues = (e.details as { issues?: unknown } | undefined)?.issues;
      return {
        ok: false,
        tool: name,
        error: {
          code: e.code,
          tool: name,
          message: e.message,
          ...(Array.isArray(issues) ? { issues } : {}),
          ...(e.details !== undefined && !Array.isArray(issues) ? { details: e.details } : {}),
        },
      };
    }
    return { ok: false, tool: name, error: { code: 'internal', tool: name, message: `internal error in ${name}: ${(e as Error).message ?? String(e)}` } };
  }
}

/** A tool's description for MCP and other JSON Schema consumers. */
export interface ToolJsonSchema {
  readonly name: string;
  readonly description: string;
  /** JSON Schema (draft 2020-12) of the arguments, as a caller writes them (defaults optional). */
  readonly inputSchema: Record<string, unknown>;
}

/** Every tool's argument schema as JSON Schema (`z.toJSONSchema`, input side). */
export function toolSchemasAsJsonSchema(): ToolJsonSchema[] {
  return TOOLS.map((t) => ({ name: t.name, description: t.description, inputSchema: z.toJSONSchema(t.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> }));
}

/**
 * The tools as langchain structured tools bound to a context (for `model.bindTools(...)` and
 * langchain agents). Each returns the JSON of `invokeTool`'s outcome.
 */
export function langchainTools(ctx: ToolContext): DynamicStructuredTool[] {
  return TOOLS.map(
    (t) =>
      langchainTool(async (args: unknown) => JSON.stringify(await invokeTool(t.name, args, ctx)), {
        name: t.name,
        description: t.description,
        schema: t.schema,
      }) as unknown as DynamicStructuredTool,
  );
}

/**
 * A tool context over a data directory (the default feed registry), with a fresh or given session.
 * News sentiment defaults to the local news feed (`news.local`: `<dataDir>/news/SYMBOL.jsonl`) scored
 * by the bundled ONNX model (loaded on first use); pass `null` to switch either off.
 */
export function createToolContext(opts: {
  readonly dataDir: string;
  readonly session?: SessionContext;
  readonly sentiment?: SentimentScorer | null;
  readonly news?: NewsSource | null;
  readonly initialCash?: number;
}): ToolContext {
  const registry = registryFor(opts.dataDir);
  const sentiment = opts.sentiment === undefined ? onnxSentimentScorer() : opts.sentiment;
  const news = opts.news === undefined ? (registry.has('news.local') ? registryNewsSource(registry) : null) : opts.news;
  return {
    registry,
    session: opts.session ?? new SessionContext(),
    ...(sentiment ? { sentiment } : {}),
    ...(news ? { news } : {}),
    ...(opts.initialCash !== undefined ? { initialCash: opts.initialCash } : {}),
  };
}

export { annotateDrawing, compileStrategy, composeSignalNode, computeIndicator, detectSrLevels, emitStrategy, fetchNewsSentiment, queryChart, runBacktestTool };
export type { AgentTool, ArgumentIssue, Executable, ExecutableNode, NewsHeadline, NewsSource, NodeParamValue, SentimentScorer, ToolContext, ToolErrorCode, ToolErrorPayload, ToolOutcome } from './types.js';
export { ToolError } from './types.js';
