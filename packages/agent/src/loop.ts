import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessageChunk, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { SessionContext, SessionStore } from './context.js';
import { EMIT_TOOL, invokeTool, langchainTools, TOOL_NAMES } from './tools/index.js';
import type { EmitStrategyResult } from './tools/emit-strategy.js';
import { backtestPlan, compileArtifact, type BacktestSummary, type CompilePayload } from './tools/strategy.js';
import { ToolError, type ToolContext, type ToolErrorPayload, type ToolOutcome } from './tools/types.js';

/**
 * The authoring loop: the model composes a strategy with the tools, emits it, the compiler checks
 * it (diagnostics go back to the model as the tool result, for self-correction), a backtest summary
 * goes back on success, and the artifact is committed through the sink with the prompt, the model
 * id, the whole tool-call trace, the compile hash and the backtest summary. The model authors; it
 * never executes: the tools are read-only, and nothing here can reach an order kernel.
 *
 * Every way a model can go wrong is bounded and reported, with nothing committed: artifacts that
 * do not compile `maxEmitAttempts` times in a row, more than `maxToolCalls` calls, more than
 * `maxInvalidCalls` calls to unknown tools or with bad arguments (each answered to the model as an
 * error tool result), the same call with the same arguments `maxRepeats` times, a failing model.
 */

/** One step of the trace committed with each version. Plain JSON. */
export type TraceEntry =
  | {
      readonly kind: 'model';
      readonly turn: number;
      readonly text: string;
      readonly toolCalls: ReadonlyArray<{ readonly id: string; readonly name: string; readonly args: unknown }>;
    }
  | {
      readonly kind: 'tool';
      readonly turn: number;
      readonly id: string;
      readonly name: string;
      readonly args: unknown;
      readonly ok: boolean;
      readonly result?: unknown;
      readonly error?: ToolErrorPayload;
    };

/** Where accepted versions go. `StrategyRepo` (src/history) satisfies it. */
export interface VersionSink {
  commitVersion(v: {
    name: string;
    artifact: string;
    prompt: string;
    model: string;
    trace: readonly TraceEntry[];
    compile: { hash: string };
    backtest: unknown;
    message?: string;
  }): Promise<{ commit: string; short: string }>;
}

/** What the loop streams to a surface (the chat UI). */
export type AuthoringEvent =
  | { readonly type: 'token'; readonly turn: number; readonly text: string }
  | { readonly type: 'model_message'; readonly turn: number; readonly text: string; readonly toolCalls: ReadonlyArray<{ readonly id: string; readonly name: string; readonly args: unknown }> }
  | { readonly type: 'tool_call'; readonly turn: number; readonly id: string; readonly name: string; readonly args: unknown }
  | { readonly type: 'tool_result'; readonly turn: number; readonly id: string; readonly name: string; readonly ok: boolean; readonly result?: unknown; readonly error?: ToolErrorPayload }
  | { readonly type: 'compile_result'; readonly turn: number; readonly tool: string; readonly ok: boolean; readonly hash: string | null; readonly errors: number; readonly warnings: number; readonly diagnostics: CompilePayload['results'][0]['diagnostics'] }
  | { readonly type: 'backtest'; readonly turn: number; readonly summary: BacktestSummary }
  | { readonly type: 'commit'; readonly turn: number; readonly name: string; readonly hash: string; readonly commit: string; readonly short: string }
  | { readonly type: 'stopped'; readonly turn: number; readonly code: StopCode; readonly message: string }
  | { readonly type: 'done'; readonly status: AuthoringStatus };

export const STOP_CODES = ['max_emit_attempts', 'max_tool_calls', 'max_invalid_calls', 'loop_detected', 'max_turns', 'model_error', 'aborted'] as const;
export type StopCode = (typeof STOP_CODES)[number];

/** `committed`: at least one version committed and the model finished; `stopped`: a bound or an error ended the loop; `no_strategy`: the model finished without an accepted artifact. */
export type AuthoringStatus = 'committed' | 'stopped' | 'no_strategy';

export interface CommittedStrategy {
  readonly name: string;
  readonly hash: string;
  readonly commit: string;
  readonly short: string;
  readonly artifact: string;
  readonly backtest: BacktestSummary;
}

export interface AuthoringResult {
  readonly status: AuthoringStatus;
  readonly stop?: { readonly code: StopCode; readonly message: string };
  readonly commits: readonly CommittedStrategy[];
  /** The model's last text. */
  readonly finalText: string;
  readonly trace: readonly TraceEntry[];
  readonly turns: number;
  readonly toolCalls: number;
  readonly invalidCalls: number;
  /** Emits that did not produce a commit. */
  readonly failedEmits: number;
  readonly model: string;
}

