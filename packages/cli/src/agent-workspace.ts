import { createToolContext, defaultStrategiesDir, onnxSentimentScorer, registryNewsSource, SessionError, SessionStore, StrategyRepo, StrategyRepoError, type SessionContext, type ToolContext } from '@strata/agent';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Io } from './main.js';

/**
 * What `strata chat` and `strata mcp` work in: the strategies repository (where versions are
 * committed), the local data the tools read, and the trader's session.
 *
 *   --repo DIR      default: $STRATA_STRATEGIES, else ./strategies (created on the first commit)
 *   --data DIR      default: $STRATA_DATA, else ./data, else ./examples/data (the bundled data)
 *   --session FILE  default: ./.strata/session.json
 */

export interface WorkspaceOptions {
  readonly repo?: string | undefined;
  readonly data?: string | undefined;
  readonly session?: string | undefined;
}

export interface AgentWorkspace {
  readonly repoDir: string;
  readonly dataDir: string;
  readonly store: SessionStore;
  readonly session: SessionContext;
  readonly tools: ToolContext;
}

/** A problem with the options or the files they name; the message says what to pass. */
export class WorkspaceError extends Error {}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export function resolveDataDir(data: string | undefined, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (data !== undefined && data !== '') {
    const dir = resolve(cwd, data);
    if (!isDir(dir)) throw new WorkspaceError(`--data ${data}: no such directory (${dir}); pass the directory holding etf/ and crypto/ market data`);
    return dir;
  }
  if (env.STRATA_DATA) {
    const dir = resolve(cwd, env.STRATA_DATA);
    if (!isDir(dir)) throw new WorkspaceError(`STRATA_DATA=${env.STRATA_DATA}: no such directory (${dir})`);
    return dir;
  }
  for (const candidate of ['data', 'examples/data']) {
    const dir = resolve(cwd, candidate);
    if (isDir(dir)) return dir;
  }
  throw new WorkspaceError(`no market data: there is no ./data or ./examples/data here; pass --data DIR (or set STRATA_DATA)`);
}

export function openAgentWorkspace(opts: WorkspaceOptions, cwd = process.cwd()): AgentWorkspace {
  const dataDir = resolveDataDir(opts.data, cwd);
  const repoDir = defaultStrategiesDir({ repo: opts.repo, cwd });
  const store = opts.session !== undefined && opts.session !== '' ? new SessionStore(resolve(cwd, opts.session)) : SessionStore.forWorkspace(cwd);
  let session: SessionContext;
  try {
    session = store.load();
  } catch (e) {
    if (e instanceof SessionError) throw new WorkspaceError(e.message);
    throw e;
  }
  const base = createToolContext({ dataDir, session, sentiment: onnxSentimentScorer() });
  return { repoDir, dataDir, store, session, tools: { ...base, news: registryNewsSource(base.registry) } };
}

/**
 * Refuses, before the first prompt, a --repo that exists but is no strategies repository (a
 * missing or empty one is fine: it is created on the first commit).
 */
export async function checkRepo(repoDir: string): Promise<void> {
  if (!existsSync(repoDir) || (statSync(repoDir).isDirectory() && readdirSync(repoDir).length === 0)) return;
  try {
    await StrategyRepo.open(repoDir);
  } catch (e) {
    if (e instanceof StrategyRepoError) throw new WorkspaceError(e.message);
    throw e;
  }
}

/**
 * `openAgentWorkspace` + `checkRepo` for a command: a bad workspace is reported as
 * `strata <command>: …` and gives undefined (the command exits 1).
 */
export async function openCheckedWorkspace(command: string, opts: WorkspaceOptions, io: Io): Promise<AgentWorkspace | undefined> {
  try {
    const ws = openAgentWorkspace(opts);
    await checkRepo(ws.repoDir);
    return ws;
  } catch (e) {
    if (e instanceof WorkspaceError) {
      io.err(`strata ${command}: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

/** STRATA_COMMIT_TIME: a fixed commit time in whole seconds, so demos and tests get the same commit ids. */
export function commitTimeFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const t = env.STRATA_COMMIT_TIME ? Number(env.STRATA_COMMIT_TIME) : undefined;
  return t !== undefined && Number.isInteger(t) ? t : undefined;
}
