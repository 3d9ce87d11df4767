import { StrategyRepo } from '@strata/agent';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTmux, TmuxSession } from './chat-tmux.js';
import { bin, root } from './run-bin.js';

/**
 * `strata chat` in a real terminal: tmux runs the built bin in a pseudo-terminal, the test types
 * with send-keys and reads the screen with capture-pane. The LLM is the replay provider (a
 * recorded tool-calling conversation); everything else is real: readline in raw mode, the tools
 * over the bundled data, the compiler, the backtest, the git commits in the strategies repository,
 * the session file. The two sessions run in order: the second restores what the first saved.
 */

const FIXTURES = join(root, 'packages/cli/test/fixtures');
const PROMPT_1 = 'Build me a daily SPY moving-average crossover strategy.';
const PROMPT_2 = 'Make the fast average faster.';
const PROMPT = /you › $/m;
/** 2025-06-15T15:06:40Z: commits are reproducible. */
const COMMIT_TIME = '1750000000';

let tmp: string;
let session: TmuxSession | undefined;

beforeAll(() => {
  ensureTmux();
  if (!existsSync(join(root, 'packages/cli/dist/chat-command.js'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  }
  tmp = mkdtempSync(join(tmpdir(), 'strata-chat-test-'));
}, 180_000);

afterEach(() => {
  session?.kill();
  session = undefined;
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function startChat(fixture: string): TmuxSession {
  const argv = [process.execPath, bin, 'chat', '--model', `replay:${join(FIXTURES, fixture)}`, '--repo', join(tmp, 'strategies'), '--data', join(root, 'examples/data'), '--session', join(tmp, 'session.json')];
  // No NO_COLOR: the terminal gets colours (capture-pane without -e shows the plain text).
  session = TmuxSession.start(argv, { cwd: tmp, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, TERM: 'xterm-256color', STRATA_COMMIT_TIME: COMMIT_TIME } });
  return session;
}

/** The text after the last occurrence of `marker` (what one command printed). */
const after = (screen: string, marker: string) => screen.slice(screen.lastIndexOf(marker) + marker.length);

describe.sequential('strata chat in a terminal (tmux)', () => {
  it('streams the answer, shows tool calls, diagnostics, the backtest and the commit; /history; /quit', async () => {
    const s = startChat('chat-session-1.json');
    const banner = await s.waitFor(PROMPT, 20_000, 'the first prompt');
    expect(banner).toContain('strata chat — author strategies with an LLM');
    expect(banner).toContain(`model:    replay:${join(FIXTURES, 'chat-session-1.json')} (--model)`);
    expect(banner).toContain(`repo:     ${join(tmp, 'strategies')}`);
    expect(banner, 'a fresh session restores nothing').not.toContain('Restored session');

    s.type(PROMPT_1);
    const screen = await s.waitFor((x) => /● committed spy-sma-chat/.test(x) && PROMPT.test(x), 30_000, 'the commit and the next prompt');
    const turn = after(screen, `you › ${PROMPT_1}`);
    // In order: streamed text, tool call with compact args, result, … the diagnostics, the fix, the commit.
    const expected = [
      "agent › Let me look at SPY's daily chart first.",
      '→ query_chart {"symbol":"SPY","from":"2024-01-01","last":5}',
      '✓ query_chart  SPY 1d 2024-01-02 → 2025-09-25, 5 bars shown',
      "agent › SPY trends up. I'll define the fast average as a signal.",
      '→ compose_signal_node {"name":"fast_ma","node":"sma","inputs":["close"],"params":{"period":"$fast"}}',
      '✓ compose_signal_node  fast_ma = sma(close, period=$fast)',
      'agent › Here is a 10/30-day crossover.',
      '→ emit_strategy {"yaml":"# SMA crossover on SPY: long while the f… (',
      '✗ emit_strategy  compile_failed: the artifact does not compile',
      '✗ compile failed: 1 error',
      'error[E401]: unknown name `slwo_ma`',
      '--> strategy.yaml:19:32',
      '19 |   long: crosses_above(fast_ma, slwo_ma)',
      '^^^^^^^',
      '= hint: did you mean `slow_ma`, defined at 16:3?',
      'agent › I misspelled slow_ma in the entry rule; fixing it.',
      '✓ emit_strategy  accepted spy-sma-chat',
      '✓ compiled sha256:',
      '▸ backtest 1993-01-29 → 2025-09-25 (8221 bars): return ',
      '● committed spy-sma-chat ',
      'agent › Committed spy-sma-chat: long SPY while the 10-day average is above the 30-day one.',
    ];
    let at = 0;
    for (const fragment of expected) {
      const i = turn.indexOf(fragment, at);
      expect(i, `"${fragment}" appears after what came before it, in:\n${turn}`).toBeGreaterThanOrEqual(at);
      at = i + fragment.length;
    }
    expect(turn, 'the spinner leaves nothing behind').not.toMatch(/thinking…|running \w+…/);
    // A terminal without NO_COLOR gets colours: the diagnostic's severity in red (SGR 31).
    expect(s.screenWithEscapes()).toMatch(/\u001b\[(1;)?31m(\u001b\[1m)?error\[E401\]/);
    const short = /● committed spy-sma-chat ([0-9a-f]{7}) sha256:([0-9a-f]{12})/.exec(turn)!;

    s.type('/history spy-sma-chat');
    const hist = after(await s.waitFor(/spy-sma-chat: 1 version in [\s\S]*you › $/m, 10_000, 'the /history output'), 'you › /history spy-sma-chat');
    expect(hist).toContain(`spy-sma-chat: 1 version in ${join(tmp, 'strategies')} (newest first)`);
    expect(hist).toMatch(new RegExp(`v1 +${short[1]} +2025-06-15 15:06 +sha256:${short[2]} +openai:gpt-4\\.1-mini-2025-04-14 +spy-sma-chat: 10/30-day SMA crossover on SPY\\.`));

    s.type('/help');
    const help = after(await s.waitFor(/\/quit[\s\S]*you › $/m, 10_000, 'the /help output'), 'you › /help');
    for (const c of ['/backtest [name@rev]', '/context', '/history [name]', '/show name@rev', '/diff name revA revB', '/help', '/quit']) expect(help).toContain(c);

    s.type('/quit');
    expect(await s.waitForExit(), 'leaving with /quit is a clean exit').toBe(0);
    expect(s.screen()).toMatch(/bye\s*$/);

    // The commit is in the strategies repository: the artifact, the prompt, the model, the trace.
    const repo = await StrategyRepo.open(join(tmp, 'strategies'));
    const [v1] = await repo.history('spy-sma-chat');
    expect(v1).toMatchObject({ version: 1, short: short[1], model: 'openai:gpt-4.1-mini-2025-04-14', date: '2025-06-15T15:06:40.000Z' });
    expect(v1!.message.split('\n')[0]).toBe('spy-sma-chat: 10/30-day SMA crossover on SPY.');
    expect(v1!.artifactHash).toMatch(new RegExp(`^sha256:${short[2]}`));
    const version = await repo.read('spy-sma-chat', 'v1');
    expect(version.prompt.trim()).toBe(PROMPT_1);
    expect(version.artifact).toContain('long: crosses_above(fast_ma, slow_ma)');
    const trace = version.trace as Array<{ kind: string; name?: string; ok?: boolean }>;
    expect(trace.filter((t) => t.kind === 'tool').map((t) => `${t.name}:${t.ok}`)).toEqual(['query_chart:true', 'compose_signal_node:true', 'emit_strategy:false', 'emit_strategy:true']);

    // The session was saved: the chart, the signal, the strategy, the conversation.
    const saved = JSON.parse(readFileSync(join(tmp, 'session.json'), 'utf8')) as { symbol: string; signals: Array<{ name: string }>; strategies: Array<{ name: string }>; conversation: unknown[] };
    expect(saved.symbol).toBe('SPY');
    expect(saved.signals.map((x) => x.name)).toEqual(['fast_ma']);
    expect(saved.strategies.map((x) => x.name)).toEqual(['spy-sma-chat']);
    expect(saved.conversation).toHaveLength(2);
  }, 90_000);

  it('a second session restores the context (shown, and given to the model); /diff, /backtest; Ctrl-D leaves', async () => {
    const s = startChat('chat-session-2.json');
    const banner = await s.waitFor(PROMPT, 20_000, 'the first prompt');
    expect(banner).toContain('Restored session');
    expect(banner).toContain('active symbol: SPY 1d (equities.us.daily)');
    expect(banner).toContain('signals (1):');
    expect(banner).toContain('fast_ma = sma(close, period=$fast)');
    expect(banner).toMatch(/strategies emitted \(1\): spy-sma-chat@[0-9a-f]{7} sha256:[0-9a-f]{12}/);
    expect(banner).toContain('conversation: 2 earlier turns');

    // The recording checks that the model's system message carries the restored context.
    s.type(PROMPT_2);
    const screen = await s.waitFor((x) => /● committed spy-sma-chat/.test(x) && PROMPT.test(x), 30_000, 'the second commit');
    const turn = after(screen, `you › ${PROMPT_2}`);
    expect(turn).toContain('agent › Your session is on SPY 1d with fast_ma defined. Setting the fast period to 5 days.');
    expect(turn).toContain('agent › Committed version 2 of spy-sma-chat.');

    s.type('/diff spy-sma-chat v1 v2');
    const diff = after(await s.waitFor(/you › \/diff[\s\S]*you › $/m, 10_000, 'the /diff output'), 'you › /diff spy-sma-chat v1 v2');
    expect(diff).toMatch(/spy-sma-chat@v1 \(v1, [0-9a-f]{7}\)/);
    expect(diff).toMatch(/params/);
    expect(diff).toMatch(/fast/);
    expect(diff).toMatch(/10[\s\S]*5/);

    s.type('/backtest spy-sma-chat@v1');
    const bt = after(await s.waitFor(/you › \/backtest[\s\S]*you › $/m, 20_000, 'the /backtest output'), 'you › /backtest spy-sma-chat@v1');
    expect(bt).toMatch(/spy-sma-chat v1 [0-9a-f]{7} sha256:[0-9a-f]{12}/);
    expect(bt).toContain('1993-01-29 → 2025-09-25 (8221 bars): return ');
    expect(bt).toMatch(/SPY: \d+ trades, \d+ wins, pnl -?\d+\.\d\d/);

    s.type('/show nope@v1');
    const show = after(await s.waitFor(/you › \/show nope@v1[\s\S]*you › $/m, 10_000, 'the /show error'), 'you › /show nope@v1');
    expect(show).toMatch(/strata show: .*nope/);

    s.keys('C-d');
    expect(await s.waitForExit(), 'end of input is a clean exit').toBe(0);
    expect(s.screen()).toMatch(/bye\s*$/);

    const repo = await StrategyRepo.open(join(tmp, 'strategies'));
    const history = await repo.history('spy-sma-chat');
    expect(history.map((h) => h.version)).toEqual([2, 1]);
    expect((await repo.read('spy-sma-chat', 'v2')).artifact).toContain('fast: { default: 5,');
  }, 90_000);

  it('Ctrl-C at the prompt leaves cleanly and keeps the session', async () => {
    const before = readFileSync(join(tmp, 'session.json'), 'utf8');
    const s = startChat('chat-session-2.json');
    await s.waitFor(PROMPT, 20_000, 'the first prompt');
    s.keys('C-c');
    expect(await s.waitForExit()).toBe(0);
    expect(s.screen()).toMatch(/\^C\s*\n\s*bye\s*$/);
    expect(readFileSync(join(tmp, 'session.json'), 'utf8'), 'nothing was lost or changed').toBe(before);
  }, 60_000);
});
