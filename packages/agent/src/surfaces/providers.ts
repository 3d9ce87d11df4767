import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { resolve } from 'node:path';
import { ScriptedChatModel } from '../scripted-model.js';

/**
 * Provider selection for the agent surfaces (`strata chat`): which LLM authors the strategy.
 *
 *   --model openai:<model>      ChatOpenAI, key from OPENAI_API_KEY
 *   --model anthropic:<model>   ChatAnthropic, key from ANTHROPIC_API_KEY
 *   --model ollama:<model>      ChatOllama at OLLAMA_HOST (default http://127.0.0.1:11434), checked for reachability
 *   --model replay:<file.json>  ScriptedChatModel replaying a recorded tool-calling conversation (demos, tests)
 *
 * Without --model: STRATA_MODEL, else the first configured provider in the order above
 * (an API key present, or an Ollama server answering), else a ProviderError naming exactly
 * what to set. Nothing here falls back silently: a named provider that cannot work is an error.
 */

export const PROVIDERS = ['openai', 'anthropic', 'ollama', 'replay'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** The model used when a provider is chosen without a model name (`--model openai`, or by detection). */
export const DEFAULT_MODELS = {
  openai: 'gpt-4.1-mini',
  anthropic: 'claude-sonnet-4-5',
  ollama: 'llama3.1',
} as const satisfies Record<Exclude<ProviderName, 'replay'>, string>;

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const OLLAMA_TIMEOUT_MS = 1500;

export const PROVIDER_ERROR_CODES = ['bad-model-spec', 'missing-key', 'ollama-unreachable', 'ollama-model-missing', 'replay-file', 'no-provider'] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

/** A provider that cannot be used, with a message that says what to set. `cause` keeps the underlying error. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ModelSpec {
  readonly provider: ProviderName;
  /** The model name; for `replay`, the path of the recorded conversation. */
  readonly model: string;
}

/** Parses `provider:model`. A bare provider name takes its default model (not for `replay`, which needs a file). */
export function parseModelSpec(text: string): ModelSpec {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const provider = (colon < 0 ? trimmed : trimmed.slice(0, colon)).toLowerCase();
  const model = colon < 0 ? '' : trimmed.slice(colon + 1).trim();
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new ProviderError(
      'bad-model-spec',
      `unknown model provider "${provider}" in "${text}": use openai:<model>, anthropic:<model>, ollama:<model> or replay:<file.json> (e.g. --model openai:${DEFAULT_MODELS.openai})`,
    );
  }
  const p = provider as ProviderName;
  if (model === '') {
    if (p === 'replay') throw new ProviderError('bad-model-spec', 'replay needs the recorded conversation: --model replay:<file.json>');
    return { provider: p, model: DEFAULT_MODELS[p] };
  }
  return { provider: p, model };
}

export const formatModelSpec = (spec: ModelSpec): string => `${spec.provider}:${spec.model}`;

export type Env = Readonly<Record<string, string | undefined>>;

export interface SelectOptions {
  /** The --model option, if given. */
  readonly model?: string | undefined;
  /** The environment to read keys from (default process.env). */
  readonly env?: Env;
  /** How long to wait for Ollama (default 1.5 s). */
  readonly ollamaTimeoutMs?: number;
  /** Resolves a relative replay file (default: the current directory). */
  readonly cwd?: string;
  readonly temperature?: number;
}

export interface SelectedModel {
  readonly spec: ModelSpec;
  readonly model: BaseChatModel;
  /** How the provider was chosen, for the banner: `--model`, `STRATA_MODEL`, or the detected key / server. */
  readonly source: string;
}

const nonEmpty = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

export const ollamaHost = (env: Env): string => {
  const raw = env.OLLAMA_HOST?.trim();
  if (!raw) return DEFAULT_OLLAMA_HOST;
  // OLLAMA_HOST is often given as host:port (the ollama CLI accepts that form).
  const withScheme = /^https?:\/\//i.test(raw) ? raw : `http://${raw}`;
  return withScheme.replace(/\/+$/, '');
};

/** What to set, for when nothing is configured. One sentence naming every option. */
export function noProviderMessage(env: Env, ollamaProblem?: string): string {
  const host = ollamaHost(env);
  return [
    'no LLM provider is configured.',
    `Set OPENAI_API_KEY (uses openai:${DEFAULT_MODELS.openai}), or pass --model anthropic:<model> with ANTHROPIC_API_KEY set,`,
    `or run Ollama at ${host} (set OLLAMA_HOST for another address) and pass --model ollama:<model>,`,
    'or replay a recorded conversation with --model replay:<file.json>.',
    'STRATA_MODEL=<provider:model> sets the default.',
    ...(ollamaProblem ? [`(Ollama: ${ollamaProblem})`] : []),
  ].join('\n');
}

export interface OllamaStatus {
  readonly reachable: boolean;
  /** Installed model names (as /api/tags lists them, e.g. `llama3.1:latest`). */
  readonly models: readonly string[];
  /** Why it is not reachable. */
  readonly problem?: string;
}

