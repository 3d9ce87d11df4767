import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, strata } from './run-bin.js';

/**
 * Provider selection as the user meets it: the built `strata chat` with the environment it is
 * given. Nothing is configured or reachable → exit 78 and a message naming exactly what to set.
 */

let tmp: string;
let deadHost: string;
/** No key, no default model, and an Ollama address where nothing listens. */
let bare: Record<string, string | undefined>;

beforeAll(async () => {
  if (!existsSync(join(root, 'packages/cli/dist/chat-command.js'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  }
  tmp = mkdtempSync(join(tmpdir(), 'strata-chat-providers-'));
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  deadHost = `127.0.0.1:${(s.address() as { port: number }).port}`;
  await new Promise<void>((r) => s.close(() => r()));
  bare = { OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined, STRATA_MODEL: undefined, OLLAMA_HOST: deadHost };
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const chat = (args: string[], env: Record<string, string | undefined> = {}) => strata(['chat', '--repo', join(tmp, 'strategies'), '--session', join(tmp, 'session.json'), ...args], { env: { ...bare, ...env } });

describe.concurrent('strata chat: provider selection', () => {
  it('no key and no Ollama → 78, naming every variable and the Ollama address', async () => {
    const r = await chat([]);
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    for (const part of ['strata chat: no LLM provider is configured.', 'Set OPENAI_API_KEY', 'ANTHROPIC_API_KEY', `run Ollama at http://${deadHost}`, 'OLLAMA_HOST', '--model replay:<file.json>', 'STRATA_MODEL', 'ECONNREFUSED']) {
      expect(r.stderr, `names ${part}`).toContain(part);
    }
  });

  it.each([
    ['openai:gpt-4o', 'OPENAI_API_KEY', 'strata chat: --model openai:gpt-4o needs OPENAI_API_KEY: set it in the environment'],
    ['anthropic:claude-sonnet-4-5', 'ANTHROPIC_API_KEY', 'strata chat: --model anthropic:claude-sonnet-4-5 needs ANTHROPIC_API_KEY'],
  ])('--model %s without %s → 78 naming the key', async (model, _key, message) => {
    const r = await chat(['--model', model]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(message);
  });

  it('a key for another provider does not stand in for the one asked for', async () => {
    const r = await chat(['--model', 'anthropic:claude-sonnet-4-5'], { OPENAI_API_KEY: 'sk-test' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('needs ANTHROPIC_API_KEY');
  });

  it('an unreachable Ollama → 78 with its address and how to start it', async () => {
    const r = await chat(['--model', 'ollama:llama3.1']);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`strata chat: --model ollama:llama3.1: Ollama is not reachable: cannot connect to http://${deadHost} (ECONNREFUSED)`);
    expect(r.stderr).toContain('Start it (ollama serve), or set OLLAMA_HOST');
  });

  it('STRATA_MODEL is used when --model is absent', async () => {
    const r = await chat([], { STRATA_MODEL: 'ollama:qwen2.5' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('--model ollama:qwen2.5: Ollama is not reachable');
  });

  it('an unknown provider is a usage error (2)', async () => {
    const r = await chat(['--model', 'gemini:pro']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown model provider "gemini"');
    expect(r.stderr).toContain('openai:<model>, anthropic:<model>, ollama:<model> or replay:<file.json>');
  });

  it('a replay file that is missing or not a recording → 78 saying which', async () => {
    const missing = await chat(['--model', 'replay:no-such-recording.json']);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/--model replay:no-such-recording\.json: cannot read the recorded conversation .*no-such-recording\.json/);
    const notOne = await chat(['--model', `replay:${join(root, 'examples/sma-cross.yaml')}`]);
    expect(notOne.code).toBe(78);
    expect(notOne.stderr).toContain('cannot read the recorded conversation');
  });

  it('a missing data directory → 1 naming the option', async () => {
    const r = await chat(['--model', `replay:${join(root, 'packages/cli/test/fixtures/chat-session-1.json')}`, '--data', join(tmp, 'no-data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`strata chat: --data ${join(tmp, 'no-data')}: no such directory`);
  });
});

describe.concurrent('strata chat and mcp: a --repo that is no strategies repository → 1 before anything starts', () => {
  it.each(['chat', 'mcp'])('strata %s', async (command) => {
    const notRepo = join(tmp, `not-a-repo-${command}`);
    mkdirSync(notRepo, { recursive: true });
    writeFileSync(join(notRepo, 'notes.txt'), 'not a strategies repository\n');
    const args = command === 'chat' ? ['chat', '--model', `replay:${join(root, 'packages/cli/test/fixtures/chat-session-1.json')}`] : ['mcp'];
    const r = await strata([...args, '--repo', notRepo, '--data', join(root, 'examples/data'), '--session', join(tmp, `s-${command}.json`)], { env: bare });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`strata ${command}: ${notRepo} is not a strategies repository: it holds files but no .git`);
  });
});

describe.concurrent('strata mcp: options', () => {
  it('a missing data directory → 1, and nothing on stdout', async () => {
    const r = await strata(['mcp', '--data', join(tmp, 'no-data')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('strata mcp: --data');
  });
});
