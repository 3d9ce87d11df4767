import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Readable, Writable } from 'node:stream';
import type { SessionStore } from '../context.js';
import type { TraceEntry, VersionSink } from '../loop.js';
import type { EmitStrategyResult } from '../tools/emit-strategy.js';
import { EMIT_TOOL, invokeTool, TOOLS } from '../tools/index.js';
import { backtestPlan, compileArtifact } from '../tools/strategy.js';
import { ToolError, type ToolContext, type ToolOutcome } from '../tools/types.js';

/**
 * The MCP surface: the authoring tools served over the Model Context Protocol, so any MCP client
 * (Claude Desktop, an IDE, another agent) drives the same deterministic tools as `strata chat`:
 * the same names, descriptions and input schemas (each tool's zod schema, registered with the
 * SDK's `McpServer.registerTool`, which publishes it as JSON Schema in tools/list).
 *
 * Calls go through `invokeTool`, exactly as the chat loop's do, so a client gets the same outcome
 * a chat model gets: the result as JSON text, or `isError: true` with a message that says what to
 * change (bad arguments name each field, what was expected and what was given) followed by the
 * structured error (code, issues, compiler diagnostics). `emit_strategy` does what it does in the
 * chat: the accepted artifact is backtested on the local data and committed to the strategies
 * repository with the tool-call trace of the connection.
 *
 * stdout carries only the protocol; every log line goes to stderr.
 */

export const MCP_SERVER_NAME = 'strata';

export const MCP_INSTRUCTIONS = [
  'Strata authors trading strategies as versioned YAML artifacts (strata: strategy/v1) that an LLM-free kernel runs.',
  'Look at the data (query_chart, compute_indicator, detect_sr_levels, fetch_news_sentiment, annotate_drawing), build signals (compose_signal_node),',
  'check drafts with compile_strategy (diagnostics come back with line:column and hints: fix every one) and run_backtest,',
  'then emit_strategy: it compiles, backtests and commits the artifact as a new version in the strategies repository.',
  'The tools only read local data; none can place an order.',
].join(' ');

export interface McpServerOptions {
  /** The tools' context (feed registry over the data directory, the session). */
  readonly tools: ToolContext;
  /** Where accepted versions are committed (the strategies repository). */
  readonly sink: VersionSink;
  /** Persists the session after every call (the active chart, drawings and signals the tools record). */
  readonly store?: SessionStore;
  readonly version: string;
  /** Log lines (never stdout). Default: stderr. */
  readonly log?: (line: string) => void;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? (Number.isNaN(x) ? null : String(x)) : x), 2);

/** The text of a failed call: the message first (what to change), then the structured error. */
export function errorText(outcome: Extract<ToolOutcome, { ok: false }>): string {
  return `${outcome.error.message}\n\n${json({ ok: false, error: outcome.error })}`;
}

/** Builds the MCP server with every authoring tool. Not yet connected to a transport. */
export function createStrataMcpServer(opts: McpServerOptions): McpServer {
  const log = opts.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const server = new McpServer({ name: MCP_SERVER_NAME, version: opts.version }, { instructions: MCP_INSTRUCTIONS });
  for (const tool of TOOLS) {
    // The SDK publishes the zod schema as the tool's JSON Schema; calls are served below.
    server.registerTool(tool.name, { description: tool.description, inputSchema: tool.schema }, () => {
      throw new Error(`${tool.name} is served by the strata call handler`);
    });
  }

  const trace: TraceEntry[] = [];
  let calls = 0;
  const client = () => {
    const info = server.server.getClientVersion();
    return info ? `${info.name}${info.version ? `@${info.version}` : ''}` : 'unknown-client';
  };

  const emit = async (id: string, args: unknown, accepted: EmitStrategyResult): Promise<ToolOutcome> => {
    const compiled = compileArtifact(accepted.artifact).result;
    let backtest;
    try {
      backtest = await backtestPlan(opts.tools, compiled.plan!);
    } catch (e) {
      const err = e instanceof ToolError ? e : new ToolError('backtest_failed', (e as Error).message);
      return {
        ok: false,
        tool: EMIT_TOOL,
        error: { code: 'backtest_failed', tool: EMIT_TOOL, message: `the artifact compiles (hash ${accepted.hash}) but cannot be backtested on the local data: ${err.message}. Fix it and emit again.`, details: { hash: accepted.hash } },
      };
    }
    trace.push({ kind: 'tool', turn: calls, id, name: EMIT_TOOL, args, ok: true, result: JSON.parse(json({ ...accepted, backtest })) });
    const version = await opts.sink.commitVersion({
      name: accepted.name,
      artifact: accepted.artifact,
      prompt: `(authored over MCP by ${client()})\n\n${accepted.message}`,
      model: `mcp:${client()}`,
      trace: structuredClone(trace),
      compile: { hash: accepted.hash },
      backtest,
      message: `${accepted.name}: ${accepted.message}`,
    });
    opts.tools.session.recordStrategy({ name: accepted.name, hash: accepted.hash, commit: version.commit });
    log(`mcp: committed ${accepted.name} ${version.short} (${accepted.hash})`);
    return { ok: true, tool: EMIT_TOOL, result: { ...accepted, backtest, version } };
  };

  server.server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    calls++;
    const id = `mcp_${calls}`;
    const started = Date.now();
    let outcome: ToolOutcome;
    try {
      outcome = await invokeTool(name, args ?? {}, opts.tools);
      if (outcome.ok && name === EMIT_TOOL) outcome = await emit(id, args, outcome.result as EmitStrategyResult);
      else trace.push(outcome.ok ? { kind: 'tool', turn: calls, id, name, args, ok: true, result: JSON.parse(json(outcome.result)) } : { kind: 'tool', turn: calls, id, name, args, ok: false, error: outcome.error });
    } catch (e) {
      outcome = { ok: false, tool: name, error: { code: 'internal', tool: name, message: `internal error in ${name}: ${(e as Error).message ?? String(e)}` } };
    }
    try {
      opts.store?.save(opts.tools.session);
    } catch (e) {
      log(`mcp: could not save the session: ${(e as Error).message}`);
    }
    log(`mcp: ${name} ${outcome.ok ? 'ok' : `failed (${outcome.error.code})`} in ${Date.now() - started} ms`);
    return outcome.ok ? { content: [{ type: 'text', text: json(outcome.result) }] } : { content: [{ type: 'text', text: errorText(outcome) }], isError: true };
  });
  return server;
}

export interface StdioServeOptions extends McpServerOptions {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
}

/** Serves the tools over stdio until the client closes stdin. Resolves when the server has shut down. */
export async function serveMcpOverStdio(opts: StdioServeOptions): Promise<void> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const server = createStrataMcpServer(opts);
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  const onEnd = () => void server.close();
  stdin.once('end', onEnd);
  stdin.once('close', onEnd);
  await closed;
  stdin.off('end', onEnd);
  stdin.off('close', onEnd);
}
