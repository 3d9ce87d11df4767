import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * The context manager: the trader's working session — active symbol, timeframe, chart drawings,
 * prior signal definitions, risk preferences and the conversation — persisted across turns (a
 * JSON file, written atomically) and fed to every model call as a structured system message.
 */

export const SESSION_SCHEMA = 'strata.session/v1';

const point = z.strictObject({ time: z.string(), price: z.number() });

const drawingRecord = z.strictObject({
  id: z.string(),
  kind: z.enum(['trend_line', 'horizontal_line', 'zone', 'fib_retracement']),
  symbol: z.string().nullable(),
  signal: z.string(),
  points: z.array(point),
  levels: z.array(z.number()),
  label: z.string().nullable(),
});

const signalRecord = z.strictObject({
  name: z.string(),
  node: z.string(),
  expression: z.string(),
  yaml: z.string(),
  source: z.string(),
});

const riskRecord = z.strictObject({
  maxDrawdown: z.number().optional(),
  riskPerTrade: z.number().optional(),
  maxPositionWeight: z.number().optional(),
  dailyLossHalt: z.number().optional(),
  notes: z.string().optional(),
});

const turnRecord = z.strictObject({ role: z.enum(['user', 'assistant']), content: z.string() });

const strategyRecord = z.strictObject({ name: z.string(), hash: z.string(), commit: z.string() });

const sessionState = z.strictObject({
  schema: z.literal(SESSION_SCHEMA),
  symbol: z.string().nullable(),
  timeframe: z.string().nullable(),
  feed: z.string().nullable(),
  drawings: z.array(drawingRecord),
  signals: z.array(signalRecord),
  risk: riskRecord,
  conversation: z.array(turnRecord),
  strategies: z.array(strategyRecord),
});

export type DrawingRecord = z.infer<typeof drawingRecord>;
export type SignalRecord = z.infer<typeof signalRecord>;
export type RiskPreferences = z.infer<typeof riskRecord>;
export type ConversationTurn = z.infer<typeof turnRecord>;
export type StrategyRecord = z.infer<typeof strategyRecord>;
export type SessionState = z.infer<typeof sessionState>;

/** How many conversation turns the rendered context carries (the whole history stays on disk). */
export const CONTEXT_TURNS = 12;
/** Longest conversation turn rendered into the context, in characters. */
export const CONTEXT_TURN_CHARS = 2000;

export class SessionError extends Error {
  override readonly name = 'SessionError';
}

function emptyState(): SessionState {
  return { schema: SESSION_SCHEMA, symbol: null, timeframe: null, feed: null, drawings: [], signals: [], risk: {}, conversation: [], strategies: [] };
}

/** The working session. Mutators keep the state canonical (drawings and signals unique by id / name). */
export class SessionContext {
  #state: SessionState;

  constructor(state?: SessionState) {
    this.#state = state ? structuredClone(state) : emptyState();
  }

  /** Restores a session from its JSON form; a malformed one is a `SessionError` naming the field. */
  static fromJSON(value: unknown): SessionContext {
    const r = sessionState.safeParse(value);
    if (!r.success) {
      const first = r.error.issues[0]!;
      throw new SessionError(`session state is malformed at ${first.path.join('.') || '(root)'}: ${first.message}`);
    }
    return new SessionContext(r.data);
  }

  get symbol(): string | null {
    return this.#state.symbol;
  }
  get timeframe(): string | null {
    return this.#state.timeframe;
  }
  get feed(): string | null {
    return this.#state.feed;
  }
  get drawings(): readonly DrawingRecord[] {
    return this.#state.drawings;
  }
  get signals(): readonly SignalRecord[] {
    return this.#state.signals;
  }
  get risk(): RiskPreferences {
    return this.#state.risk;
  }
  get conversation(): readonly ConversationTurn[] {
    return this.#state.conversation;
  }
  get strategies(): readonly StrategyRecord[] {
    return this.#state.strategies;
  }

