import { ProviderError, runChat, selectProvider, type SlashCommand, type Style, type TerminalWriter } from '@strata/agent';
import pc from 'picocolors';
import { commitTimeFromEnv, openCheckedWorkspace, type WorkspaceOptions } from './agent-workspace.js';
import { runDiffCommand, runHistoryCommand, runShowCommand } from './history-command.js';
import type { Io } from './main.js';

/**
 * `strata chat [--model …] [--repo DIR] [--data DIR] [--session FILE]`: the interactive authoring
 * chat in the terminal (packages/agent/src/surfaces/chat.ts). This file resolves the options,
 * selects the provider, and adds the slash commands that are the CLI's own history commands.
 *
 * Exit status: 0 the user left; 1 a bad workspace (data directory, session file, a --repo that is no strategies repository);
 * 2 a malformed --model; 78 no usable LLM provider (the message names what to set).
 */

export const EXIT_NO_PROVIDER = 78;

export interface ChatCommandOptions extends WorkspaceOptions {
  readonly model?: string;
  readonly color?: boolean;
}

/** The history commands (`strata history`, `show`, `diff`) as slash commands, printing into the chat. */
export function historySlashCommands(repoDir: string): SlashCommand[] {
  const io = (out: TerminalWriter): Io => ({ out: (l) => out.line(l), err: (l) => out.line(out.style.red(l)) });
  const usage = (out: TerminalWriter, text: string) => out.line(out.style.yellow(`usage: ${text}`));
  return [
    {
      name: 'history',
      usage: '[name]',
      help: 'the versions of a strategy, newest first (without a name: every strategy)',
      run: async (args, out) => void (await runHistoryCommand(args[0], { repo: repoDir }, io(out))),
    },
    {
      name: 'show',
      usage: 'name@rev',
      help: 'one version: metadata, prompt and artifact',
      run: async (args, out) => (args[0] === undefined ? usage(out, '/show name@rev (e.g. /show sma-cross@v1)') : void (await runShowCommand(args[0], { repo: repoDir }, io(out)))),
    },
    {
      name: 'diff',
      usage: 'name revA revB',
      help: 'what changed between two versions, section by section',
      run: async (args, out) =>
        args.length !== 3 ? usage(out, '/diff name revA revB (e.g. /diff sma-cross v1 v2)') : void (await runDiffCommand(args[0]!, args[1]!, args[2]!, { repo: repoDir }, io(out))),
    },
  ];
}

export async function runChatCommand(opts: ChatCommandOptions, io: Io): Promise<number> {
  let selected;
  try {
    selected = await selectProvider({ model: opts.model });
  } catch (e) {
    if (e instanceof ProviderError) {
      io.err(`strata chat: ${e.message}`);
      return e.code === 'bad-model-spec' ? 2 : EXIT_NO_PROVIDER;
    }
    throw e;
  }
  const ws = await openCheckedWorkspace('chat', opts, io);
  if (!ws) return 1;
  const color = opts.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const style: Style = pc.createColors(color);
  const commitTime = commitTimeFromEnv();
  return runChat({
    model: selected,
    session: ws.session,
    store: ws.store,
    tools: ws.tools,
    repoDir: ws.repoDir,
    dataDir: ws.dataDir,
    input: process.stdin,
    output: process.stdout,
    style,
    commands: historySlashCommands(ws.repoDir),
    ...(commitTime !== undefined ? { commitTime } : {}),
  });
}
