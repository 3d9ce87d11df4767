import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plainStyle } from './style.js';
import { runTerminal, splitCommandLine, type SlashCommand, type TerminalWriter } from './terminal.js';

/**
 * The terminal shell over real node:readline, in terminal mode (key handling, Ctrl-C as a key)
 * on in-memory streams. The tmux test (packages/cli/test/chat.tmux.test.ts) runs it in a real
 * pseudo-terminal; these cases cover the key paths a replayed model cannot reach (a turn that
 * is still running when Ctrl-C arrives).
 */

interface Harness {
  readonly input: PassThrough;
  readonly output: () => string;
  /** Resolves once `text` has appeared in the output. */
  until(text: string | RegExp): Promise<void>;
}

function harness(): Harness & { readonly stream: PassThrough } {
  const input = new PassThrough();
  const stream = new PassThrough();
  let out = '';
  const waiters: Array<() => void> = [];
  stream.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    for (const w of waiters.splice(0)) w();
  });
  // Terminal-mode readline moves the cursor around its prompt: compare the text without escape sequences.
  const output = () => out.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  const until = (text: string | RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)} in:\n${output()}`)), 5000);
      const check = () => {
        const plain = output();
        if (typeof text === 'string' ? plain.includes(text) : text.test(plain)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { input, stream, output, until };
}

const echo: SlashCommand = {
  name: 'echo',
  usage: '<words…>',
  help: 'print the words',
  run: (args, out) => out.line(`echo: ${args.map((a) => `[${a}]`).join(' ')}`),
};

describe('splitCommandLine', () => {
  it.each([
    ['diff sma-cross v1 v2', ['diff', 'sma-cross', 'v1', 'v2']],
    ['show  "a b"  c', ['show', 'a b', 'c']],
    ['', []],
  ])('%j → %j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });
});

describe('runTerminal', () => {
  it('runs turns, dispatches slash commands, reports unknown ones and leaves on /quit', async () => {
    const h = harness();
    const prompts: string[] = [];
    let saved = 0;
    const done = runTerminal({
      input: h.input,
      output: h.stream,
      style: plainStyle,
      terminal: true,
      prompt: '> ',
      banner: ['hello'],
      commands: [echo],
      runTurn: async (prompt, out) => {
        prompts.push(prompt);
        out.write('partial answer');
      },
      afterTurn: () => void saved++,
    });
    await h.until('> ');
    // Each input waits for the prompt, as a user would (typed-ahead text is echoed where the cursor is).
    h.input.write('build a strategy\r');
    await h.until(/partial answer\n> $/);
    h.input.write('/echo one "two words"\r');
    await h.until(/echo: \[one\] \[two words\]\n> $/);
    h.input.write('/nope\r');
    await h.until(/unknown command \/nope \(type \/help for the list\)\n> $/);
    h.input.write('/help\r');
    await h.until(/Anything else is sent to the agent\.\n> $/);
    h.input.write('/quit\r');
    expect(await done).toBe(0);
    expect(prompts).toEqual(['build a strategy']);
    expect(saved, 'the session is saved after the turn, not after slash commands').toBe(1);
    const out = h.output();
    expect(out.startsWith('hello\n')).toBe(true);
    expect(out).toContain('partial answer\n');
    expect(out).toContain('/echo <words…>  print the words');
    expect(out.trimEnd().endsWith('bye')).toBe(true);
  });

  it('Ctrl-C during a turn aborts that turn and returns to the prompt; Ctrl-C at the prompt leaves', async () => {
    const h = harness();
    let aborted: unknown;
    const done = runTerminal({
      input: h.input,
      output: h.stream,
      terminal: true,
      prompt: '> ',
      commands: [],
      runTurn: (_prompt, out: TerminalWriter, signal) =>
        new Promise<void>((_resolve, reject) => {
          out.write('working');
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            reject(signal.reason as Error);
          });
        }),
    });
    await h.until('> ');
    h.input.write('slow request\r');
    await h.until('working');
    h.input.write('\x03');
    await h.until('(interrupted)');
    expect((aborted as Error).message).toBe('interrupted');
    await h.until(/\(interrupted\)\n> $/);
    h.input.write('\x03');
    expect(await done).toBe(0);
    expect(h.output()).toMatch(/\^C\nbye\n$/);
  });

  it('end of input leaves cleanly; a failing turn is reported and the chat goes on', async () => {
    const h = harness();
    const done = runTerminal({
      input: h.input,
      output: h.stream,
      terminal: false,
      prompt: '> ',
      commands: [],
      runTurn: async (prompt) => {
        if (prompt === 'fail') throw new Error('the model failed: HTTP 500');
      },
    });
    h.input.write('fail\n');
    await h.until('error: the model failed: HTTP 500');
    h.input.end();
    expect(await done).toBe(0);
    expect(h.output()).toMatch(/end of input, bye\n$/);
  });
});
