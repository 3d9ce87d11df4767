import { defaultStrategiesDir, formatSemanticDiff, isStrategyName, semanticDiff, SemanticDiffError, StrategyRepo, StrategyRepoError, type StrategyFile, type StrategyVersion } from '@strata/agent/history';
import type { Io } from './main.js';

/**
 * `strata history`, `strata show` and `strata diff`: read the strategies repository (a git
 * repository of strategy versions, see docs/strategy-history.md). Exit status: 0 ok, 1 not found
 * or a damaged repository, 2 usage error.
 */

export interface RepoOptions {
  readonly repo?: string;
  readonly json?: boolean;
}

export interface ShowOptions extends RepoOptions {
  readonly file?: string;
}

const FILES: readonly StrategyFile[] = ['strategy.yaml', 'prompt.md', 'trace.json', 'meta.json'];

class UsageError extends Error {}

/** `strata history [name]`: the versions of a strategy, newest first; without a name, the strategies. */
export async function runHistoryCommand(name: string | undefined, opts: RepoOptions, io: Io): Promise<number> {
  return guard('history', io, async () => {
    if (name !== undefined) checkName(name);
    const repo = await StrategyRepo.open(repoDir(opts));
    if (name === undefined) {
      const strategies = [];
      for (const n of await repo.names()) {
        const h = await repo.history(n);
        strategies.push({ name: n, versions: h.length, latest: h[0]! });
      }
      if (opts.json) {
        io.out(JSON.stringify({ schema: 'strata.strategies/v1', repo: repo.dir, strategies }, null, 2));
        return 0;
      }
      if (strategies.length === 0) {
        io.out(`${repo.dir}: no strategies yet`);
        return 0;
      }
      io.out(table(strategies.map((s) => [s.name, `v${s.versions}`, s.latest.short, day(s.latest.date), short(s.latest.artifactHash), s.latest.model ?? '-'])));
      return 0;
    }
    const versions = await repo.history(name);
    if (opts.json) {
      io.out(JSON.stringify({ schema: 'strata.history/v1', repo: repo.dir, name, versions }, null, 2));
      return 0;
    }
    io.out(`${name}: ${versions.length} version${versions.length === 1 ? '' : 's'} in ${repo.dir} (newest first)`);
    io.out(table(versions.map((v) => [`v${v.version}`, v.short, day(v.date), short(v.artifactHash), v.model ?? '-', v.message.split('\n')[0]!])));
    return 0;
  });
}

/** `strata show <name>@<rev>`: one version — its metadata, prompt and artifact, or one stored file exactly. */
export async function runShowCommand(spec: string, opts: ShowOptions, io: Io): Promise<number> {
  return guard('show', io, async () => {
    const { name, rev } = parseSpec(spec);
    if (opts.file !== undefined && !(FILES as readonly string[]).includes(opts.file)) throw new UsageError(`--file ${opts.file}: expected one of ${FILES.join(', ')}`);
    const repo = await StrategyRepo.open(repoDir(opts));
    const v = await repo.read(name, rev);
    if (opts.file !== undefined) {
      const text = v.files[opts.file as StrategyFile];
      if (text === undefined) {
        io.err(`strata show: ${name}@${rev} (commit ${v.short}) has no ${opts.file}`);
        return 1;
      }
      if (opts.json) io.out(JSON.stringify({ schema: 'strata.show-file/v1', repo: repo.dir, name, rev, commit: v.commit, version: v.version, file: opts.file, text }, null, 2));
      else io.out(text.replace(/\n$/, ''));
      return 0;
    }
    if (opts.json) {
      const { files: _files, ...rest } = v;
      io.out(JSON.stringify({ schema: 'strata.show/v1', repo: repo.dir, rev, ...rest }, null, 2));
      return 0;
    }
    io.out(render(v, rev));
    return 0;
  });
}

/** `strata diff <name> <revA> <revB>`: the semantic difference between two versions, by section. */
export async function runDiffCommand(name: string, revA: string, revB: string, opts: RepoOptions, io: Io): Promise<number> {
  return guard('diff', io, async () => {
    checkName(name);
    const repo = await StrategyRepo.open(repoDir(opts));
    const [a, b] = [await repo.read(name, revA), await repo.read(name, revB)];
    const d = semanticDiff(a.artifact, b.artifact);
    const side = (v: StrategyVersion, rev: string) => ({ rev, commit: v.commit, version: v.version, versionCommit: v.versionCommit });
    if (opts.json) {
      io.out(JSON.stringify({ ...d, repo: repo.dir, name, before: side(a, revA), after: side(b, revB) }, null, 2));
      return 0;
    }
    io.out(formatSemanticDiff(d, { before: `${name}@${revA} (v${a.version}, ${a.short})`, after: `${name}@${revB} (v${b.version}, ${b.short})` }));
    return 0;
  });
}

async function guard(command: string, io: Io, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`strata ${command}: ${e.message}`);
      return 2;
    }
    if (e instanceof StrategyRepoError) {
      io.err(`strata ${command}: ${e.message}`);
      return e.code === 'invalid_name' ? 2 : 1;
    }
    if (e instanceof SemanticDiffError) {
      io.err(`strata ${command}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function repoDir(opts: RepoOptions): string {
  return defaultStrategiesDir({ repo: opts.repo });
}

function checkName(name: string): void {
  if (!isStrategyName(name)) throw new UsageError(`${JSON.stringify(name)} is not a strategy name: lower-case letters, digits and '-', starting with a letter (e.g. sma-cross)`);
}

function parseSpec(spec: string): { name: string; rev: string } {
  const at = spec.indexOf('@');
  const name = at < 0 ? spec : spec.slice(0, at);
  const rev = at < 0 ? 'HEAD' : spec.slice(at + 1);
  if (rev === '') throw new UsageError(`${spec}: expected <name>@<rev>, e.g. ${name}@v1 or ${name}@HEAD~1`);
  checkName(name);
  return { name, rev };
}

function render(v: StrategyVersion, rev: string): string {
  const lines = [
    `${v.name} v${v.version}  (${rev} → commit ${v.commit})`,
    `date:     ${v.date}`,
    `model:    ${v.meta?.model ?? '-'}`,
    `hash:     ${v.meta?.compile.hash ?? '-'}`,
  ];
  if (v.versionCommit !== v.commit) lines.push(`recorded: commit ${v.versionCommit}`);
  if (v.meta?.tools) lines.push(`tools:    ${Object.entries(v.meta.tools).map(([k, x]) => `${k} ${x}`).join(', ')}`);
  if (v.meta && v.meta.backtest !== null && v.meta.backtest !== undefined) lines.push(`backtest: ${JSON.stringify(v.meta.backtest)}`);
  lines.push(`message:  ${v.message.split('\n')[0]}`);
  lines.push('', '── prompt.md', v.prompt.replace(/\n$/, '') || '(empty)', '', '── strategy.yaml', v.artifact.replace(/\n$/, ''));
  return lines.join('\n');
}

function day(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

function short(hash: string | null): string {
  return hash === null ? '-' : hash.slice(0, 19);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
