import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTEXT_TURNS, createToolContext, invokeTool, SessionContext, SessionError, SessionStore } from '@strata/agent';
import { DATA } from './helpers.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'strata-session-'));
  dirs.push(d);
  return d;
}

describe('SessionContext and SessionStore', () => {
  it('persists the session under .strata/session.json and restores it in a new instance (a restart)', async () => {
    const dir = tmp();
    const store = SessionStore.forWorkspace(dir);
    expect(store.path).toBe(join(dir, '.strata', 'session.json'));
    const session = store.load();
    expect(session.toJSON()).toEqual(new SessionContext().toJSON());
    const ctx = createToolContext({ dataDir: DATA, session });
    await invokeTool('query_chart', { symbol: 'XLK', last: 1 }, ctx);
    await invokeTool('annotate_drawing', { drawings: [{ shape: 'horizontal_line', id: 'top', points: [{ price: 250 }], text: 'ATH' }] }, ctx);
    await invokeTool('compose_signal_node', { name: 'trend', node: 'sma', inputs: ['close'], params: { period: 200 } }, ctx);
    session.setRisk({ maxDrawdown: 0.15, riskPerTrade: 0.01 });
    session.addTurn({ role: 'user', content: 'trade XLK' });
    session.recordStrategy({ name: 'xlk-trend', hash: 'sha256:ab', commit: 'c0ffee' });
    store.save(session);

    const restored = new SessionStore(store.path).load();
    expect(restored.toJSON()).toEqual(session.toJSON());
    expect(restored.symbol).toBe('XLK');
    expect(restored.drawings[0]).toMatchObject({ id: 'top', kind: 'horizontal_line', levels: [250], label: 'ATH', signal: 'level_top' });
    expect(restored.signals.map((s) => s.name)).toEqual(['trend']);
    expect(restored.risk).toEqual({ maxDrawdown: 0.15, riskPerTrade: 0.01 });
    expect(restored.render()).toBe(session.render());
    // Atomic write: no temporary file is left behind.
    expect(readdirSync(join(dir, '.strata'))).toEqual(['session.json']);
  });

  it('renders the session as a structured context message (JSON), with the recent conversation only', () => {
    const s = new SessionContext();
    s.setActive({ symbol: 'SPY', timeframe: '1d', feed: 'equities.us.daily' });
    for (let i = 0; i < 20; i++) s.addTurn({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}` });
    const text = s.render();
    const json = JSON.parse(text.slice(text.indexOf('```json\n') + 8, text.lastIndexOf('\n```'))) as { active: unknown; conversation: { turns: number; recent: Array<{ content: string }> } };
    expect(json.active).toEqual({ symbol: 'SPY', timeframe: '1d', feed: 'equities.us.daily' });
    expect(json.conversation.turns).toBe(20);
    expect(json.conversation.recent).toHaveLength(CONTEXT_TURNS);
    expect(json.conversation.recent[0]!.content).toBe(`turn ${20 - CONTEXT_TURNS}`);
  });

  it('replaces a drawing or signal redefined under the same id / name', () => {
    const s = new SessionContext();
    const d = { id: 'a', kind: 'horizontal_line' as const, symbol: 'SPY', signal: 'level_a', points: [], levels: [1], label: null };
    s.addDrawings([d]);
    s.addDrawings([{ ...d, levels: [2] }]);
    expect(s.drawings.map((x) => x.levels)).toEqual([[2]]);
    s.defineSignal({ name: 'x', node: 'sma', expression: 'sma(close, period=1)', yaml: '', source: 't' });
    s.defineSignal({ name: 'x', node: 'ema', expression: 'ema(close, period=1)', yaml: '', source: 't' });
    expect(s.signals.map((x) => x.node)).toEqual(['ema']);
    expect(s.removeDrawing('a')).toBe(true);
    expect(s.drawings).toEqual([]);
  });

  it.each([
    ['not JSON', '{ nope', /is not JSON/],
    ['a wrong schema', JSON.stringify({ schema: 'strata.session/v0' }), /malformed at schema/],
    ['a wrong field type', JSON.stringify({ ...new SessionContext().toJSON(), drawings: 'x' }), /malformed at drawings/],
  ])('refuses a session file that is %s, saying so', (_label, text, message) => {
    const dir = tmp();
    mkdirSync(join(dir, '.strata'));
    writeFileSync(join(dir, '.strata', 'session.json'), text);
    expect(() => SessionStore.forWorkspace(dir).load()).toThrow(SessionError);
    expect(() => SessionStore.forWorkspace(dir).load()).toThrow(message);
    expect(readFileSync(join(dir, '.strata', 'session.json'), 'utf8')).toBe(text);
  });

  it('rejects risk preferences of the wrong type', () => {
    expect(() => new SessionContext().setRisk({ maxDrawdown: 'high' as unknown as number })).toThrow(/risk preferences/);
  });
});
