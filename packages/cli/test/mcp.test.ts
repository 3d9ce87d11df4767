import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StrategyRepo, TOOLS, TOOL_NAMES } from '@strata/agent';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bin, root } from './run-bin.js';

/**
 * `strata mcp` end to end: the MCP SDK's own Client, over its StdioClientTransport, spawns the
 * built `node packages/cli/bin/strata.js mcp` and speaks the real protocol to it. No model is
 * involved: the client plays the part of the LLM host.
 */

const SMA_CROSS = readFileSync(join(root, 'examples/sma-cross.yaml'), 'utf8');
/** The example with a misspelled signal in the entry rule. */
const BROKEN = SMA_CROSS.replace('long: crosses_above(fast_ma, slow_ma)', 'long: crosses_above(fast_ma, slwo_ma)');

let tmp: string;
let client: Client;
let transport: StdioClientTransport;
let stderr = '';
const protocolErrors: Error[] = [];

const text = (r: Awaited<ReturnType<Client['callTool']>>): string => {
  const content = r.content as Array<{ type: string; text?: string }>;
  expect(content).toHaveLength(1);
  expect(content[0]!.type).toBe('text');
  return content[0]!.text!;
};

beforeAll(async () => {
  if (!existsSync(join(root, 'packages/cli/dist/mcp-command.js'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  }
  tmp = mkdtempSync(join(tmpdir(), 'strata-mcp-test-'));
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp', '--repo', join(tmp, 'strategies'), '--data', join(root, 'examples/data'), '--session', join(tmp, 'session.json')],
    cwd: tmp,
    env: { PATH: process.env.PATH ?? '', HOME: tmp, NO_COLOR: '1', STRATA_COMMIT_TIME: '1750000000' },
    stderr: 'pipe',
  });
  (transport.stderr as Readable | null)?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  client = new Client({ name: 'strata-test', version: '1.0.0' });
  client.onerror = (e) => protocolErrors.push(e);
  await client.connect(transport);
}, 120_000);

