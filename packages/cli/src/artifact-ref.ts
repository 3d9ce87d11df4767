import * as fs from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import git from 'isomorphic-git';
import type { StrategyRepoError as StrategyRepoErrorType } from '@strata/agent/history';

/**
 * `<artifact>`, `<artifact>@<git-rev>` or `<strategy>@<rev>`:
 *
 * - an artifact file as it is on disk;
 * - exactly as it was committed at a revision of the git repository that holds it (read with
 *   isomorphic-git, so no git binary is needed). Revisions: a branch, a tag, HEAD, a full or
 *   abbreviated commit id, each optionally followed by `~N` (N first parents back);
 * - a strategy of the strategies repository (`--repo`, else $STRATA_STRATEGIES, else `strategies/`
 *   in the working directory) when no file or directory has that name: `<repo>/<name>/strategy.yaml`
 *   at the revision, which may also be `v<N>` (the strategy's N-th version) — see
 *   docs/strategy-history.md.
 */
export interface ResolvedArtifact {
  /** The artifact's text. */
  readonly source: string;
  /** What diagnostics name: the path, plus `@rev` when it came from git. */
  readonly displayPath: string;
  readonly file: string;
  readonly rev?: string;
  /** The commit id the revision resolved to. */
  readonly commit?: string;
  /** The folder whose `data/` is the default data directory: the artifact's own, or the one holding the strategies repository. */
  readonly dataBaseDir?: string;
  /** Set when the artifact came from the strategies repository. */
  readonly strategy?: { readonly name: string; readonly repo: string; readonly version: number; readonly versionCommit: string };
}

export interface ResolveArtifactOptions {
  /** The strategies repository (default: $STRATA_STRATEGIES, else `strategies/` in `cwd`). */
  readonly strategiesRepo?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export class ArtifactRefError extends Error {
  override readonly name = 'ArtifactRefError';
}

const STRATEGY_NAME = /^[a-z][a-z0-9-]{0,63}$/;

export async function resolveArtifactRef(spec: string, cwd = process.cwd(), opts: ResolveArtifactOptions = {}): Promise<ResolvedArtifact> {
  const direct = resolve(cwd, spec);
  if (fs.existsSync(direct) && fs.statSync(direct).isFile()) return { source: fs.readFileSync(direct, 'utf8'), displayPath: spec, file: direct };
  const at = spec.lastIndexOf('@');
  if (at <= 0 || at === spec.length - 1) {
    throw new ArtifactRefError(`${spec}: no such file (to run a committed version, write <file>@<rev>, e.g. ${spec}@HEAD, or <strategy>@v<N> for a version in the strategies repository)`);
  }
  const pathPart = spec.slice(0, at);
  const rev = spec.slice(at + 1);
  if (!STRATEGY_NAME.test(pathPart) || fs.existsSync(resolve(cwd, pathPart))) return resolveFileAtRev(spec, pathPart, rev, cwd);

  // A bare name that is no path: a strategy of the strategies repository (or, failing that, a file at a revision).
  const agent = await import('@strata/agent/history');
  const repoDir = agent.defaultStrategiesDir({ repo: opts.strategiesRepo, cwd, env: opts.env ?? process.env });
  let notThere: string;
  if (fs.existsSync(repoDir)) {
    try {
      const repo = await agent.StrategyRepo.open(repoDir);
      const v = await repo.read(pathPart, rev);
      return {
        source: v.artifact,
        displayPath: spec,
        file: resolve(repoDir, pathPart, 'strategy.yaml'),
        rev,
        commit: v.commit,
        dataBaseDir: dirname(repoDir),
        strategy: { name: pathPart, repo: repoDir, version: v.version, versionCommit: v.versionCommit },
      };
    } catch (e) {
      if (!(e instanceof agent.StrategyRepoError)) throw e;
      if ((e as StrategyRepoErrorType).code !== 'unknown_strategy') throw new ArtifactRefError(e.message, { cause: e });
      notThere = e.message;
    }
  } else {
    notThere = `no strategies repository at ${repoDir} to find a strategy named ${pathPart} in (pass --repo DIR or set STRATA_STRATEGIES)`;
  }
  try {
    return await resolveFileAtRev(spec, pathPart, rev, cwd);
  } catch (e) {
    if (!(e instanceof ArtifactRefError)) throw e;
    throw new ArtifactRefError(`${spec}: no file ${pathPart}, and ${notThere}`, { cause: e });
  }
}

async function resolveFileAtRev(spec: string, pathPart: string, rev: string, cwd: string): Promise<ResolvedArtifact> {
  const file = resolve(cwd, pathPart);
  let dir: string;
  try {
    dir = await git.findRoot({ fs, filepath: existingAncestor(dirname(file)) });
  } catch {
    throw new ArtifactRefError(`${spec}: ${pathPart} is not inside a git repository, so there is no revision ${rev} to read; run it without @${rev}`);
  }
  const commit = await resolveRev(dir, rev, spec);
  const filepath = relative(dir, file).split(sep).join('/');
  let blob: Uint8Array;
  try {
    ({ blob } = await git.readBlob({ fs, dir, oid: commit, filepath }));
  } catch {
    throw new ArtifactRefError(`${spec}: ${filepath} does not exist at ${rev} (commit ${commit.slice(0, 12)}); \`git log -- ${filepath}\` lists the revisions that have it`);
  }
  return { source: Buffer.from(blob).toString('utf8'), displayPath: spec, file, rev, commit };
}

function existingAncestor(p: string): string {
  let d = p;
  while (!fs.existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

async function resolveRev(dir: string, rev: string, spec: string): Promise<string> {
  const m = /^(.+?)((?:~\d*)*)$/.exec(rev)!;
  const base = m[1]!;
  const back = [...(m[2] ?? '').matchAll(/~(\d*)/g)].reduce((n, x) => n + (x[1] === '' ? 1 : Number(x[1])), 0);
  let oid: string | undefined;
  try {
    oid = await git.resolveRef({ fs, dir, ref: base });
  } catch {
    if (/^[0-9a-f]{4,40}$/i.test(base)) {
      try {
        oid = await git.expandOid({ fs, dir, oid: base.toLowerCase() });
      } catch {
        oid = undefined;
      }
    }
  }
  if (oid === undefined) throw new ArtifactRefError(`${spec}: revision ${base} is not a branch, tag or commit of the repository at ${dir}`);
  // Annotated tags point at a tag object: peel to its commit.
  let commit = oid;
  for (let i = 0; i < 8; i++) {
    const { type, object } = await git.readObject({ fs, dir, oid: commit });
    if (type === 'commit') break;
    if (type !== 'tag') throw new ArtifactRefError(`${spec}: ${base} names a ${type}, not a commit`);
    commit = (object as { object: string }).object;
  }
  for (let i = 0; i < back; i++) {
    const { commit: c } = await git.readCommit({ fs, dir, oid: commit });
    const parent = c.parent[0];
    if (parent === undefined) throw new ArtifactRefError(`${spec}: ${base} has only ${i} ancestor${i === 1 ? '' : 's'}; ~${back} goes past the first commit`);
    commit = parent;
  }
  return commit;
}
