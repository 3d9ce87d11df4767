import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatZodError, invokeTool, langchainTools, toolSchemasAsJsonSchema, TOOL_NAMES, TOOLS } from '@strata/agent';
import { workspace } from './helpers.js';

const w = await workspace();

describe('the tool registry', () => {
  it('holds exactly the read-only authoring tools, in order, and nothing that can trade', () => {
    expect(TOOL_NAMES).toEqual(['query_chart', 'compute_indicator', 'detect_sr_levels', 'fetch_news_sentiment', 'annotate_drawing', 'compose_signal_node', 'compile_strategy', 'run_backtest', 'emit_strategy']);
    expect(TOOLS.map((t) => t.name)).toEqual(TOOL_NAMES);
    for (const name of TOOL_NAMES) expect(name, 'no order, venue or execution tool').not.toMatch(/order|trade|venue|submit|cancel|execute|buy|sell/);
    expect(Object.isFrozen(TOOLS)).toBe(true);
  });

  it('gives every tool a description and every argument a description, so models get good JSON Schema', () => {
    const schemas = toolSchemasAsJsonSchema();
    expect(schemas.map((s) => s.name)).toEqual(TOOL_NAMES);
    const missing: string[] = [];
    const walk = (where: string, node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.properties && typeof o.properties === 'object') {
        for (const [k, v] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
          if (typeof v.description !== 'string' || v.description.length < 10) missing.push(`${where}.${k}`);
          walk(`${where}.${k}`, v);
        }
      }
      for (const key of ['items', 'anyOf', 'oneOf', 'allOf']) {
        const sub = o[key];
        if (Array.isArray(sub)) sub.forEach((s, i) => walk(`${where}.${key}[${i}]`, s));
        else if (sub) walk(`${where}.${key}`, sub);
      }
    };
    for (const s of schemas) {
      expect(s.description.length, s.name).toBeGreaterThan(80);
      expect(s.inputSchema.type).toBe('object');
      expect(s.inputSchema.additionalProperties, `${s.name} rejects unknown fields`).toBe(false);
      walk(s.name, s.inputSchema);
    }
    expect(missing).toEqual([]);
  });

  it('marks only the fields without defaults as required (the input side of the schema)', () => {
    const byName = new Map(toolSchemasAsJsonSchema().map((s) => [s.name, s.inputSchema]));
    expect(byName.get('query_chart')!.required).toEqual(['symbol']);
    expect(byName.get('compute_indicator')!.required).toEqual(['symbol', 'indicator']);
    expect(byName.get('emit_strategy')!.required).toEqual(['yaml', 'message']);
    expect(byName.get('annotate_drawing')!.required).toEqual(['drawings']);
  });

  it('exposes the tools as langchain structured tools that answer with the JSON outcome', async () => {
    const tools = langchainTools(w.ctx);
    expect(tools.map((t) => t.name)).toEqual(TOOL_NAMES);
    const out = await tools[6]!.invoke({ yaml: 'strata: strategy/v1\n' });
    const parsed = JSON.parse(out as string) as { ok: boolean; result: { ok: boolean; results: [{ diagnostics: Array<{ code: string }> }] } };
    expect(parsed.ok).toBe(true);
    expect(parsed.result.ok).toBe(false);
    expect(parsed.result.results[0].diagnostics.length).toBeGreaterThan(0);
  });
});

const long = (n: number) => 'x'.repeat(n);

