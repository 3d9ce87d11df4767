import { readFileSync } from 'node:fs';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams, type BindToolsInput } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { z } from 'zod';

/**
 * `ScriptedChatModel`: a real langchain chat model that replays a recorded tool-calling
 * conversation — the test double for the hosted LLM, and nothing else is faked. Each model turn of
 * the recording (text and tool calls) is returned in order; the turn is found from the
 * conversation itself (the number of AI messages so far), so the model is stateless like a hosted
 * one. Where the recording says so, the model checks what it is given before answering: the tool
 * results since its last turn (deep subset match on the JSON the tools returned) and the system
 * message (substrings). A mismatch throws `ScriptMismatchError` naming the turn and the difference.
 */

export const SCRIPTED_CONVERSATION_SCHEMA = 'strata.scripted-conversation/v1';

const toolCall = z
  .strictObject({
    id: z.string().min(1),
    name: z.string().min(1),
    /** Arguments as the model sent them (any JSON object, including wrong ones). */
    args: z.record(z.string(), z.unknown()).optional(),
    /** Raw argument text, for a model that sent arguments that are not JSON. */
    args_json: z.string().optional(),
    /** The model calls a tool it was not given (recorded on purpose). */
    hallucinated: z.boolean().optional(),
  })
  .refine((c) => (c.args === undefined) !== (c.args_json === undefined), 'give exactly one of args and args_json');

const expectedResult = z.strictObject({
  /** The tool whose result this is. */
  name: z.string(),
  /** Deep subset of the result JSON (`{ ok, tool, result | error }`); arrays match element by element. */
  match: z.unknown().optional(),
});

const turn = z.strictObject({
  expect: z
    .strictObject({
      toolResults: z.array(expectedResult).optional(),
      systemIncludes: z.array(z.string()).optional(),
    })
    .optional(),
  text: z.string().default(''),
  tool_calls: z.array(toolCall).default([]),
});

export const scriptedConversation = z.strictObject({
  schema: z.literal(SCRIPTED_CONVERSATION_SCHEMA),
  /** The id of the model the conversation was recorded with (what the history records). */
  model: z.string().min(1),
  description: z.string().optional(),
  /** The trader's prompt that started the conversation. */
  prompt: z.string().optional(),
  turns: z.array(turn).min(1),
});

export type ScriptedConversation = z.infer<typeof scriptedConversation>;
export type ScriptedTurn = z.infer<typeof turn>;

export class ScriptMismatchError extends Error {
  override readonly name = 'ScriptMismatchError';
}

export interface ScriptedChatModelCallOptions extends BaseChatModelCallOptions {
  /** Set by `bindTools`: the tools the model was given. */
  tools?: BindToolsInput[];
}

export interface ScriptedChatModelParams extends BaseChatModelParams {
  readonly conversation: unknown;
}