export interface AuthoringLoopOptions {
  /** A chat model that supports tool calling (`bindTools`). */
  readonly model: BaseChatModel;
  /** The trader's request. */
  readonly prompt: string;
  /** The session: rendered into every model call, updated by the tools, the prompt and the answer. */
  readonly context: SessionContext;
  /** The tools' context (registry, local models). Its `session` should be `context`. */
  readonly tools: ToolContext;
  readonly sink: VersionSink;
  /** Persist the session after every step (default: not persisted). */
  readonly store?: SessionStore;
  /** The model id recorded with each version (default: from the model). */
  readonly modelId?: string;
  /** Failed emits in a row before giving up (default 3). */
  readonly maxEmitAttempts?: number;
  /** Tool calls in all (default 40). */
  readonly maxToolCalls?: number;
  /** Calls to unknown tools or with bad arguments (default 5). */
  readonly maxInvalidCalls?: number;
  /** The same call with the same arguments this many times is a loop (default 3). */
  readonly maxRepeats?: number;
  /** Model turns (default maxToolCalls + 5). */
  readonly maxTurns?: number;
  readonly onEvent?: (e: AuthoringEvent) => void;
  readonly signal?: AbortSignal;
}

export const AUTHORING_INSTRUCTIONS = [
  'You are Strata\'s strategy author. You write trading strategies as YAML artifacts (strata: strategy/v1) that an LLM-free kernel runs.',
  'You author; you never execute: the tools only read local market data, compute indicators, compile and backtest. No tool can place an order.',
  'Work like this: look at the chart (query_chart), measure what you need (compute_indicator, detect_sr_levels, fetch_news_sentiment, the trader\'s drawings via annotate_drawing),',
  'build signals (compose_signal_node), check drafts with compile_strategy and run_backtest, then submit the final artifact with emit_strategy.',
  'emit_strategy compiles it: if there are errors you get the diagnostics as JSON (code, line:column, hint) — fix every one and emit again.',
  'When it compiles it is backtested and committed as a new version; then summarise the strategy and its backtest for the trader in a few sentences.',
  'Artifact essentials: strata, name (lower-case slug), universe, timeframe, feeds.bars (equities.us.daily for US ETFs; crypto.binance.spot.1h / 1d),',
  'signals (expressions such as sma(close, 20), or explicit nodes), entry.long / exit.long conditions, sizing, risk, execution.',
].join('\n');

const DEFAULTS = { maxEmitAttempts: 3, maxToolCalls: 40, maxInvalidCalls: 5, maxRepeats: 3 } as const;

/** A model's id for the history: `ScriptedChatModel.modelId`, else `<llmType>:<model name>`. */
export function modelIdOf(model: BaseChatModel): string {
  const m = model as unknown as { modelId?: unknown; model?: unknown; modelName?: unknown };
  if (typeof m.modelId === 'string') return m.modelId;
  const name = typeof m.model === 'string' ? m.model : typeof m.modelName === 'string' ? m.modelName : '';
  return name ? `${model._llmType()}:${name}` : model._llmType();
}