  /** The chart the trader is looking at. */
  setActive(active: { readonly symbol: string; readonly timeframe: string; readonly feed: string }): void {
    this.#state.symbol = active.symbol;
    this.#state.timeframe = active.timeframe;
    this.#state.feed = active.feed;
  }

  /** Adds drawings; one with an id already present replaces it. */
  addDrawings(drawings: readonly DrawingRecord[]): void {
    for (const d of drawings) {
      const i = this.#state.drawings.findIndex((x) => x.id === d.id);
      if (i >= 0) this.#state.drawings[i] = structuredClone(d);
      else this.#state.drawings.push(structuredClone(d));
    }
  }

  removeDrawing(id: string): boolean {
    const n = this.#state.drawings.length;
    this.#state.drawings = this.#state.drawings.filter((d) => d.id !== id);
    return this.#state.drawings.length < n;
  }

  /** Records a signal definition; a later definition of the same name replaces the earlier one. */
  defineSignal(signal: SignalRecord): void {
    const i = this.#state.signals.findIndex((s) => s.name === signal.name);
    if (i >= 0) this.#state.signals[i] = { ...signal };
    else this.#state.signals.push({ ...signal });
  }

  setRisk(risk: RiskPreferences): void {
    const next = { ...this.#state.risk, ...risk };
    const r = riskRecord.safeParse(next);
    if (!r.success) throw new SessionError(`risk preferences: ${r.error.issues[0]!.message}`);
    this.#state.risk = r.data;
  }

  addTurn(turn: ConversationTurn): void {
    this.#state.conversation.push({ ...turn });
  }

  recordStrategy(s: StrategyRecord): void {
    this.#state.strategies.push({ ...s });
  }

  /** A deep copy of the state (what is persisted). */
  toJSON(): SessionState {
    return structuredClone(this.#state);
  }

  /**
   * The structured context for a model call: the session as JSON (recent conversation only),
   * with a short preamble. Deterministic for a given state.
   */
  render(): string {
    const s = this.#state;
    const recent = s.conversation.slice(-CONTEXT_TURNS).map((t) => ({ role: t.role, content: t.content.length > CONTEXT_TURN_CHARS ? `${t.content.slice(0, CONTEXT_TURN_CHARS)}…` : t.content }));
    const view = {
      active: { symbol: s.symbol, timeframe: s.timeframe, feed: s.feed },
      drawings: s.drawings,
      signals: s.signals.map((x) => ({ name: x.name, node: x.node, expression: x.expression, source: x.source })),
      risk: s.risk,
      strategies: s.strategies,
      conversation: { turns: s.conversation.length, recent },
    };
    return [
      'Session context (structured, maintained by Strata across turns). Use it: the active chart, the trader\'s drawings',
      'and signals already defined can go straight into the strategy; respect the risk preferences.',
      '```json',
      JSON.stringify(view, null, 2),
      '```',
    ].join('\n');
  }
}

/** Persists a session as JSON: `<workspace>/.strata/session.json` by default; writes are atomic. */
export class SessionStore {
  constructor(readonly path: string) {}

  /** The default store of a workspace directory. */
  static forWorkspace(workspace: string): SessionStore {
    return new SessionStore(join(workspace, '.strata', 'session.json'));
  }

  /** The saved session, or a fresh one when there is no file yet. A corrupt file is a `SessionError`. */
  load(): SessionContext {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new SessionContext();
      throw new SessionError(`cannot read the session ${this.path}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SessionError(`the session file ${this.path} is not JSON (${(e as Error).message}); move it away to start a new session`);
    }
    return SessionContext.fromJSON(json);
  }

  /** Writes the session to a temporary file next to the target and renames it into place. */
  save(session: SessionContext): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(session.toJSON(), null, 2) + '\n');
      renameSync(tmp, this.path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }
}
