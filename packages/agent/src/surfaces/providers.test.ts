import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, DEFAULT_OLLAMA_HOST, ollamaHost, parseModelSpec, probeOllama, ProviderError, selectProvider } from './providers.js';

/** A port nothing listens on: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];
let deadPort: number;

beforeAll(async () => {
  // A TCP server that accepts connections and never answers: an Ollama that hangs.
  silent = createServer((sock) => sockets.push(sock));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as { port: number }).port;
  deadPort = await closedPort();
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

const expectProviderError = async (p: Promise<unknown>, code: ProviderError['code'], ...fragments: string[]) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'selection must fail').toBeInstanceOf(ProviderError);
  expect((e as ProviderError).code).toBe(code);
  for (const f of fragments) expect((e as ProviderError).message, `the message names ${f}`).toContain(f);
};

describe('parseModelSpec', () => {
  it.each([
    ['openai:gpt-4o', { provider: 'openai', model: 'gpt-4o' }],
    ['anthropic:claude-3-5-haiku-latest', { provider: 'anthropic', model: 'claude-3-5-haiku-latest' }],
    ['ollama:qwen2.5:7b', { provider: 'ollama', model: 'qwen2.5:7b' }], // the model name keeps its own colon
    ['replay:fixtures/demo.json', { provider: 'replay', model: 'fixtures/demo.json' }],
    ['OpenAI', { provider: 'openai', model: DEFAULT_MODELS.openai }], // a bare provider takes its default model
  ])('%s', (text, spec) => {
    expect(parseModelSpec(text)).toEqual(spec);
  });

  it.each([
    ['gemini:pro', 'unknown model provider "gemini"'],
    ['replay', 'replay needs the recorded conversation'],
  ])('%s is rejected: %s', (text, message) => {
    expect(() => parseModelSpec(text)).toThrow(message);
  });
});

describe('ollamaHost', () => {
  it.each([
    [undefined, DEFAULT_OLLAMA_HOST],
    ['10.0.0.5:11434', 'http://10.0.0.5:11434'], // the ollama CLI's host:port form
    ['https://ollama.example/', 'https://ollama.example'],
  ])('%s → %s', (value, host) => {
    expect(ollamaHost(value === undefined ? {} : { OLLAMA_HOST: value })).toBe(host);
  });
});

describe('selectProvider', () => {
  it('without keys and without Ollama names every variable to set', async () => {
    const env = { OLLAMA_HOST: `127.0.0.1:${deadPort}` };
    await expectProviderError(selectProvider({ env }), 'no-provider', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', `http://127.0.0.1:${deadPort}`, 'OLLAMA_HOST', 'replay:', 'ECONNREFUSED');
  });

  it('an explicit provider without its key says which key', async () => {
    await expectProviderError(selectProvider({ model: 'openai:gpt-4o', env: {} }), 'missing-key', 'OPENAI_API_KEY');
    await expectProviderError(selectProvider({ model: 'anthropic:claude-sonnet-4-5', env: { OPENAI_API_KEY: 'sk-x' } }), 'missing-key', 'ANTHROPIC_API_KEY');
  });

  it('an Ollama that refuses connections is reported with its address', async () => {
    await expectProviderError(selectProvider({ model: 'ollama:llama3.1', env: { OLLAMA_HOST: `http://127.0.0.1:${deadPort}` } }), 'ollama-unreachable', `127.0.0.1:${deadPort}`, 'ECONNREFUSED', 'ollama serve');
  });

  it('an Ollama that accepts but never answers times out quickly', async () => {
    const t0 = Date.now();
    await expectProviderError(
      selectProvider({ model: 'ollama:llama3.1', env: { OLLAMA_HOST: `127.0.0.1:${silentPort}` }, ollamaTimeoutMs: 300 }),
      'ollama-unreachable',
      'no answer',
      'within 300 ms',
    );
    expect(Date.now() - t0, 'the timeout bounds the wait').toBeLessThan(5000);
  });

  it('a key in the environment selects that provider and builds its LangChain model (no request is made)', async () => {
    const openai = await selectProvider({ env: { OPENAI_API_KEY: 'sk-test' } });
    expect(openai.spec).toEqual({ provider: 'openai', model: DEFAULT_MODELS.openai });
    expect(openai.source).toBe('OPENAI_API_KEY');
    expect(openai.model).toBeInstanceOf(ChatOpenAI);

    const anthropic = await selectProvider({ env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
    expect(anthropic.spec.provider).toBe('anthropic');
    expect(anthropic.model).toBeInstanceOf(ChatAnthropic);
    expect((anthropic.model as ChatAnthropic).model).toBe(DEFAULT_MODELS.anthropic);
  });

  it('STRATA_MODEL wins over detected keys, --model wins over STRATA_MODEL', async () => {
    const env = { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test', STRATA_MODEL: 'anthropic:claude-3-5-haiku-latest' };
    const fromEnv = await selectProvider({ env });
    expect(fromEnv.source).toBe('STRATA_MODEL');
    expect((fromEnv.model as ChatAnthropic).model).toBe('claude-3-5-haiku-latest');
    const fromFlag = await selectProvider({ env, model: 'openai:gpt-4o' });
    expect(fromFlag.source).toBe('--model');
    expect((fromFlag.model as ChatOpenAI).model).toBe('gpt-4o');
  });
});

describe('Ollama over HTTP', () => {
  // A real HTTP server answering Ollama's model listing (GET /api/tags) the way Ollama does:
  // selection only asks which models are installed; no chat request is made here.
  let http: HttpServer;
  let host: string;
  beforeAll(async () => {
    http = createHttpServer((req, res) => {
      if (req.url === '/api/tags') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ models: [{ name: 'qwen2.5:7b' }, { name: 'llama3.1:latest' }] }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    host = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => http.close(() => r()));
  });

  it('lists the installed models', async () => {
    expect(await probeOllama(host)).toEqual({ reachable: true, models: ['qwen2.5:7b', 'llama3.1:latest'] });
  });

  it('detection picks the default model when it is installed (llama3.1 = llama3.1:latest)', async () => {
    const s = await selectProvider({ env: { OLLAMA_HOST: host } });
    expect(s.spec).toEqual({ provider: 'ollama', model: DEFAULT_MODELS.ollama });
    expect(s.source).toBe(`Ollama at ${host}`);
    expect(s.model).toBeInstanceOf(ChatOllama);
  });

  it('a model that is not pulled says how to pull it', async () => {
    await expectProviderError(selectProvider({ model: 'ollama:mistral', env: { OLLAMA_HOST: host } }), 'ollama-model-missing', 'ollama pull mistral', 'qwen2.5:7b');
  });
});
