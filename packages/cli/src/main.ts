import { Command, CommanderError, Option } from 'commander';
import { COMPILER_VERSION } from '@strata/compiler';
import { runCompile } from './compile-command.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Builds the CLI. Returns the exit code; never calls process.exit (so it is testable in-process). */
export function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command('strata')
    .description('Strata: author, compile and run trading strategies as versioned artifacts.')
    .version(COMPILER_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .exitOverride();

  program
    .command('compile')
    .description('Validate strategy artifacts and compile them into signal-DAG plans.')
    .argument('<file...>', 'artifact files (YAML, strategy/v1)')
    .option('--json', 'print results and diagnostics as JSON (for agents and tools)')
    .option('--out <path>', 'write the plan JSON to this file (or directory, for several artifacts); nothing is written if any artifact fails')
    .option('--param <name=value>', 'override a param (repeatable), checked against its range', collect)
    .addOption(new Option('--color', 'force coloured diagnostics').default(undefined))
    .addOption(new Option('--no-color', 'disable coloured diagnostics'))
    .addHelpText('after', '\nExit status: 0 compiled (warnings allowed), 1 an artifact has errors, 2 usage error.\n\nExample:\n  strata compile examples/*.yaml\n  strata compile examples/sma-cross.yaml --param fast=20 --out plan.json')
    .action((files: string[], opts: { json?: boolean; out?: string; param?: string[]; color?: boolean }) => {
      const color = opts.color ?? (process.stderr.isTTY === true && !process.env.NO_COLOR);
      setCode(runCompile(files, { ...opts, color }, io));
    });

  program
    .command('backtest')
    .description('Run a strategy artifact over historical data and report the results.')
    .argument('<artifact>', 'artifact file (YAML, strategy/v1), <file>@<git-rev>, or <strategy>@<rev> from the strategies repository (e.g. sma-cross@v2)')
    .option('--data <dir>', 'data directory with etf/ and/or crypto/ inside (default: data/ next to the artifact)')
    .option('--feed <id>', "bar feed ID (default: the artifact's feeds.bars)")
    .option('--from <date>', 'first trading day, YYYY-MM-DD (earlier bars only warm the signals up)')
    .option('--to <date>', 'last trading day, YYYY-MM-DD')
    .option('--param <name=value>', 'override a param (repeatable), checked against its range', collect)
    .option('--cash <amount>', 'initial cash', '100000')
    .option('--json', 'print the summary as JSON')
    .option('--out <dir>', 'write summary, equity curve, trades, orders, fills and the run.sqlite event log to this folder')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--progress', 'show a progress bar even when stderr is not a terminal')
    .addOption(new Option('--color', 'force coloured diagnostics').default(undefined))
    .addOption(new Option('--no-color', 'disable coloured diagnostics'))
    .addHelpText('after', '\nExit status: 0 ran, 1 the artifact or the data has errors, 2 usage error.\n\nExample:\n  strata backtest examples/sector-rotation.yaml --from 2008-01-01 --report report.html')
    .action(async (artifact: string, opts: Record<string, unknown>) => {
      const { runBacktestCommand } = await import('./backtest-command.js');
      const color = (opts.color as boolean | undefined) ?? (process.stderr.isTTY === true && !process.env.NO_COLOR);
      setCode(await runBacktestCommand(artifact, { ...opts, color }, io));
    });

  const analyze = program
    .command('analyze')
    .description('Analyse a strategy artifact against historical data (see the subcommands).')
    .addHelpText('after', '\nExample:\n  strata analyze warmup examples/rsi-reversion.yaml');
  analyze
    .command('warmup')
    .description("Measure how much each signal node's value still depends on where history starts (how much history live trading needs to match the backtest).")
    .argument('<artifact>', 'artifact file (YAML, strategy/v1)')
    .option('--data <dir>', 'data directory with etf/ and/or crypto/ inside (default: data/ next to the artifact)')
    .option('--feed <id>', "bar feed ID (default: the artifact's feeds.bars)")
    .option('--at <date>', 'evaluation date, YYYY-MM-DD: its bar (or the last one before it) is compared (default: the last bar)')
    .option('--starts <n,n,...>', "history lengths to test, in bars before the evaluation bar (default: 1, 2, 3, 5 and 10 times the plan's warm-up)")
    .option('--tolerance <x>', 'relative difference still counted as converged', '1e-6')
    .option('--param <name=value>', 'override a param (repeatable), checked against its range', collect)
    .option('--json', 'print the analysis as JSON (schema strata.warmup-analysis/v1)')
    .addOption(new Option('--color', 'force coloured diagnostics').default(undefined))
    .addOption(new Option('--no-color', 'disable coloured diagnostics'))
    .addHelpText('after', '\nExit status: 0 analysed, 1 the artifact or the data has errors, 2 usage error.\n\nMethod: docs/warmup-analysis.md\n\nExample:\n  strata analyze warmup examples/rsi-reversion.yaml --starts 50,100,200,400 --at 2020-03-20')
    .action(async (artifact: string, opts: Record<string, unknown>) => {
      const { runAnalyzeWarmupCommand } = await import('./analyze-command.js');
      const color = (opts.color as boolean | undefined) ?? (process.stderr.isTTY === true && !process.env.NO_COLOR);
      setCode(await runAnalyzeWarmupCommand(artifact, { ...opts, color }, io));
    });

  const kernel = program
    .command('kernel')
    .description('Run strategy artifacts continuously: paper (simulated venue) or live (a real venue).')
    .addHelpText('after', '\nExample:\n  strata kernel run examples/sma-cross.yaml --mode paper --venue sim --from 2024-01-01');
  kernel
    .command('run')
    .description('Run an artifact (or exactly the version at a git revision: <file>@<rev>) against a replayed feed, through the order kernel to a venue. Resumes from its state directory after a restart.')
    .argument('<artifact>', 'artifact file, or <file>@<git-rev> (a branch, tag, commit id, optionally ~N)')
    .option('--mode <mode>', 'paper (the simulated venue) or live (a real venue; locked, see below)', 'paper')
    .option('--venue <venue>', 'sim, or ccxt:<exchange id> (e.g. ccxt:binance)', 'sim')
    .option('--venue-url <url>', 'send the exchange API requests to this origin (e.g. a local venue emulator)')
    .option('--order-kernel <socket:path>', 'use an order-kernel server process over its Unix socket instead of one in process (real venues only)')
    .option('--data <dir>', 'data directory with etf/ and/or crypto/ inside (default: data/ next to the artifact)')
    .option('--feed <id>', "bar feed ID to replay (default: the artifact's feeds.bars)")
    .option('--from <date>', 'first trading day, YYYY-MM-DD (earlier bars only warm the signals up)')
    .option('--pace <pace>', 'replay pace: max, realtime, or a speed-up such as 3600x', 'max')
    .option('--state <dir>', 'run state directory: order log, venue state, progress (default: run/<name>-<mode>)')
    .option('--cash <amount>', 'initial cash of the simulated venue', '100000')
    .option('--param <name=value>', 'override a param (repeatable), checked against its range', collect)
    .option('--max-bars <n>', 'stop after this many new bars')
    .option('--cancel-all-on-exit', 'on SIGINT / SIGTERM, cancel every working order before exiting')
    .option('--confirm-live', `confirm live trading (also needs the environment variable STRATA_LIVE_TRADING)`)
    .option('--json', 'print events and the summary as JSON lines')
    .addOption(new Option('--color', 'force coloured diagnostics').default(undefined))
    .addOption(new Option('--no-color', 'disable coloured diagnostics'))
    .addHelpText(
      'after',
      '\nLive trading is locked: it runs only with --confirm-live AND STRATA_LIVE_TRADING=I_UNDERSTAND_REAL_MONEY_IS_AT_RISK.\nExchange credentials come from the encrypted store ($STRATA_CREDENTIALS_FILE, key in STRATA_CREDENTIALS_KEY).\n\nExit status: 0 ran to the end of the feed or stopped cleanly (SIGINT / SIGTERM), 1 refused (drift, lock, bad artifact or data), 2 usage error.\n\nExamples:\n  strata kernel run examples/sma-cross.yaml --from 2024-01-01\n  strata kernel run examples/sma-cross.yaml@HEAD~1 --pace 86400x --state run/sma-v1',
    )
    .action(async (artifact: string, opts: Record<string, unknown>) => {
      const { runKernelRunCommand } = await import('./kernel-run/command.js');
      const color = (opts.color as boolean | undefined) ?? (process.stderr.isTTY === true && !process.env.NO_COLOR);
      setCode(await runKernelRunCommand(artifact, { ...opts, color }, io));
    });

  program
    .command('history')
    .description('List the versions of a strategy in the strategies repository, newest first (without a name: the strategies).')
    .argument('[name]', 'strategy name, e.g. sma-cross')
    .option('--repo <dir>', 'strategies repository (default: $STRATA_STRATEGIES, else strategies/ in the current directory)')
    .option('--json', 'print the versions as JSON (schema strata.history/v1)')
    .addHelpText('after', '\nExit status: 0 listed, 1 no such strategy or repository (or a damaged one), 2 usage error.\n\nRevisions of a version: v<N> (N-th version, oldest first), ~N (N versions before the latest), a commit id, HEAD~N, a branch or tag. See docs/strategy-history.md.\n\nExample:\n  strata history sma-cross')
    .action(async (name: string | undefined, opts: { repo?: string; json?: boolean }) => {
      const { runHistoryCommand } = await import('./history-command.js');
      setCode(await runHistoryCommand(name, opts, io));
    });

  program
    .command('show')
    .description('Show one version of a strategy: model, hash, backtest summary, prompt and artifact (or one stored file with --file).')
    .argument('<name@rev>', 'strategy and revision, e.g. sma-cross@v2, sma-cross@HEAD~1, sma-cross@3f2a9c1 (no @rev: the latest)')
    .option('--repo <dir>', 'strategies repository (default: $STRATA_STRATEGIES, else strategies/ in the current directory)')
    .option('--file <file>', 'print one stored file exactly: strategy.yaml, prompt.md, trace.json or meta.json')
    .option('--json', 'print the version as JSON (schema strata.show/v1)')
    .addHelpText('after', '\nExit status: 0 shown, 1 no such strategy, revision or file (or a damaged repository), 2 usage error.\n\nExample:\n  strata show sma-cross@v2 --file strategy.yaml > sma-v2.yaml')
    .action(async (spec: string, opts: { repo?: string; json?: boolean; file?: string }) => {
      const { runShowCommand } = await import('./history-command.js');
      setCode(await runShowCommand(spec, opts, io));
    });

  program
    .command('diff')
    .description('What changed between two versions of a strategy, by section (params, signals, rules, sizing, portfolio, risk, execution, …); formatting alone is no change.')
    .argument('<name>', 'strategy name')
    .argument('<revA>', 'the earlier revision (v<N>, ~N, a commit id, HEAD~N, a branch or tag)')
    .argument('<revB>', 'the later revision')
    .option('--repo <dir>', 'strategies repository (default: $STRATA_STRATEGIES, else strategies/ in the current directory)')
    .option('--json', 'print the diff as JSON (schema strata.semantic-diff/v1)')
    .addHelpText('after', '\nExit status: 0 compared (changed or not), 1 no such strategy or revision (or a damaged repository), 2 usage error.\n\nExample:\n  strata diff sma-cross v1 v2')
    .action(async (name: string, revA: string, revB: string, opts: { repo?: string; json?: boolean }) => {
      const { runDiffCommand } = await import('./history-command.js');
      setCode(await runDiffCommand(name, revA, revB, opts, io));
    });

  program
    .command('chat')
    .description('Author strategies in an interactive chat with an LLM: it composes, compiles, fixes, backtests and commits versions to the strategies repository.')
    .option('--model <provider:model>', 'openai:<model>, anthropic:<model>, ollama:<model>, or replay:<file.json> (a recorded conversation). Default: $STRATA_MODEL, else the first configured provider')
    .option('--repo <dir>', 'strategies repository (default: $STRATA_STRATEGIES, else strategies/ in the current directory; created on the first commit)')
    .option('--data <dir>', 'market data directory (default: $STRATA_DATA, else ./data, else ./examples/data)')
    .option('--session <file>', 'session context file, restored on start and saved after every turn (default: .strata/session.json)')
    .addOption(new Option('--color', 'force colours').default(undefined))
    .addOption(new Option('--no-color', 'disable colours'))
    .addHelpText(
      'after',
      '\nProviders: OPENAI_API_KEY, ANTHROPIC_API_KEY, or Ollama at $OLLAMA_HOST (default http://127.0.0.1:11434).\nIn the chat: /history [name], /show name@rev, /diff name revA revB, /backtest [name@rev], /context, /help, /quit.\n\nExit status: 0 left the chat, 1 bad data directory, session file or --repo, 2 usage error, 78 no usable LLM provider.\n\nExamples:\n  strata chat --model anthropic:claude-sonnet-4-5\n  strata chat --model replay:packages/agent/test/fixtures/sma-cross-session.json --repo /tmp/strategies',
    )
    .action(async (opts: { model?: string; repo?: string; data?: string; session?: string; color?: boolean }) => {
      const { runChatCommand } = await import('./chat-command.js');
      setCode(await runChatCommand(opts, io));
    });

  program
    .command('mcp')
    .description('Serve the authoring tools over the Model Context Protocol (stdio), for Claude Desktop, IDEs and other MCP clients.')
    .option('--repo <dir>', 'strategies repository emit_strategy commits to (default: $STRATA_STRATEGIES, else strategies/ in the current directory)')
    .option('--data <dir>', 'market data directory (default: $STRATA_DATA, else ./data, else ./examples/data)')
    .option('--session <file>', 'session context file (default: .strata/session.json)')
    .addHelpText('after', '\nstdout carries only the protocol; logs go to stderr. Client configuration: docs/agent.md.\n\nExit status: 0 the client disconnected, 1 bad data directory, session file or --repo, 2 usage error.\n\nExample (an MCP client config entry):\n  { "command": "strata", "args": ["mcp", "--repo", "/home/me/strategies", "--data", "/home/me/data"] }')
    .action(async (opts: { repo?: string; data?: string; session?: string }) => {
      const { runMcpCommand } = await import('./mcp-command.js');
      setCode(await runMcpCommand(opts, io));
    });

  return program;
}

export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every parse problem is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    io.err(`strata: internal error: ${(e as Error).stack ?? String(e)}`);
    return 70;
  }
  if (argv.length === 0) {
    io.err(program.helpInformation().replace(/\n$/, ''));
    return 2;
  }
  return code;
}
