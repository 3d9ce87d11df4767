import * as fs from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import git from 'isomorphic-git';

/**
 * `<artifact>` or `<artifact>@<git-rev>`: an artifact file as it is on disk, or exactly as it was
 * committed at a revision of the git repository that holds it (read with isomorphic-git, so no git
 * binary is needed). Revisions: a branch, a tag, HEAD, a full or abbreviated commit id, each
 * optionally followed by `~N` (N first parents back).
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
}

export class ArtifactRefError extends Error {
  override readonly name = 'ArtifactRefError';
}

export async function resolveArtifactRef(spec: string, cwd = process.cwd()): Promise<ResolvedArtifact> {
  const direct = resolve(cwd, spec);
  if (fs.existsSync(direct) && fs.statSync(direct).isFile()) return { source: fs.readFileSync(direct, 'utf8'), displayPath: spec, file: direct };
  const at = spec.lastIndexOf('@');
  if (at <= 0 || at === spec.length - 1) {
    throw new ArtifactRefError(`${spec}: no such file (to run a committed version, write <file>@<rev>, e.g. ${spec}@HEAD)`);
  }
  const pathPart = spec.slice(0, at);
  const rev = spec.slice(at + 1);
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
