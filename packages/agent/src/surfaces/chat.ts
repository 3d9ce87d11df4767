import type { Readable, Writable } from 'node:stream';
import type { SessionContext, SessionStore } from '../context.js';
import { StrategyRepo } from '../history/repo.js';
import { runAuthoringLoop, type AuthoringEvent, type VersionSink } from '../loop.js';
import { backtestPlan, compileArtifact } from '../tools/strategy.js';
import type { ToolContext } from '../tools/types.js';
import { formatModelSpec, type SelectedModel } from './providers.js';
import { backtestLine, EventRenderer, renderDiagnostic } from './render.js';
import { sessionSummary } from './session-summary.js';
import { plainStyle, shortHash, type Style } from './style.js';
import { runTerminal, type SlashCommand, type TerminalWriter } from './terminal.js';

/**
 * `strata chat`: the interactive authoring surface. Each line the trader types is one run of the
 * authoring loop (the model composes, compiles, fixes, emits; the version is committed to the
 * strategies repository); its events stream to the terminal as they happen. The session context
 * is restored on start and saved after every turn (the loop also saves after every step).
 */

export interface ChatOptions {
  readonly model: SelectedModel;
  readonly session: SessionContext;
  readonly store: SessionStore;
  readonly tools: ToolContext;
  /** The strategies repository directory; created on the first commit. */
  readonly repoDir: string;
  readonly dataDir: string;
  readonly input: Readable;
  readonly output: Writable;
  readonly style?: Style;
  readonly terminal?: boolean;
  /** More slash commands (the CLI adds /history, /show and /diff from its own commands). */
  readonly commands?: readonly SlashCommand[];
  /** Commit time for deterministic commits (tests, demos): whole seconds since the epoch. Default: now. */
  readonly commitTime?: number;
}

/** Opens the strategies repository on first use, creating it then (`StrategyRepo.open(dir, { create: true })`). */
export function lazyRepo(dir: string): { get(): Promise<StrategyRepo>; sink(commitTime?: number): VersionSink } {
  let repo: Promise<StrategyRepo> | undefined;
  const get = () => (repo ??= StrategyRepo.open(dir, { create: true }).catch((e: unknown) => {
    repo = undefined;
    throw e;
  }));
  return {
    get,
    sink: (commitTime) => ({
      async commitVersion(v) {
        return (await get()).commitVersion({ ...v, ...(commitTime !== undefined ? { timestamp: commitTime } : {}) });
      },
    }),
  };
}

/** Splits `name@rev` (rev defaults to HEAD). */
export function parseNameRev(spec: string): { name: string; rev: string } {
  const at = spec.indexOf('@');
  return at < 0 ? { name: spec, rev: 'HEAD' } : { name: spec.slice(0, at), rev: spec.slice(at + 1) || 'HEAD' };
}

/**
 * `/backtest [name@rev]`: compiles the strategy as committed at that revision and backtests it on
 * the local data (the same function the loop uses after an emit). Without an argument: the
 * strategy this session emitted last.
 */
export function backtestCommand(opts: { readonly repo: () => Promise<StrategyRepo>; readonly session: SessionContext; readonly tools: ToolContext }): SlashCommand {
  return {
    name: 'backtest',
    usage: '[name@rev]',
    help: 'backtest a committed version on the local data (default: the last strategy emitted in this session)',
    async run(args, out) {
      const s = out.style;
      let spec = args[0];
      if (spec === undefined) {
        const last = opts.session.strategies.at(-1);
        if (!last) {
          out.line(s.yellow('no strategy emitted in this session yet: /backtest <name>@<rev>'));
          return;
        }
        spec = `${last.name}@${last.commit.slice(0, 7)}`;
      }
      const { name, rev } = parseNameRev(spec);
      const repo = await opts.repo();
      const version = await repo.read(name, rev);
      const { result, payload } = compileArtifact(version.artifact);
      if (!result.ok || !result.plan) {
        out.line(s.red(`${name}@${rev} does not compile with this compiler:`));
        for (const d of payload.results[0].diagnostics) out.line(renderDiagnostic(d, s));
        return;
      }
      out.spin(`backtesting ${name} v${version.version}…`);
      const summary = await backtestPlan(opts.tools, result.plan);
      out.line(`${s.bold(`${name} v${version.version}`)} ${s.yellow(version.short)} ${s.dim(shortHash(result.hash ?? ''))}`);
      out.line(`  ${backtestLine(summary)}`);
      for (const p of summary.perSymbol) out.line(s.dim(`  ${p.symbol}: ${p.trades} trades, ${p.wins} wins, pnl ${p.pnl.toFixed(2)}`));
    },
  };
}

/** The banner: model, where versions go, the data, the session (and what it restored). */
export function chatBanner(opts: Pick<ChatOptions, 'model' | 'session' | 'store' | 'repoDir' | 'dataDir'>, style: Style): string[] {
  const s = style;
  return [
    `${s.bold('strata chat')} ${s.dim('— author strategies with an LLM; the compiled artifact runs without one')}`,
    `  model:    ${formatModelSpec(opts.model.spec)} ${s.dim(`(${opts.model.source})`)}`,
    `  repo:     ${opts.repoDir}`,
    `  data:     ${opts.dataDir}`,
    `  session:  ${opts.store.path}`,
    ...sessionSummary(opts.session, style),
    s.dim('Type a request, or /help. Ctrl-C interrupts a turn; Ctrl-C at the prompt, Ctrl-D or /quit leaves.'),
  ];
}

/** Runs the chat until the user leaves. Resolves with the exit code. */
export async function runChat(opts: ChatOptions): Promise<number> {
  const style = opts.style ?? plainStyle;
  const repo = lazyRepo(opts.repoDir);
  const sink = repo.sink(opts.commitTime);
  const modelId = formatModelSpec(opts.model.spec);

  const status: SlashCommand = {
    name: 'context',
    usage: '',
    help: 'show the session context (active chart, signals, drawings, risk, strategies)',
    run: (_args, out) => {
      const lines = sessionSummary(opts.session, out.style);
      if (lines.length === 0) out.line(out.style.dim('the session is empty'));
      for (const l of lines) out.line(l);
    },
  };

  const runTurn = async (prompt: string, out: TerminalWriter, signal: AbortSignal) => {
    const renderer = new EventRenderer(out);
    renderer.thinking();
    const onEvent = (e: AuthoringEvent) => {
      renderer.render(e);
      if (e.type === 'tool_result') renderer.thinking();
    };
    await runAuthoringLoop({
      model: opts.model.model,
      prompt,
      context: opts.session,
      tools: opts.tools,
      sink,
      store: opts.store,
      // Recorded conversations carry the id of the model they were recorded with.
      ...(opts.model.spec.provider === 'replay' ? {} : { modelId }),
      onEvent,
      signal,
    });
    out.stopSpin();
  };

  return runTerminal({
    input: opts.input,
    output: opts.output,
    style,
    ...(opts.terminal !== undefined ? { terminal: opts.terminal } : {}),
    banner: chatBanner(opts, style),
    commands: [backtestCommand({ repo: repo.get, session: opts.session, tools: opts.tools }), status, ...(opts.commands ?? [])],
    runTurn,
    afterTurn: () => opts.store.save(opts.session),
  });
}
