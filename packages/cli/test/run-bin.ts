import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shared by the CLI's end-to-end tests (not a test file). */
export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = join(root, 'packages/cli/bin/strata.js');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Keep NO_COLOR set (default true); false runs without it, to test colour detection. */
  readonly noColorEnv?: boolean;
  readonly timeoutMs?: number;
  /** Extra environment variables (undefined removes one). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Runs the built bin to completion. Asynchronous, so independent cases overlap their start-up. */
export function strata(args: readonly string[], opts: RunOptions = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.STRATA_DEBUG;
  if (opts.noColorEnv === false) delete env.NO_COLOR;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? root, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 40_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
