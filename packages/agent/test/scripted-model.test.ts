import { readFileSync } from 'node:fs';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { afterEach, describe, expect, it } from 'vitest';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { langchainTools, runAuthoringLoop, ScriptedChatModel, ScriptMismatchError, subsetMismatch, type ScriptedConversation } from '@strata/agent';
import { FIXTURE, recording, workspace, type Workspace } from './helpers.js';

const FIXTURE_JSON = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ScriptedConversation;

let spaces: Workspace[] = [];
afterEach(() => {
  for (const w of spaces) w.cleanup();
  spaces = [];
});

describe('ScriptedChatModel', () => {
  it('is a langchain chat model that binds tools and returns the recorded turn with its tool calls', async () => {
    const model = ScriptedChatModel.fromFile(FIXTURE);
    expect(model).toBeInstanceOf(BaseChatModel);
    expect(model.modelId).toBe('openai:gpt-4.1-mini-2025-04-14');
    const w = await workspace();
    spaces.push(w);
    const bound = model.bindTools(langchainTools(w.ctx));
    const first = await bound.invoke([new SystemMessage('Session context\n"symbol": null'), new HumanMessage('hi')]);
    expect(first.text).toBe("Let me look at SPY's daily chart first.");
    expect(first.tool_calls).toEqual([{ id: 'call_chart_1', name: 'query_chart', args: { symbol: 'SPY', from: '2024-01-01', last: 5 }, type: 'tool_call' }]);
  });

  it('streams the text in pieces and the tool calls as chunks that concatenate to the recorded calls', async () => {
    const model = new ScriptedChatModel({ conversation: recording([{ text: 'one two three', tool_calls: [{ id: 'a', name: 'query_chart', args: { symbol: 'SPY' } }, { id: 'b', name: 'compile_strategy', args: { yaml: 'x: 1' } }] }]) });
    const pieces: string[] = [];
    let acc;
    for await (const chunk of await model.stream([new HumanMessage('go')])) {
      if (chunk.text) pieces.push(chunk.text);
      acc = acc ? acc.concat(chunk) : chunk;
    }
    expect(pieces).toEqual(['one ', 'two ', 'three']);
    expect(acc!.tool_calls!.map((c) => [c.id, c.name, c.args])).toEqual([
      ['a', 'query_chart', { symbol: 'SPY' }],
      ['b', 'compile_strategy', { yaml: 'x: 1' }],
    ]);
  });

  it('finds its turn from the conversation (stateless) and checks the tool results the recording expects', async () => {
    const model = new ScriptedChatModel({
      conversation: recording([
        { tool_calls: [{ id: 'c1', name: 'query_chart', args: { symbol: 'SPY' } }] },
        { expect: { toolResults: [{ name: 'query_chart', match: { ok: true, result: { bars: [{ close: 1 }] } } }] }, text: 'done' },
      ]),
    });
    const history = [new HumanMessage('go'), new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'query_chart', args: { symbol: 'SPY' } }] })];
    const ok = await model.invoke([...history, new ToolMessage({ content: JSON.stringify({ ok: true, result: { bars: [{ close: 1, open: 2 }] } }), tool_call_id: 'c1', name: 'query_chart' })]);
    expect(ok.text).toBe('done');
    await expect(model.invoke([...history, new ToolMessage({ content: JSON.stringify({ ok: true, result: { bars: [{ close: 2 }] } }), tool_call_id: 'c1', name: 'query_chart' })])).rejects.toThrow(
      /recorded turn 2 of 2: tool result 1 \(query_chart\) differs from the recording at \$\.result\.bars\[0\]\.close: expected 1, got 2/,
    );
    await expect(model.invoke(history)).rejects.toThrow(/expected 1 tool results since the last model turn, got 0/);
    await expect(model.invoke([...history, new AIMessage('x'), new HumanMessage('more')])).rejects.toThrow(/went on past the recording/);
  });

  it('checks the system message includes what the recording expects', async () => {
    const model = new ScriptedChatModel({ conversation: recording([{ expect: { systemIncludes: ['"symbol": "SPY"'] }, text: 'ok' }]) });
    await expect(model.invoke([new SystemMessage('"symbol": "QQQ"'), new HumanMessage('x')])).rejects.toThrow(/system message does not include/);
    expect((await model.invoke([new SystemMessage('{"symbol": "SPY"}'), new HumanMessage('x')])).text).toBe('ok');
  });

  it('refuses a recording that calls a tool it was not given, unless marked hallucinated', async () => {
    const model = new ScriptedChatModel({ conversation: recording([{ tool_calls: [{ id: 'a', name: 'query_chrt', args: {} }] }]) });
    const w = await workspace();
    spaces.push(w);
    await expect(model.bindTools(langchainTools(w.ctx)).invoke([new HumanMessage('x')])).rejects.toThrow(/query_chrt, which is not among the bound tools/);
  });

  it('rejects a malformed recording with the field named', () => {
    expect(() => new ScriptedChatModel({ conversation: { schema: 'strata.scripted-conversation/v1', model: 'm', turns: [{ tool_calls: [{ id: 'a', name: 'q' }] }] } })).toThrow(ScriptMismatchError);
    expect(() => new ScriptedChatModel({ conversation: { schema: 'other', model: 'm', turns: [] } })).toThrow(/schema/);
  });

  it('makes the loop fail loudly (model_error, nothing committed) when the tools drift from the recording', async () => {
    const w = await workspace();
    spaces.push(w);
    const drifted = structuredClone(FIXTURE_JSON);
    const srExpect = drifted.turns[2]!.expect!.toolResults![1]!.match as { result: { node: { params: { levels: number[] } } } };
    srExpect.result.node.params.levels[0] = 500;
    const r = await runAuthoringLoop({ model: new ScriptedChatModel({ conversation: drifted }), prompt: 'p', context: w.session, tools: w.ctx, sink: w.sink });
    expect(r.status).toBe('stopped');
    expect(r.stop?.code).toBe('model_error');
    expect(r.stop?.message).toMatch(/recorded turn 3 of 5: tool result 2 \(detect_sr_levels\) differs from the recording at \$\.result\.node\.params\.levels\[0\]: expected 500, got 572\.67/);
    expect(r.commits).toEqual([]);
    expect(await w.repo.names()).toEqual([]);
  });

  it.each([
    [{ a: 1 }, { a: 1, b: 2 }, undefined],
    [{ a: [1, { b: 2 }] }, { a: [1, { b: 2, c: 3 }, 4] }, undefined],
    [{ a: null }, { a: null }, undefined],
    [{ a: 1 }, { a: '1' }, '$.a: expected 1, got "1"'],
    [{ a: [1, 2] }, { a: [1] }, '$.a: expected at least 2 items, got 1'],
    [{ a: { b: 1 } }, { a: 3 }, '$.a: expected an object, got 3'],
  ])('subsetMismatch(%j, %j) = %j', (want, got, msg) => {
    expect(subsetMismatch(want, got)).toBe(msg);
  });
});