/** Asks Ollama for its installed models (GET /api/tags) with a short timeout. Never throws. */
export async function probeOllama(host: string, timeoutMs = OLLAMA_TIMEOUT_MS): Promise<OllamaStatus> {
  try {
    const res = await fetch(`${host}/api/tags`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { reachable: false, models: [], problem: `${host}/api/tags answered HTTP ${res.status}` };
    const body = (await res.json()) as { models?: { name?: unknown }[] };
    const models = (body.models ?? []).map((m) => m.name).filter((n): n is string => typeof n === 'string');
    return { reachable: true, models };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
    const code = err.cause?.code ?? err.cause?.errors?.find((x) => x.code)?.code;
    const why =
      err.name === 'TimeoutError' || err.name === 'AbortError'
        ? `no answer from ${host} within ${timeoutMs} ms`
        : `cannot connect to ${host} (${code ?? err.cause?.message ?? err.message})`;
    return { reachable: false, models: [], problem: why };
  }
}

/** `llama3.1` matches `llama3.1:latest`. */
const hasOllamaModel = (installed: readonly string[], model: string) =>
  installed.some((m) => m === model || m === `${model}:latest` || (model.endsWith(':latest') && m === model.slice(0, -':latest'.length)));

async function build(spec: ModelSpec, opts: SelectOptions, env: Env): Promise<BaseChatModel> {
  const temperature = opts.temperature ?? 0;
  switch (spec.provider) {
    case 'openai': {
      const apiKey = env.OPENAI_API_KEY;
      if (!nonEmpty(apiKey)) throw new ProviderError('missing-key', `--model ${formatModelSpec(spec)} needs OPENAI_API_KEY: set it in the environment (export OPENAI_API_KEY=sk-…)`);
      const { ChatOpenAI } = await import('@langchain/openai');
      return new ChatOpenAI({ model: spec.model, apiKey, temperature, ...(nonEmpty(env.OPENAI_BASE_URL) ? { configuration: { baseURL: env.OPENAI_BASE_URL } } : {}) });
    }
    case 'anthropic': {
      const apiKey = env.ANTHROPIC_API_KEY;
      if (!nonEmpty(apiKey)) throw new ProviderError('missing-key', `--model ${formatModelSpec(spec)} needs ANTHROPIC_API_KEY: set it in the environment (export ANTHROPIC_API_KEY=sk-ant-…)`);
      const { ChatAnthropic } = await import('@langchain/anthropic');
      return new ChatAnthropic({ model: spec.model, apiKey, temperature });
    }
    case 'ollama': {
      const host = ollamaHost(env);
      const status = await probeOllama(host, opts.ollamaTimeoutMs);
      if (!status.reachable) {
        throw new ProviderError(
          'ollama-unreachable',
          `--model ${formatModelSpec(spec)}: Ollama is not reachable: ${status.problem}. Start it (ollama serve), or set OLLAMA_HOST to where it runs.`,
        );
      }
      if (!hasOllamaModel(status.models, spec.model)) {
        throw new ProviderError(
          'ollama-model-missing',
          `--model ${formatModelSpec(spec)}: Ollama at ${host} has no model "${spec.model}" (installed: ${status.models.join(', ') || 'none'}). Run: ollama pull ${spec.model}`,
        );
      }
      const { ChatOllama } = await import('@langchain/ollama');
      return new ChatOllama({ model: spec.model, baseUrl: host, temperature });
    }
    case 'replay': {
      try {
        return ScriptedChatModel.fromFile(resolve(opts.cwd ?? process.cwd(), spec.model));
      } catch (e) {
        throw new ProviderError('replay-file', `--model ${formatModelSpec(spec)}: ${(e as Error).message}`, { cause: e });
      }
    }
  }
}

/**
 * Chooses and constructs the chat model. Throws ProviderError (with a message naming what to
 * set) when the requested provider cannot be used or none is configured.
 */
export async function selectProvider(opts: SelectOptions = {}): Promise<SelectedModel> {
  const env = opts.env ?? process.env;
  if (nonEmpty(opts.model)) {
    const spec = parseModelSpec(opts.model);
    return { spec, model: await build(spec, opts, env), source: '--model' };
  }
  if (nonEmpty(env.STRATA_MODEL)) {
    const spec = parseModelSpec(env.STRATA_MODEL);
    return { spec, model: await build(spec, opts, env), source: 'STRATA_MODEL' };
  }
  if (nonEmpty(env.OPENAI_API_KEY)) {
    const spec: ModelSpec = { provider: 'openai', model: DEFAULT_MODELS.openai };
    return { spec, model: await build(spec, opts, env), source: 'OPENAI_API_KEY' };
  }
  if (nonEmpty(env.ANTHROPIC_API_KEY)) {
    const spec: ModelSpec = { provider: 'anthropic', model: DEFAULT_MODELS.anthropic };
    return { spec, model: await build(spec, opts, env), source: 'ANTHROPIC_API_KEY' };
  }
  const host = ollamaHost(env);
  const status = await probeOllama(host, opts.ollamaTimeoutMs);
  if (status.reachable) {
    const installed = status.models;
    const model = hasOllamaModel(installed, DEFAULT_MODELS.ollama) ? DEFAULT_MODELS.ollama : installed[0];
    if (model === undefined) {
      throw new ProviderError('ollama-model-missing', `Ollama at ${host} answers but has no model installed. Run: ollama pull ${DEFAULT_MODELS.ollama}\n\n${noProviderMessage(env)}`);
    }
    const spec: ModelSpec = { provider: 'ollama', model };
    const { ChatOllama } = await import('@langchain/ollama');
    return { spec, model: new ChatOllama({ model, baseUrl: host, temperature: opts.temperature ?? 0 }), source: `Ollama at ${host}` };
  }
  throw new ProviderError('no-provider', noProviderMessage(env, status.problem));
}