/** Parses and validates a recording; errors name the field. */
export function parseConversation(value: unknown, origin = 'the recording'): ScriptedConversation {
  const r = scriptedConversation.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ScriptMismatchError(`${origin} is not a ${SCRIPTED_CONVERSATION_SCHEMA}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

/** Where `actual` fails to contain `expected` (deep subset), or undefined when it does. */
export function subsetMismatch(expected: unknown, actual: unknown, path = '$'): string | undefined {
  if (expected === null || typeof expected !== 'object') {
    return Object.is(expected, actual) ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)?.slice(0, 200)}`;
    if (actual.length < expected.length) return `${path}: expected at least ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = subsetMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)?.slice(0, 200)}`;
  for (const [k, v] of Object.entries(expected)) {
    const m = subsetMismatch(v, (actual as Record<string, unknown>)[k], `${path}.${k}`);
    if (m) return m;
  }
  return undefined;
}

function toolName(t: BindToolsInput): string | undefined {
  const o = t as { name?: unknown; function?: { name?: unknown } };
  if (typeof o.name === 'string') return o.name;
  if (typeof o.function?.name === 'string') return o.function.name;
  return undefined;
}

function contentText(m: BaseMessage): string {
  return typeof m.content === 'string' ? m.content : m.text;
}

export class ScriptedChatModel extends BaseChatModel<ScriptedChatModelCallOptions> {
  readonly conversation: ScriptedConversation;
  /** The recorded model id. */
  readonly modelId: string;

  constructor(params: ScriptedChatModelParams) {
    const { conversation, ...rest } = params;
    super(rest);
    this.conversation = parseConversation(conversation);
    this.modelId = this.conversation.model;
  }

  /** Loads a recording from a JSON file. */
  static fromFile(path: string, params: BaseChatModelParams = {}): ScriptedChatModel {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ScriptMismatchError(`cannot read the recorded conversation ${path}: ${(e as Error).message}`);
    }
    return new ScriptedChatModel({ ...params, conversation: parseConversation(json, path) });
  }

  static override lc_name(): string {
    return 'ScriptedChatModel';
  }

  _llmType(): string {
    return 'scripted';
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ScriptedChatModelCallOptions>) {
    return this.withConfig({ ...kwargs, tools } as Partial<ScriptedChatModelCallOptions>);
  }

  /** The recorded turn this conversation is at, after checking the recording's expectations. */
  nextTurn(messages: readonly BaseMessage[], options?: Partial<ScriptedChatModelCallOptions>): { readonly index: number; readonly turn: ScriptedTurn } {
    let lastAi = -1;
    let aiCount = 0;
    messages.forEach((m, i) => {
      if (m.getType() === 'ai') {
        aiCount++;
        lastAi = i;
      }
    });
    const t = this.conversation.turns[aiCount];
    const where = `recorded turn ${aiCount + 1} of ${this.conversation.turns.length}`;
    if (!t) throw new ScriptMismatchError(`the recording has ${this.conversation.turns.length} turns, but the model was called for turn ${aiCount + 1}: the conversation went on past the recording`);
    if (t.expect?.systemIncludes) {
      const system = messages.filter((m) => m.getType() === 'system').map(contentText).join('\n');
      for (const s of t.expect.systemIncludes) {
        if (!system.includes(s)) throw new ScriptMismatchError(`${where}: the system message does not include ${JSON.stringify(s)}`);
      }
    }
    if (t.expect?.toolResults) {
      const results = messages.slice(lastAi + 1).filter((m) => m.getType() === 'tool');
      if (results.length !== t.expect.toolResults.length) throw new ScriptMismatchError(`${where}: expected ${t.expect.toolResults.length} tool results since the last model turn, got ${results.length}`);
      t.expect.toolResults.forEach((want, i) => {
        const got = results[i]!;
        const name = (got as { name?: string }).name;
        if (name !== undefined && name !== want.name) throw new ScriptMismatchError(`${where}: tool result ${i + 1} is from ${name}, expected ${want.name}`);
        if (want.match === undefined) return;
        let json: unknown;
        try {
          json = JSON.parse(contentText(got));
        } catch {
          throw new ScriptMismatchError(`${where}: tool result ${i + 1} (${want.name}) is not JSON: ${contentText(got).slice(0, 200)}`);
        }
        const m = subsetMismatch(want.match, json);
        if (m) throw new ScriptMismatchError(`${where}: tool result ${i + 1} (${want.name}) differs from the recording at ${m}`);
      });
    }
    const bound = options?.tools?.map(toolName).filter((n): n is string => n !== undefined);
    if (bound && bound.length > 0) {
      for (const c of t.tool_calls) {
        if (!c.hallucinated && !bound.includes(c.name)) throw new ScriptMismatchError(`${where}: the recording calls ${c.name}, which is not among the bound tools (${bound.join(', ')})`);
      }
    }
    return { index: aiCount, turn: t };
  }

  private message(t: ScriptedTurn): AIMessage {
    const valid = t.tool_calls.filter((c) => c.args !== undefined);
    const invalid = t.tool_calls.filter((c) => c.args_json !== undefined);
    return new AIMessage({
      content: t.text,
      tool_calls: valid.map((c) => ({ id: c.id, name: c.name, args: c.args!, type: 'tool_call' as const })),
      invalid_tool_calls: invalid.map((c) => ({ id: c.id, name: c.name, args: c.args_json!, error: 'arguments are not valid JSON', type: 'invalid_tool_call' as const })),
      response_metadata: { model: this.modelId },
    });
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const { turn: t } = this.nextTurn(messages, options);
    if (t.text) await runManager?.handleLLMNewToken(t.text);
    const message = this.message(t);
    return { generations: [{ text: t.text, message }] };
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    const { turn: t } = this.nextTurn(messages, options);
    for (const piece of t.text.match(/\S+\s*|\s+/g) ?? []) {
      const chunk = new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
      yield chunk;
      await runManager?.handleLLMNewToken(piece, undefined, undefined, undefined, undefined, { chunk });
    }
    for (const [index, c] of t.tool_calls.entries()) {
      const args = c.args_json ?? JSON.stringify(c.args);
      yield new ChatGenerationChunk({
        text: '',
        message: new AIMessageChunk({ content: '', tool_call_chunks: [{ id: c.id, name: c.name, args, index, type: 'tool_call_chunk' }], response_metadata: { model: this.modelId } }),
      });
    }
  }
}