describe('every tool rejects bad arguments with a message a model can act on', () => {
  it.each(([
    // [tool, args, path, message]
    ['query_chart', { symbol: 42 }, 'symbol', 'expected string, got number 42'],
    ['query_chart', {}, 'symbol', 'is required: expected string'],
    ['query_chart', { symbol: 'SPY', last: 501 }, 'last', 'must be at most 500, got 501'],
    ['query_chart', { symbol: 'SPY', from: '2024-13-01' }, 'from', 'a real calendar date as YYYY-MM-DD'],
    ['query_chart', { symbol: 'spy' }, 'symbol', 'a ticker in upper case, e.g. "SPY" or "BTC/USDT", got "spy"'],
    ['query_chart', { symbol: 'SPY', colour: 'red' }, '(arguments)', 'unknown field "colour"; remove it (only the documented fields are accepted)'],
    ['compute_indicator', { symbol: 'SPY', indicator: 5 }, 'indicator', 'expected string, got number 5'],
    ['compute_indicator', { symbol: 'SPY' }, 'indicator', 'is required: expected string'],
    ['compute_indicator', { symbol: 'SPY', indicator: 'sma', last: 0 }, 'last', 'must be at least 1, got 0'],
    ['compute_indicator', { symbol: 'SPY', indicator: 'sma', inputs: ['closing'] }, 'inputs.0', 'must be one of "open", "high", "low", "close", "volume", "hl2", "hlc3", "ohlc4", got "closing"'],
    ['detect_sr_levels', { symbol: 'SPY', swing: '5' }, 'swing', 'expected number, got string "5"'],
    ['detect_sr_levels', {}, 'symbol', 'is required: expected string'],
    ['detect_sr_levels', { symbol: 'SPY', lookback: 10 }, 'lookback', 'must be at least 20, got 10'],
    ['fetch_news_sentiment', { symbol: ['SPY'] }, 'symbol', 'expected string, got an array'],
    ['fetch_news_sentiment', {}, 'symbol', 'is required: expected string'],
    ['fetch_news_sentiment', { symbol: 'SPY', limit: 1000 }, 'limit', 'must be at most 200, got 1000'],
    ['annotate_drawing', { drawings: 'x' }, 'drawings', 'expected array, got string "x"'],
    ['annotate_drawing', {}, 'drawings', 'is required: expected array'],
    ['annotate_drawing', { drawings: [{ shape: 'trend_line', points: [{ time: 1, price: -5 }, { time: 2, price: 1 }] }] }, 'drawings.0.points.0.price', 'must be greater than 0, got -5'],
    ['annotate_drawing', { drawings: [{ shape: 'trend_line', points: [{ time: 1, price: 5 }] }] }, 'drawings.0.points', 'must be at least 2 items'],
    ['annotate_drawing', { drawings: [{ shape: 'trend_line', points: [{ time: 1_709_251_200_000, price: 5 }, { time: 1, price: 5 }] }] }, 'drawings.0.points.0.time', 'UNIX time in seconds (not milliseconds), before 2200'],
    ['compose_signal_node', { name: 1, node: 'sma' }, 'name', 'expected string, got number 1'],
    ['compose_signal_node', { node: 'sma' }, 'name', 'is required: expected string'],
    ['compose_signal_node', { name: 'x', node: 'sma', inputs: Array.from({ length: 17 }, () => 'close') }, 'inputs', 'must be at most 16 items'],
    ['compose_signal_node', { name: 'Fast-MA', node: 'sma' }, 'name', 'an identifier: lower case letters, digits and _, not starting with a digit, got "Fast-MA"'],
    ['compile_strategy', { yaml: 5 }, 'yaml', 'expected string, got number 5'],
    ['compile_strategy', {}, 'yaml', 'is required: expected string'],
    ['compile_strategy', { yaml: '' }, 'yaml', 'the artifact text is empty'],
    ['compile_strategy', { yaml: long(1_048_577) }, 'yaml', 'must be at most 1048576 characters'],
    ['run_backtest', { yaml: 'x', cash: '100' }, 'cash', 'expected number, got string "100"'],
    ['run_backtest', {}, 'yaml', 'is required: expected string'],
    ['run_backtest', { yaml: 'x', cash: -1 }, 'cash', 'must be greater than 0, got -1'],
    ['emit_strategy', { yaml: 1, message: 'm' }, 'yaml', 'expected string, got number 1'],
    ['emit_strategy', { yaml: 'x' }, 'message', 'is required: expected string'],
    ['emit_strategy', { yaml: 'x', message: long(2001) }, 'message', 'must be at most 2000 characters'],
  ] as const).map(([tool, args, path, message]) => [tool, path, message, args] as const))('%s rejects it: %s: %s', async (tool, path, message, args) => {
    const r = await invokeTool(tool, args, w.ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_arguments');
    expect(r.error.issues).toContainEqual({ path, message });
    expect(r.error.message).toContain(`${path}: ${message}`);
  });

  it('reports an unknown discriminator for a drawing shape with the shapes allowed', async () => {
    const r = await invokeTool('annotate_drawing', { drawings: [{ shape: 'circle', points: [] }] }, w.ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues?.[0]?.path).toBe('drawings.0.shape');
  });

  it('answers an unknown tool with the list of tools', async () => {
    const r = await invokeTool('place_order', { symbol: 'SPY' }, w.ctx);
    expect(r).toEqual({ ok: false, tool: 'place_order', error: { code: 'unknown_tool', tool: 'place_order', message: `there is no tool "place_order"; the tools are: ${TOOL_NAMES.join(', ')}` } });
  });

  it('formatZodError names every path and expectation', () => {
    const schema = z.strictObject({ a: z.number(), b: z.array(z.string()).min(2) });
    const input = { a: 'x', b: ['y'] };
    const r = schema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success) expect(formatZodError(r.error, input)).toBe('a: expected number, got string "x"; b: must be at least 2 items');
  });
});
