import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToolContext, SessionContext, SessionStore, StrategyRepo, type ScriptedConversation, type ToolContext, type VersionSink } from '@strata/agent';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DATA = join(ROOT, 'examples/data');
export const CRYPTO_DATA = join(ROOT, '../shared/data');
export const FIXTURE = join(ROOT, 'packages/agent/test/fixtures/sma-cross-session.json');
export const SMA_CROSS = readFileSync(join(ROOT, 'examples/sma-cross.yaml'), 'utf8');

/** A fixed commit time so commits are byte-for-byte reproducible. */
export const COMMIT_TIME = 1_750_000_000;

export interface Workspace {
  readonly dir: string;
  readonly store: SessionStore;
  readonly session: SessionContext;
  readonly ctx: ToolContext;
  readonly repo: StrategyRepo;
  /** The repository as the loop's sink, with a fixed commit time. */
  readonly sink: VersionSink;
  /** Every version the sink was asked to commit. */
  readonly committed: unknown[];
  cleanup(): void;
}

export async function workspace(opts: { dataDir?: string } = {}): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-agent-'));
  const store = SessionStore.forWorkspace(dir);
  const session = store.load();
  const ctx = createToolContext({ dataDir: opts.dataDir ?? DATA, session });
  const repo = await StrategyRepo.open(join(dir, 'strategies'), { create: true });
  const committed: unknown[] = [];
  const sink: VersionSink = {
    async commitVersion(v) {
      committed.push(v);
      return repo.commitVersion({ ...v, timestamp: COMMIT_TIME });
    },
  };
  return { dir, store, session, ctx, repo, sink, committed, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

type Turn = ScriptedConversation['turns'][number];

/** A recording from turns (the model id is fixed). */
export function recording(turns: ReadonlyArray<Partial<Turn>>): ScriptedConversation {
  return {
    schema: 'strata.scripted-conversation/v1',
    model: 'test:scripted',
    turns: turns.map((t) => ({ text: '', tool_calls: [], ...t })),
  } as ScriptedConversation;
}

/** An artifact that compiles: the example SMA cross under another name. */
export function smaCross(name = 'sma-cross'): string {
  return SMA_CROSS.replace('name: sma-cross', `name: ${name}`);
}
