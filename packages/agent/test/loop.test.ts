import * as fs from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { afterEach, describe, expect, it } from 'vitest';
import { compileSource } from '@strata/compiler';
import { invokeTool, runAuthoringLoop, ScriptedChatModel, SessionStore, type AuthoringEvent, type AuthoringLoopOptions, type ScriptedConversation, type TraceEntry } from '@strata/agent';
import { FIXTURE, recording, smaCross, workspace, type Workspace } from './helpers.js';

const FIXTURE_JSON = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ScriptedConversation & { prompt: string };
const PROMPT = FIXTURE_JSON.prompt;
const EXPECTED_HASH = 'sha256:d51eb466cfb9406bdc828bf107259d1627707a9af5071a845e0bfdb69117e312';
const FIXED_ARTIFACT = (FIXTURE_JSON.turns[3]!.tool_calls[0]!.args as { yaml: string }).yaml;

let spaces: Workspace[] = [];
afterEach(() => {
  for (const w of spaces) w.cleanup();
  spaces = [];
});
async function ws(): Promise<Workspace> {
  const w = await workspace();
  spaces.push(w);
  return w;
}

async function run(w: Workspace, conversation: unknown, extra: Partial<AuthoringLoopOptions> = {}) {
  const events: AuthoringEvent[] = [];
  const result = await runAuthoringLoop({
    model: new ScriptedChatModel({ conversation }),
    prompt: PROMPT,
    context: w.session,
    tools: w.ctx,
    sink: w.sink,
    store: w.store,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { result, events };
}

async function gitLog(w: Workspace) {
  try {
    return await git.log({ fs, dir: w.repo.dir });
  } catch (e) {
    if ((e as { code?: string }).code === 'NotFoundError') return [];
    throw e;
  }
}

describe('the authoring loop, end to end with the recorded SMA-cross session', () => {
  it('composes, self-corrects a compile error from the diagnostics, backtests and commits the artifact with prompt, model, trace, hash and backtest', async () => {
    const w = await ws();
    const { result, events } = await run(w, FIXTURE_JSON);

    expect(result.stop, JSON.stringify(result.stop)).toBeUndefined();
    expect(result.status).toBe('committed');
    expect(result.turns).toBe(5);
    expect(result.toolCalls).toBe(5);
    expect(result.invalidCalls).toBe(0);
    expect(result.model).toBe('openai:gpt-4.1-mini-2025-04-14');
    expect(result.commits).toHaveLength(1);
    const c = result.commits[0]!;
    expect(c).toMatchObject({ name: 'spy-sma-cross-sr', hash: EXPECTED_HASH, artifact: FIXED_ARTIFACT });

    // The committed artifact compiles, to the expected hash.
    const v = await w.repo.read('spy-sma-cross-sr');
    expect(v.artifact).toBe(FIXED_ARTIFACT);
    const compiled = compileSource(v.artifact);
    expect(compiled.ok).toBe(true);
    expect(compiled.hash).toBe(EXPECTED_HASH);
    expect(v.commit).toBe(c.commit);
    expect(v.prompt).toContain(PROMPT);
    expect(v.meta).toMatchObject({ name: 'spy-sma-cross-sr', model: 'openai:gpt-4.1-mini-2025-04-14', compile: { hash: EXPECTED_HASH } });

    // The backtest summary stored is exactly what run_backtest computes for the artifact.
    const bt = await invokeTool('run_backtest', { yaml: FIXED_ARTIFACT }, w.ctx);
    expect(bt.ok).toBe(true);
    expect(v.meta!.backtest).toEqual(JSON.parse(JSON.stringify((bt as { result: unknown }).result)));
    expect(v.meta!.backtest).toMatchObject({ schema: 'strata.backtest-result/v1', artifact: { hash: EXPECTED_HASH }, feed: 'equities.us.daily', benchmark: { symbol: 'SPY' } });

    // The trace: every model turn and tool call, including the failed emit with its diagnostics.
    const trace = v.trace as TraceEntry[];
    expect(trace.map((t) => (t.kind === 'tool' ? `${t.name}:${t.ok}` : 'model'))).toEqual([
      'model',
      'query_chart:true',
      'model',
      'compute_indicator:true',
      'detect_sr_levels:true',
      'model',
      'emit_strategy:false',
      'model',
      'emit_strategy:true',
    ]);
    const failed = trace[6] as Extract<TraceEntry, { kind: 'tool' }>;
    expect(failed.error).toMatchObject({ code: 'compile_failed', details: { results: [{ diagnostics: [{ code: 'E401', line: 22, hint: 'did you mean `slow_ma`, defined at 15:3?' }] }] } });
    const accepted = trace[8] as Extract<TraceEntry, { kind: 'tool' }>;
    expect(accepted.result).toMatchObject({ accepted: true, hash: EXPECTED_HASH, backtest: { schema: 'strata.backtest-result/v1' } });

    // The git history, through StrategyRepo and through isomorphic-git directly.
    const history = await w.repo.history('spy-sma-cross-sr');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ version: 1, commit: c.commit, short: c.short, artifactHash: EXPECTED_HASH, model: 'openai:gpt-4.1-mini-2025-04-14' });
    const log = await gitLog(w);
    expect(log[0]!.oid).toBe(c.commit);
    const traceBlob = await git.readBlob({ fs, dir: w.repo.dir, oid: c.commit, filepath: 'spy-sma-cross-sr/trace.json' });
    expect(JSON.parse(Buffer.from(traceBlob.blob).toString('utf8'))).toEqual(trace);
    const yamlBlob = await git.readBlob({ fs, dir: w.repo.dir, oid: c.commit, filepath: 'spy-sma-cross-sr/strategy.yaml' });
    expect(Buffer.from(yamlBlob.blob).toString('utf8')).toBe(FIXED_ARTIFACT);

    // The stream of events for the chat UI.
    const types = events.map((e) => e.type);
    for (const t of ['token', 'model_message', 'tool_call', 'tool_result', 'compile_result', 'backtest', 'commit', 'done'] as const) expect(types, t).toContain(t);
    const tokens = events.filter((e): e is Extract<AuthoringEvent, { type: 'token' }> => e.type === 'token' && e.turn === 4);
    expect(tokens.map((e) => e.text).join('')).toBe('I misspelled slow_ma in the entry rule. Fixing it and emitting again.');
    const compiles = events.filter((e): e is Extract<AuthoringEvent, { type: 'compile_result' }> => e.type === 'compile_result');
    expect(compiles.map((e) => [e.ok, e.hash, e.diagnostics.map((d) => d.code)])).toEqual([
      [false, null, ['E401']],
      [true, EXPECTED_HASH, []],
    ]);
    expect(events.find((e) => e.type === 'commit')).toMatchObject({ name: 'spy-sma-cross-sr', hash: EXPECTED_HASH, commit: c.commit });
    expect(events.at(-1)).toEqual({ type: 'done', status: 'committed' });

    // The session was persisted along the way, and restores after a restart.
    const restored = new SessionStore(w.store.path).load();
    expect(restored.symbol).toBe('SPY');
    expect(restored.timeframe).toBe('1d');
    expect(restored.strategies).toEqual([{ name: 'spy-sma-cross-sr', hash: EXPECTED_HASH, commit: c.commit }]);
    expect(restored.conversation.map((t) => t.role)).toEqual(['user', 'assistant']);
    expect(restored.conversation[1]!.content).toContain('Committed spy-sma-cross-sr');
  });

  it('is deterministic: the same recording over the same data gives the same commit, byte for byte', async () => {
    const a = await ws();
    const b = await ws();
    const ra = (await run(a, FIXTURE_JSON)).result;
    const rb = (await run(b, FIXTURE_JSON)).result;
    expect(ra.commits[0]!.commit).toBe(rb.commits[0]!.commit);
    expect(ra.trace).toEqual(rb.trace);
  });

  it('recovers after answering an unknown tool as an error result (counted), and commits', async () => {
    const w = await ws();
    const conversation = recording([
      { text: 'Let me place a test order.', tool_calls: [{ id: 'c1', name: 'place_order', args: { symbol: 'SPY', qty: 1 }, hallucinated: true }] },
      {
        expect: { toolResults: [{ name: 'place_order', match: { ok: false, error: { code: 'unknown_tool' } } }] },
        tool_calls: [{ id: 'c2', name: 'emit_strategy', args: { yaml: smaCross('recovered'), message: 'SMA cross' } }],
      },
      { expect: { toolResults: [{ name: 'emit_strategy', match: { ok: true, result: { name: 'recovered' } } }] }, text: 'Done.' },
    ]);
    const { result } = await run(w, conversation);
    expect(result.status).toBe('committed');
    expect(result.invalidCalls).toBe(1);
    expect(await w.repo.names()).toEqual(['recovered']);
    const unknown = result.trace.find((t) => t.kind === 'tool' && t.name === 'place_order');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_tool', message: expect.stringContaining('emit_strategy') } });
  });
});

