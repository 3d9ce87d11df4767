import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { plainStyle, type Style } from './style.js';

/**
 * The terminal shell of `strata chat`: a node:readline prompt, a spinner while the model thinks,
 * slash commands, and clean exits (Ctrl-C at the prompt, Ctrl-D / end of input, /quit). Ctrl-C
 * while a turn runs interrupts that turn and returns to the prompt.
 *
 * It knows nothing about models or tools: a turn is a function that writes through the
 * `TerminalWriter` it is given; `chat.ts` wires the authoring loop into it.
 */

export interface TerminalWriter {
  readonly style: Style;
  /** Whether the output is a terminal (spinner, line clearing). */
  readonly tty: boolean;
  /** Writes text as is (streamed tokens). */
  write(text: string): void;
  /** Writes a whole line, first ending any partly written one. */
  line(text?: string): void;
  /** Shows a spinner with a label until the next write (terminals only). */
  spin(label: string): void;
  stopSpin(): void;
}

export interface SlashCommand {
  readonly name: string;
  /** Usage of the arguments, e.g. `name@rev`. */
  readonly usage: string;
  readonly help: string;
  run(args: readonly string[], out: TerminalWriter): Promise<void> | void;
}

export interface TerminalOptions {
  readonly input: Readable;
  readonly output: Writable;
  readonly style?: Style;
  /** Treat the streams as a terminal (raw-mode line editing, Ctrl-C as a key, spinner). Default: output.isTTY. */
  readonly terminal?: boolean;
  readonly prompt?: string;
  /** Printed once before the first prompt. */
  readonly banner?: readonly string[];
  readonly commands: readonly SlashCommand[];
  /** Runs one prompt. `signal` aborts when the user presses Ctrl-C during the turn. */
  runTurn(prompt: string, out: TerminalWriter, signal: AbortSignal): Promise<void>;
  /** Called after every turn (saved or not), e.g. to persist the session. */
  afterTurn?(out: TerminalWriter): Promise<void> | void;
}

const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

class Writer implements TerminalWriter {
  private atLineStart = true;
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private spinning = false;

  constructor(
    private readonly out: Writable,
    readonly style: Style,
    readonly tty: boolean,
  ) {}

  write(text: string): void {
    if (text === '') return;
    this.stopSpin();
    this.out.write(text);
    this.atLineStart = text.endsWith('\n');
  }

  line(text = ''): void {
    this.stopSpin();
    if (!this.atLineStart) this.out.write('\n');
    this.out.write(text + '\n');
    this.atLineStart = true;
  }

  spin(label: string): void {
    if (!this.tty) return;
    this.stopSpin();
    if (!this.atLineStart) {
      this.out.write('\n');
      this.atLineStart = true;
    }
    const draw = () => {
      this.out.write(`\r\x1b[K${this.style.cyan(SPINNER_FRAMES[this.frame++ % SPINNER_FRAMES.length]!)} ${this.style.dim(label)}`);
    };
    this.spinning = true;
    draw();
    this.timer = setInterval(draw, 80);
    this.timer.unref();
  }

  stopSpin(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.spinning) {
      this.out.write('\r\x1b[K');
      this.spinning = false;
    }
  }

  /** Before the prompt: end any partly written line. */
  endLine(): void {
    this.stopSpin();
    if (!this.atLineStart) {
      this.out.write('\n');
      this.atLineStart = true;
    }
  }
}

/** Splits a slash command line into words; "double quotes" group words. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) words.push(m[1] ?? m[2]!);
  return words;
}

/**
 * Runs the chat until the user quits. Resolves with the exit code (0: the user left, by /quit,
 * Ctrl-C at the prompt or end of input).
 */
export async function runTerminal(opts: TerminalOptions): Promise<number> {
  const style = opts.style ?? plainStyle;
  const tty = opts.terminal ?? (opts.output as Writable & { isTTY?: boolean }).isTTY === true;
  const writer = new Writer(opts.output, style, tty);
  const rl: Interface = createInterface({ input: opts.input, output: opts.output, terminal: tty, prompt: opts.prompt ?? `${style.bold(style.green('you ›'))} `, historySize: 200 });

  const commands = new Map<string, SlashCommand>();
  const help: SlashCommand = {
    name: 'help',
    usage: '',
    help: 'list the commands',
    run: (_args, out) => {
      out.line(style.bold('Commands'));
      for (const c of [...commands.values()]) out.line(`  ${style.cyan(`/${c.name}`)}${c.usage ? ` ${c.usage}` : ''}  ${style.dim(c.help)}`);
      out.line(`  ${style.cyan('/quit')}  ${style.dim('leave (also Ctrl-C at the prompt, or Ctrl-D)')}`);
      out.line(style.dim('Anything else is sent to the agent.'));
    },
  };
  for (const c of [...opts.commands, help]) commands.set(c.name, c);

  let current: AbortController | undefined;
  let quitting = false;
  rl.on('SIGINT', () => {
    if (current) {
      current.abort(new Error('interrupted'));
      return;
    }
    quitting = true;
    writer.line(style.dim('^C'));
    rl.close();
  });

  for (const l of opts.banner ?? []) writer.line(l);
  rl.prompt();
  for await (const raw of rl) {
    const text = raw.trim();
    if (text === '') {
      rl.prompt();
      continue;
    }
    if (text.startsWith('/')) {
      const [name = '', ...args] = splitCommandLine(text.slice(1));
      if (name === 'quit' || name === 'exit' || name === 'q') {
        quitting = true;
        break;
      }
      const command = commands.get(name);
      if (!command) {
        writer.line(style.red(`unknown command /${name}`) + style.dim(' (type /help for the list)'));
      } else {
        try {
          await command.run(args, writer);
        } catch (e) {
          writer.line(style.red(`/${name}: ${(e as Error).message ?? String(e)}`));
        }
      }
      writer.endLine();
      rl.prompt();
      continue;
    }
    current = new AbortController();
    try {
      await opts.runTurn(text, writer, current.signal);
    } catch (e) {
      if (current.signal.aborted) writer.line(style.yellow('(interrupted)'));
      else writer.line(style.red(`error: ${(e as Error).message ?? String(e)}`));
    } finally {
      current = undefined;
      writer.endLine();
    }
    try {
      await opts.afterTurn?.(writer);
    } catch (e) {
      writer.line(style.red(`could not save the session: ${(e as Error).message}`));
    }
    writer.endLine();
    rl.prompt();
  }
  writer.endLine();
  rl.close();
  writer.line(style.dim(quitting ? 'bye' : 'end of input, bye'));
  return 0;
}
