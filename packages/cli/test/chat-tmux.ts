import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Drives a real terminal: a tmux server on its own socket, one session running a command in a
 * pseudo-terminal of a fixed size, keys sent with `send-keys`, the screen read with `capture-pane`.
 * Shared by the chat tests (not a test file).
 */

/** Makes sure tmux is installed: installs it with apt-get when missing, else throws saying how. */
export function ensureTmux(): string {
  const found = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  const canApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (canApt) {
    const asRoot = process.getuid?.() === 0;
    const apt = (args: string[]) => spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['-n', 'apt-get', ...args], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const install = apt(['install', '-y', '-q', 'tmux']);
    if (install.status !== 0) apt(['update', '-q']);
    if (install.status !== 0) apt(['install', '-y', '-q', 'tmux']);
    const again = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
    if (again.status === 0) return again.stdout.trim();
  }
  throw new Error(
    'tmux is required for the terminal tests of `strata chat` and could not be installed automatically. Install it (apt-get install -y tmux, brew install tmux) and run the tests again.',
  );
}

const EXIT_MARK = '[strata-test: exit status ';
const EXIT_LINE = /^\[strata-test: exit status (\d+)\]\s*$/m;

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export interface TmuxSessionOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly width?: number;
  readonly height?: number;
}

export class TmuxSession {
  private readonly socket: string;
  readonly name = 'chat';

  private constructor(socket: string) {
    this.socket = socket;
  }

  private tmux(args: readonly string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `argv` in a new detached session. The pane stays after the command exits, so its last screen and exit status can be read. */
  static start(argv: readonly string[], opts: TmuxSessionOptions): TmuxSession {
    const socket = `strata-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const s = new TmuxSession(socket);
    const env = Object.entries(opts.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    // The shell prints the command's exit status when it ends (tmux's own #{pane_dead_status} is not always filled in).
    const command = ['env', '-i', ...env, 'sh', '-c', shellQuote(`"$@"; echo "${EXIT_MARK}$?]"`), 'sh', ...argv.map(shellQuote)].join(' ');
    // -f /dev/null: no user configuration changes the terminal under test.
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', s.name, '-x', String(opts.width ?? 160), '-y', String(opts.height ?? 50), '-c', opts.cwd, command], {
      encoding: 'utf8',
    });
    s.tmux(['set-option', '-t', s.name, 'remain-on-exit', 'on']);
    s.tmux(['set-option', '-t', s.name, 'history-limit', '20000']);
    return s;
  }

  /** Types text literally (no key-name interpretation), then presses Enter if asked. */
  type(text: string, enter = true): void {
    this.tmux(['send-keys', '-t', this.name, '-l', text]);
    if (enter) this.tmux(['send-keys', '-t', this.name, 'Enter']);
  }

  /** Presses keys by tmux name: `C-c`, `C-d`, `Enter`. */
  keys(...names: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...names]);
  }

  /** The pane's whole scrollback and screen as plain text, wrapped lines joined (without tmux's own "Pane is dead" note). */
  screen(): string {
    return this.raw().replace(EXIT_LINE, '').replace(/^Pane is dead.*$/m, '');
  }

  private raw(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', this.name]);
  }

  /** The screen with its escape sequences (colours) kept. */
  screenWithEscapes(): string {
    return this.tmux(['capture-pane', '-p', '-e', '-J', '-S', '-', '-t', this.name]);
  }

  /** The command's exit status once it has exited, else undefined. */
  exitStatus(): number | undefined {
    const m = EXIT_LINE.exec(this.raw());
    return m ? Number(m[1]) : undefined;
  }

  /** Polls the screen until `test` passes; fails with the screen when it does not within `timeoutMs`. */
  async waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 20_000, what = String(test)): Promise<string> {
    const ok = typeof test === 'function' ? test : (s: string) => test.test(s);
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (ok(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${screen}`);
  }

  async waitForExit(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const status = this.exitStatus();
      if (status !== undefined) return status;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the command did not exit within ${timeoutMs} ms; the screen:\n${this.screen()}`);
  }

  /** Ends the session's tmux server and removes its socket file. */
  kill(): void {
    const path = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { encoding: 'utf8' });
    if (path.endsWith(this.socket)) rmSync(path, { force: true });
  }
}