/** Stable JSON (sorted keys) for loop detection. */
function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  return `{${Object.keys(v as object)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** The JSON the model sees: functions (`toExecutableNode`) dropped, non-finite numbers made JSON. */
function plain(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? (Number.isNaN(x) ? null : String(x)) : x)));
}

class Stop extends Error {
  constructor(
    readonly code: StopCode,
    message: string,
  ) {
    super(message);
  }
}

export async function runAuthoringLoop(opts: AuthoringLoopOptions): Promise<AuthoringResult> {
  const maxEmitAttempts = opts.maxEmitAttempts ?? DEFAULTS.maxEmitAttempts;
  const maxToolCalls = opts.maxToolCalls ?? DEFAULTS.maxToolCalls;
  const maxInvalidCalls = opts.maxInvalidCalls ?? DEFAULTS.maxInvalidCalls;
  const maxRepeats = opts.maxRepeats ?? DEFAULTS.maxRepeats;
  const maxTurns = opts.maxTurns ?? maxToolCalls + 5;
  const emit = (e: AuthoringEvent) => opts.onEvent?.(e);
  const session = opts.context;
  const ctx = opts.tools;
  if (typeof opts.model.bindTools !== 'function') throw new ToolError('unavailable', `the model ${opts.model._llmType()} does not support tool calling (bindTools)`);
  const model = opts.model.bindTools(langchainTools(ctx));
  const modelId = opts.modelId ?? modelIdOf(opts.model);

  const trace: TraceEntry[] = [];
  const commits: CommittedStrategy[] = [];
  const messages: BaseMessage[] = [new HumanMessage(opts.prompt)];
  const repeats = new Map<string, number>();
  let turn = 0;
  let toolCalls = 0;
  let invalidCalls = 0;
  let failedEmits = 0;
  let finalText = '';
  let stop: { code: StopCode; message: string } | undefined;

  session.addTurn({ role: 'user', content: opts.prompt });
  opts.store?.save(session);

  try {
    for (;;) {
      if (opts.signal?.aborted) throw new Stop('aborted', 'the session was aborted');
      if (turn >= maxTurns) throw new Stop('max_turns', `the model took ${turn} turns without finishing (limit ${maxTurns})`);
      turn++;
      const system = new SystemMessage(`${AUTHORING_INSTRUCTIONS}\n\n${session.render()}`);
      let ai: AIMessageChunk | undefined;
      try {
        const stream = await model.stream([system, ...messages], opts.signal ? { signal: opts.signal } : {});
        for await (const chunk of stream) {
          ai = ai ? ai.concat(chunk) : chunk;
          const text = chunk.text;
          if (text) emit({ type: 'token', turn, text });
        }
      } catch (e) {
        if (opts.signal?.aborted) throw new Stop('aborted', 'the session was aborted');
        throw new Stop('model_error', `the model failed: ${(e as Error).message ?? String(e)}`);
      }
      if (!ai) throw new Stop('model_error', 'the model returned nothing');
      const text = ai.text;
      finalText = text;
      const calls = (ai.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${turn}_${i}`, name: c.name, args: c.args as unknown, valid: true as const, error: '' }));
      const invalid = (ai.invalid_tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${turn}_invalid_${i}`, name: c.name ?? '(unnamed)', args: c.args as unknown, valid: false as const, error: c.error ?? 'unparseable arguments' }));
      // Tool messages must answer the ids the model message carries.
      if (ai.tool_calls) ai.tool_calls.forEach((c, i) => (c.id = calls[i]!.id));
      messages.push(ai);
      const allCalls = [...calls, ...invalid];
      trace.push({ kind: 'model', turn, text, toolCalls: allCalls.map((c) => ({ id: c.id, name: c.name, args: c.args })) });
      emit({ type: 'model_message', turn, text, toolCalls: allCalls.map((c) => ({ id: c.id, name: c.name, args: c.args })) });
      if (allCalls.length === 0) break;

      for (const call of allCalls) {
        toolCalls++;
        if (toolCalls > maxToolCalls) throw new Stop('max_tool_calls', `the model made more than ${maxToolCalls} tool calls without finishing`);
        const key = `${call.name}\u0000${stableJson(call.args)}`;
        const seen = (repeats.get(key) ?? 0) + 1;
        repeats.set(key, seen);
        if (seen >= maxRepeats) throw new Stop('loop_detected', `the model called ${call.name} with the same arguments ${seen} times; stopping the loop`);
        emit({ type: 'tool_call', turn, id: call.id, name: call.name, args: call.args });

        let outcome: ToolOutcome;
        if (!call.valid) {
          outcome = { ok: false, tool: call.name, error: { code: 'invalid_arguments', tool: call.name, message: `the arguments of ${call.name} are not valid JSON (${call.error}); send a JSON object matching the tool's schema` } };
        } else {
          outcome = await invokeTool(call.name, call.args, ctx);
        }
        if (!outcome.ok && (outcome.error.code === 'unknown_tool' || outcome.error.code === 'invalid_arguments')) invalidCalls++;

        let commitInfo: { commit: string; short: string } | undefined;
        let backtest: BacktestSummary | undefined;
        if (call.name === EMIT_TOOL) {
          if (outcome.ok) {
            const accepted = outcome.result as EmitStrategyResult;
            try {
              const compiled = compileArtifact(accepted.artifact).result;
              backtest = await backtestPlan(ctx, compiled.plan!);
              emit({ type: 'backtest', turn, summary: backtest });
              outcome = { ok: true, tool: call.name, result: { ...plain(accepted) as object, backtest } };
            } catch (e) {
              const err = e instanceof ToolError ? e : new ToolError('backtest_failed', (e as Error).message);
              outcome = {
                ok: false,
                tool: call.name,
                error: { code: err.code === 'internal' ? 'backtest_failed' : err.code, tool: call.name, message: `the artifact compiles (hash ${accepted.hash}) but cannot be backtested on the local data: ${err.message}. Fix it and emit again.`, details: { hash: accepted.hash } },
              };
            }
          }
          if (!outcome.ok) failedEmits++;
        }
        const entry: TraceEntry = outcome.ok
          ? { kind: 'tool', turn, id: call.id, name: call.name, args: call.args, ok: true, result: plain(outcome.result) }
          : { kind: 'tool', turn, id: call.id, name: call.name, args: call.args, ok: false, error: plain(outcome.error) as ToolErrorPayload };
        trace.push(entry);

        if (call.name === EMIT_TOOL && outcome.ok && backtest) {
          const accepted = outcome.result as EmitStrategyResult;
          commitInfo = await opts.sink.commitVersion({
            name: accepted.name,
            artifact: accepted.artifact,
            prompt: opts.prompt,
            model: modelId,
            trace: structuredClone(trace),
            compile: { hash: accepted.hash },
            backtest,
            message: `${accepted.name}: ${accepted.message}`,
          });
          commits.push({ name: accepted.name, hash: accepted.hash, commit: commitInfo.commit, short: commitInfo.short, artifact: accepted.artifact, backtest });
          session.recordStrategy({ name: accepted.name, hash: accepted.hash, commit: commitInfo.commit });
          failedEmits = 0;
          emit({ type: 'commit', turn, name: accepted.name, hash: accepted.hash, commit: commitInfo.commit, short: commitInfo.short });
          outcome = { ok: true, tool: call.name, result: { ...(outcome.result as object), version: { commit: commitInfo.commit, short: commitInfo.short } } };
        }

        const content = JSON.stringify(plain(outcome));
        messages.push(new ToolMessage({ content, tool_call_id: call.id, name: call.name, status: outcome.ok ? 'success' : 'error' }));
        emit(outcome.ok ? { type: 'tool_result', turn, id: call.id, name: call.name, ok: true, result: plain(outcome.result) } : { type: 'tool_result', turn, id: call.id, name: call.name, ok: false, error: outcome.error });
        const compileEvent = compileEventOf(call.name, outcome, turn);
        if (compileEvent) emit(compileEvent);
        opts.store?.save(session);

        if (invalidCalls > maxInvalidCalls) throw new Stop('max_invalid_calls', `the model made ${invalidCalls} calls to unknown tools or with invalid arguments (limit ${maxInvalidCalls}); the tools are ${TOOL_NAMES.join(', ')}`);
        if (failedEmits >= maxEmitAttempts) throw new Stop('max_emit_attempts', `emit_strategy failed ${failedEmits} times in a row (limit ${maxEmitAttempts}); the last error: ${outcome.ok ? '' : outcome.error.message}`);
      }
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    stop = { code: e.code, message: e.message };
    emit({ type: 'stopped', turn, code: e.code, message: e.message });
  }

  if (finalText) session.addTurn({ role: 'assistant', content: finalText });
  opts.store?.save(session);
  const status: AuthoringStatus = stop ? 'stopped' : commits.length > 0 ? 'committed' : 'no_strategy';
  emit({ type: 'done', status });
  return {
    status,
    ...(stop ? { stop } : {}),
    commits,
    finalText,
    trace,
    turns: turn,
    toolCalls,
    invalidCalls,
    failedEmits,
    model: modelId,
  };
}

function compileEventOf(tool: string, outcome: ToolOutcome, turn: number): AuthoringEvent | undefined {
  let payload: CompilePayload | undefined;
  if (tool === 'compile_strategy' && outcome.ok) payload = outcome.result as CompilePayload;
  else if (!outcome.ok && outcome.error.code === 'compile_failed') payload = outcome.error.details as CompilePayload;
  else if (tool === EMIT_TOOL && outcome.ok) {
    const r = outcome.result as EmitStrategyResult;
    return { type: 'compile_result', turn, tool, ok: true, hash: r.hash, errors: 0, warnings: r.warnings.length, diagnostics: r.warnings };
  }
  if (!payload) return undefined;
  const r = payload.results[0];
  return { type: 'compile_result', turn, tool, ok: payload.ok, hash: payload.hash, errors: r.errors, warnings: r.warnings, diagnostics: r.diagnostics };
}