describe('the authoring loop is bounded: bad input is answered, counted, reported, and nothing is committed', () => {
  const badYaml = (i: number) => `strata: strategy/v1\nname: broken\nuniverse: [SPY\ntimeframe: 1d # attempt ${i}\n`;

  it.each([
    {
      label: 'invalid YAML emitted repeatedly stops at maxEmitAttempts',
      turns: [1, 2, 3].map((i) => ({ tool_calls: [{ id: `e${i}`, name: 'emit_strategy', args: { yaml: badYaml(i), message: 'try' } }] })),
      opts: {},
      code: 'max_emit_attempts',
      counts: { toolCalls: 3, failedEmits: 3, invalidCalls: 0 },
    },
    {
      label: 'calls to an unknown tool stop at maxInvalidCalls',
      turns: [1, 2, 3].map((i) => ({ tool_calls: [{ id: `u${i}`, name: 'submit_order', args: { qty: i }, hallucinated: true }] })),
      opts: { maxInvalidCalls: 2 },
      code: 'max_invalid_calls',
      counts: { toolCalls: 3, failedEmits: 0, invalidCalls: 3 },
    },
    {
      label: 'wrong argument types stop at maxInvalidCalls',
      turns: [
        { tool_calls: [{ id: 'w1', name: 'query_chart', args: { symbol: 42 } }] },
        { tool_calls: [{ id: 'w2', name: 'compute_indicator', args: { symbol: 'SPY', indicator: 'sma', params: { period: 'fast' } } }] },
        { tool_calls: [{ id: 'w3', name: 'emit_strategy', args: { yaml: ['not', 'text'] } }] },
      ],
      opts: { maxInvalidCalls: 2 },
      code: 'max_invalid_calls',
      counts: { toolCalls: 3, failedEmits: 1, invalidCalls: 3 },
    },
    {
      label: 'arguments that are not JSON are invalid calls',
      turns: [1, 2].map((i) => ({ tool_calls: [{ id: `j${i}`, name: 'query_chart', args_json: `{"symbol": "SPY", ${i}` }] })),
      opts: { maxInvalidCalls: 1 },
      code: 'max_invalid_calls',
      counts: { toolCalls: 2, failedEmits: 0, invalidCalls: 2 },
    },
    {
      label: 'the same call with the same arguments is a loop',
      turns: [1, 2, 3].map(() => ({ tool_calls: [{ id: 'same', name: 'query_chart', args: { symbol: 'SPY', last: 3 } }] })),
      opts: {},
      code: 'loop_detected',
      counts: { toolCalls: 3, failedEmits: 0, invalidCalls: 0 },
    },
    {
      label: 'too many tool calls',
      turns: [{ tool_calls: [1, 2, 3, 4].map((n) => ({ id: `q${n}`, name: 'query_chart', args: { symbol: 'SPY', last: n } })) }],
      opts: { maxToolCalls: 3 },
      code: 'max_tool_calls',
      counts: { toolCalls: 4, failedEmits: 0, invalidCalls: 0 },
    },
    {
      label: 'an artifact that compiles but cannot be backtested (unknown symbol) is a failed emit',
      turns: [1, 2].map((i) => ({ tool_calls: [{ id: `b${i}`, name: 'emit_strategy', args: { yaml: smaCross('nodata').replace('universe: [SPY]', `universe: [ZZZ${i}]`).replace('benchmark: SPY', `benchmark: ZZZ${i}`), message: 'x' } }] })),
      opts: { maxEmitAttempts: 2 },
      code: 'max_emit_attempts',
      counts: { toolCalls: 2, failedEmits: 2, invalidCalls: 0 },
    },
    {
      label: 'a model that fails (here: the recording runs out) is a model error',
      turns: [{ tool_calls: [{ id: 'x1', name: 'query_chart', args: { symbol: 'SPY' } }] }],
      opts: {},
      code: 'model_error',
      counts: { toolCalls: 1, failedEmits: 0, invalidCalls: 0 },
    },
  ])('$label', async ({ turns, opts, code, counts }) => {
    const w = await ws();
    const { result, events } = await run(w, recording(turns as never), opts);
    expect(result.status, JSON.stringify(result.stop)).toBe('stopped');
    expect(result.stop?.code).toBe(code);
    expect(result.stop?.message.length).toBeGreaterThan(20);
    expect(result).toMatchObject(counts);
    expect(result.commits).toEqual([]);
    expect(w.committed).toEqual([]);
    expect(await w.repo.names()).toEqual([]);
    expect(await gitLog(w)).toEqual([]);
    expect(events.find((e) => e.type === 'stopped')).toMatchObject({ code });
    expect(events.at(-1)).toEqual({ type: 'done', status: 'stopped' });
    // Each answered call reached the model as an error tool result (or, for the loop, a normal one).
    const answered = result.trace.filter((t) => t.kind === 'tool');
    if (code !== 'loop_detected' && code !== 'max_tool_calls' && code !== 'model_error') expect(answered.every((t) => t.kind === 'tool' && !t.ok)).toBe(true);
  });

  it('reports each wrong argument by path and expectation in the tool result the model receives', async () => {
    const w = await ws();
    const { result } = await run(w, recording([{ tool_calls: [{ id: 'w1', name: 'compute_indicator', args: { symbol: 'SPY', indicator: 'sma', params: { period: 0 }, last: 'ten' } }] }, { text: 'ok' }]));
    expect(result.status).toBe('no_strategy');
    const t = result.trace.find((x) => x.kind === 'tool') as Extract<TraceEntry, { kind: 'tool' }>;
    expect(t.error).toMatchObject({ code: 'invalid_arguments', issues: [{ path: 'last', message: 'expected number, got string "ten"' }] });
  });

  it('stops on the loop before running the repeated call a third time', async () => {
    const w = await ws();
    const { result } = await run(w, recording([1, 2, 3].map(() => ({ tool_calls: [{ id: 'same', name: 'query_chart', args: { last: 3, symbol: 'SPY' } }] }))));
    expect(result.trace.filter((t) => t.kind === 'tool')).toHaveLength(2);
  });
});