afterAll(async () => {
  await client?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('strata mcp', () => {
  it('announces itself as the strata server with instructions for the model', () => {
    expect(client.getServerVersion()?.name).toBe('strata');
    expect(client.getInstructions()).toContain('emit_strategy');
  });

  it('lists every tool with its description and the JSON Schema of its zod schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    for (const tool of TOOLS) {
      const listed = tools.find((t) => t.name === tool.name)!;
      expect(listed.description, `${tool.name}: same description as in chat`).toBe(tool.description);
      // The SDK converts zod 4 schemas with zod's own toJSONSchema (draft-7, input side).
      expect(listed.inputSchema, `${tool.name}: the schema is the zod schema's`).toEqual(z.toJSONSchema(tool.schema, { target: 'draft-7', io: 'input' }));
      const shape = Object.keys(tool.schema.shape).sort();
      expect(Object.keys(listed.inputSchema.properties ?? {}).sort(), `${tool.name}: every argument is listed`).toEqual(shape);
    }
    const compile = tools.find((t) => t.name === 'compile_strategy')!;
    expect(compile.inputSchema.required).toContain('yaml');
  });

  it('compile_strategy on a broken artifact returns the diagnostics (a result, not an error)', async () => {
    const r = await client.callTool({ name: 'compile_strategy', arguments: { yaml: BROKEN } });
    expect(r.isError ?? false).toBe(false);
    const payload = JSON.parse(text(r)) as { ok: boolean; hash: string | null; results: [{ errors: number; diagnostics: Array<{ code: string; line: number; column: number; message: string; hint?: string; sourceLine: string }> }] };
    expect(payload.ok).toBe(false);
    expect(payload.hash).toBeNull();
    expect(payload.results[0].errors).toBe(1);
    const d = payload.results[0].diagnostics[0]!;
    expect(d).toMatchObject({ code: 'E401', line: 19, message: 'unknown name `slwo_ma`' });
    expect(d.hint).toMatch(/did you mean `slow_ma`/);
    expect(d.sourceLine).toContain('crosses_above(fast_ma, slwo_ma)');
  });

  it('compile_strategy on a good artifact returns the hash, warm-up and node count', async () => {
    const r = await client.callTool({ name: 'compile_strategy', arguments: { yaml: SMA_CROSS } });
    const payload = JSON.parse(text(r)) as { ok: boolean; hash: string; nodes: number; warmup: Record<string, number> };
    expect(payload.ok).toBe(true);
    expect(payload.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(payload.nodes).toBe(5);
    expect(payload.warmup).toEqual({ '1d': 30 });
  });

  it.each([
    ['a wrong type', { yaml: 42 }, /yaml: expected string, got number 42/],
    ['a missing argument', {}, /yaml: is required: expected string/],
    ['an unknown field', { yaml: SMA_CROSS, file: 'x.yaml' }, /unknown field "file"; remove it/],
  ])('bad arguments (%s) → isError with a message naming the field and the fix', async (_why, args, message) => {
    const r = await client.callTool({ name: 'compile_strategy', arguments: args });
    expect(r.isError).toBe(true);
    const t = text(r);
    expect(t).toMatch(/^invalid arguments for compile_strategy: /);
    expect(t).toMatch(message);
    const structured = JSON.parse(t.slice(t.indexOf('\n\n') + 2)) as { ok: false; error: { code: string; issues: unknown[] } };
    expect(structured.error.code).toBe('invalid_arguments');
    expect(structured.error.issues.length).toBeGreaterThan(0);
  });

  it('an unknown tool → isError listing the tools there are', async () => {
    const r = await client.callTool({ name: 'place_order', arguments: { symbol: 'SPY' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('there is no tool "place_order"; the tools are: query_chart');
  });

  it('a data tool runs over the local data and records the active chart in the session file', async () => {
    const r = await client.callTool({ name: 'query_chart', arguments: { symbol: 'SPY', from: '2024-01-01', last: 3 } });
    expect(r.isError ?? false).toBe(false);
    const chart = JSON.parse(text(r)) as { symbol: string; timeframe: string; bars: unknown[] };
    expect(chart.symbol).toBe('SPY');
    expect(chart.timeframe).toBe('1d');
    expect(chart.bars).toHaveLength(3);
    const session = JSON.parse(readFileSync(join(tmp, 'session.json'), 'utf8')) as { symbol: string; timeframe: string };
    expect(session).toMatchObject({ symbol: 'SPY', timeframe: '1d' });
  });

  it('emit_strategy with errors → isError with the diagnostics; nothing is committed', async () => {
    const r = await client.callTool({ name: 'emit_strategy', arguments: { yaml: BROKEN.replace('name: sma-cross', 'name: mcp-sma'), message: 'first try' } });
    expect(r.isError).toBe(true);
    const t = text(r);
    expect(t).toMatch(/^the artifact does not compile \(1 error\): E401 at 19:\d+: unknown name `slwo_ma` \(hint: did you mean `slow_ma`/);
    expect(t).toContain('"code": "compile_failed"');
    expect(existsSync(join(tmp, 'strategies', 'mcp-sma'))).toBe(false);
  });

  it('a full emit: compiled, backtested and committed to the strategies repository with the trace', async () => {
    const yaml = SMA_CROSS.replace('name: sma-cross', 'name: mcp-sma');
    const r = await client.callTool({ name: 'emit_strategy', arguments: { yaml, message: '10/30 SMA cross on SPY' } });
    expect(r.isError ?? false, text(r)).toBe(false);
    const result = JSON.parse(text(r)) as { accepted: boolean; name: string; hash: string; backtest: { schema: string; artifact: { hash: string }; period: { bars: number } }; version: { commit: string; short: string; version: number } };
    expect(result.accepted).toBe(true);
    expect(result.name).toBe('mcp-sma');
    expect(result.backtest.schema).toBe('strata.backtest-result/v1');
    expect(result.backtest.artifact.hash).toBe(result.hash);
    expect(result.backtest.period.bars).toBeGreaterThan(1000);
    expect(result.version.commit).toMatch(/^[0-9a-f]{40}$/);

    const repo = await StrategyRepo.open(join(tmp, 'strategies'));
    const history = await repo.history('mcp-sma');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ version: 1, commit: result.version.commit, artifactHash: result.hash, model: 'mcp:strata-test@1.0.0', date: '2025-06-15T15:06:40.000Z' });
    const v = await repo.read('mcp-sma', 'v1');
    expect(v.artifact).toBe(yaml);
    expect(v.prompt).toContain('(authored over MCP by strata-test@1.0.0)');
    expect(v.prompt).toContain('10/30 SMA cross on SPY');
    // The trace holds the connection's calls before the emit, failed ones included.
    const trace = v.trace as Array<{ name: string; ok: boolean }>;
    expect(trace.map((e) => e.name)).toContain('query_chart');
    expect(trace.filter((e) => e.name === 'emit_strategy').map((e) => e.ok)).toEqual([false, true]);
    const session = JSON.parse(readFileSync(join(tmp, 'session.json'), 'utf8')) as { strategies: Array<{ name: string; commit: string }> };
    expect(session.strategies).toEqual([{ name: 'mcp-sma', hash: result.hash, commit: result.version.commit }]);
  });

  it('kept stdout to the protocol and logged each call on stderr', () => {
    expect(protocolErrors, 'every line on stdout parsed as JSON-RPC').toEqual([]);
    expect(stderr).toContain('strata mcp: serving the authoring tools over stdio');
    expect(stderr).toMatch(/mcp: compile_strategy failed \(invalid_arguments\)/);
    expect(stderr).toMatch(/mcp: committed mcp-sma [0-9a-f]{7}/);
  });
});
