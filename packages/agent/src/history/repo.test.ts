import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import git from 'isomorphic-git';
import { compileSource } from '@strata/compiler';
import { describe, expect, it } from 'vitest';
import { StrategyRepoError, type StrategyRepoErrorCode } from './errors.js';
import { defaultStrategiesDir, STRATEGIES_MARKER, StrategyRepo, type CommitVersionInput } from './repo.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const SMA = readFileSync(join(root, 'examples/sma-cross.yaml'), 'utf8');
const RSI = readFileSync(join(root, 'examples/rsi-reversion.yaml'), 'utf8');
const tmp = () => mkdtempSync(join(tmpdir(), 'strata-history-'));
const T0 = 1_700_000_000;

const hashOf = (yaml: string) => {
  const r = compileSource(yaml);
  if (!r.ok || r.hash === undefined) throw new Error('fixture does not compile');
  return r.hash;
};
const smaWith = (fast: number) => SMA.replace(/fast: \{ default: 10,/, `fast: { default: ${fast},`);

function version(artifact: string, n: number, extra: Partial<CommitVersionInput> = {}): CommitVersionInput {
  const name = /^name: (\S+)$/m.exec(artifact)![1]!;
  return {
    name,
    artifact,
    prompt: `prompt ${n}: make ${name} better\n\nmore detail`,
    model: 'test:model-1',
    trace: [{ tool: 'compile', input: { n }, output: { ok: true } }],
    compile: { hash: hashOf(artifact) },
    backtest: { sharpe: n / 10, totalReturn: 0.1 * n },
    timestamp: T0 + n * 60,
    ...extra,
  };
}

/** A repository with three versions of sma-cross (fast 10, 12, 14) at T0+60, +120, +180. */
async function threeVersions(dir = join(tmp(), 'strategies')) {
  const repo = await StrategyRepo.open(dir, { create: true });
  const commits = [];
  for (const [i, fast] of [10, 12, 14].entries()) commits.push(await repo.commitVersion(version(smaWith(fast), i + 1)));
  return { repo, dir, commits };
}

async function expectRepoError(p: Promise<unknown>, code: StrategyRepoErrorCode, message: RegExp): Promise<StrategyRepoError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, `expected a StrategyRepoError ${code}`).toBeInstanceOf(StrategyRepoError);
  expect((e as StrategyRepoError).code).toBe(code);
  expect((e as StrategyRepoError).message).toMatch(message);
  return e as StrategyRepoError;
}

describe('StrategyRepo.open', () => {
  it('creates the repository on first use (branch main, the strategies marker) and only when asked', async () => {
    const dir = join(tmp(), 'strategies');
    await expectRepoError(StrategyRepo.open(dir), 'repo_not_found', new RegExp(`no strategies repository at ${dir}.*--repo`));
    expect(fs.existsSync(dir)).toBe(false);
    const repo = await StrategyRepo.open(dir, { create: true });
    expect(fs.statSync(join(dir, '.git')).isDirectory()).toBe(true);
    expect(await git.currentBranch({ fs, dir, fullname: true })).toBe('refs/heads/main');
    expect(JSON.parse(readFileSync(join(dir, STRATEGIES_MARKER), 'utf8'))).toEqual({ schema: 'strata.strategies-repo/v1' });
    expect(await repo.names()).toEqual([]);
    await expectRepoError(repo.history('sma-cross'), 'unknown_strategy', /no strategy named sma-cross.*holds no strategies yet/);
    // A second open (no create needed) of the new, still commit-less repository works.
    expect((await StrategyRepo.open(dir)).dir).toBe(dir);
  });

  it('resolves the default location: --repo, then $STRATA_STRATEGIES, then strategies/ in the working directory', () => {
    expect(defaultStrategiesDir({ cwd: '/w', env: {} })).toBe('/w/strategies');
    expect(defaultStrategiesDir({ cwd: '/w', env: { STRATA_STRATEGIES: 'hist' } })).toBe('/w/hist');
    expect(defaultStrategiesDir({ cwd: '/w', repo: '/abs/repo', env: { STRATA_STRATEGIES: 'hist' } })).toBe('/abs/repo');
  });

  it.each([
    ['a .git that is a file', (d: string) => writeFileSync(join(d, '.git'), 'gitdir: /nowhere\n'), 'corrupt', /\.git is not a git repository \(it is a file/],
    ['an empty .git directory', (d: string) => fs.mkdirSync(join(d, '.git')), 'corrupt', /\.git is not a git repository \(it has no HEAD\)/],
    ['files but no .git', (d: string) => writeFileSync(join(d, 'notes.txt'), 'x'), 'not_a_strategies_repo', /holds files but no \.git/],
  ] as const)('refuses %s, naming the path and the fix', async (_label, setup, code, message) => {
    const dir = tmp();
    setup(dir);
    const e = await expectRepoError(StrategyRepo.open(dir, { create: true }), code, message);
    expect(e.message).toContain(dir);
    expect(e.message).toMatch(/--repo|move .* away|restore/);
  });

  it('refuses a git repository that is not a strategies repository (no marker at HEAD)', async () => {
    const dir = tmp();
    await git.init({ fs, dir, defaultBranch: 'main' });
    writeFileSync(join(dir, 'README.md'), 'some other project\n');
    await git.add({ fs, dir, filepath: 'README.md' });
    await git.commit({ fs, dir, message: 'init', author: { name: 'x', email: 'x@y', timestamp: T0, timezoneOffset: 0 } });
    await expectRepoError(StrategyRepo.open(dir, { create: true }), 'not_a_strategies_repo', new RegExp(`${dir} is a git repository but not a Strata strategies repository.*${STRATEGIES_MARKER.replace('.', '\\.')}`));
  });

  it('reports missing objects as a damaged repository (with fsck as the first step), on open and on reading history', async () => {
    const { dir, commits } = await threeVersions();
    // Remove the object of the first version's prompt.md: open still works (HEAD is intact), history does not.
    const v1Tree = (await git.readTree({ fs, dir, oid: commits[0]!.commit, filepath: 'sma-cross' })).tree;
    const promptOid = v1Tree.find((e) => e.path === 'prompt.md')!.oid;
    fs.rmSync(join(dir, '.git/objects', promptOid.slice(0, 2), promptOid.slice(2)));
    const repo = await StrategyRepo.open(dir);
    expect((await repo.read('sma-cross', 'v3')).version).toBe(3);
    await expectRepoError(repo.read('sma-cross', 'v1'), 'corrupt', new RegExp(`${dir}: the git repository is damaged \\(reading sma-cross/prompt\\.md \\(${promptOid}\\).*git -C ${dir} fsck`));
    // The HEAD commit itself missing: refused on open.
    const head = commits[2]!.commit;
    fs.rmSync(join(dir, '.git/objects', head.slice(0, 2), head.slice(2)));
    await expectRepoError(StrategyRepo.open(dir), 'corrupt', new RegExp(`reading the commit ${head}`));
  });
});

describe('StrategyRepo: commit → history → read', () => {
  it('records each version as one commit holding the artifact, prompt, trace and meta, and reads them back exactly', async () => {
    const { repo, dir, commits } = await threeVersions();
    expect(commits.map((c) => c.version)).toEqual([1, 2, 3]);
    expect(commits.every((c) => c.created && c.short === c.commit.slice(0, 7))).toBe(true);

    const history = await repo.history('sma-cross');
    expect(history.map((h) => h.version)).toEqual([3, 2, 1]); // newest first
    expect(history.map((h) => h.commit)).toEqual(commits.map((c) => c.commit).reverse());
    expect(history[0]).toMatchObject({ date: new Date((T0 + 180) * 1000).toISOString(), artifactHash: hashOf(smaWith(14)), model: 'test:model-1' });
    expect(history[2]!.message).toBe(`sma-cross v1: prompt 1: make sma-cross better\n\nStrategy: sma-cross\nArtifact-Hash: ${hashOf(SMA)}\nModel: test:model-1`);

    const v2 = await repo.read('sma-cross', 'v2');
    expect(v2.artifact).toBe(smaWith(12)); // byte for byte
    expect(v2.prompt).toBe('prompt 2: make sma-cross better\n\nmore detail\n');
    expect(v2.trace).toEqual([{ tool: 'compile', input: { n: 2 }, output: { ok: true } }]);
    expect(v2.meta).toMatchObject({
      schema: 'strata.strategy-version/v1',
      name: 'sma-cross',
      model: 'test:model-1',
      compile: { hash: hashOf(smaWith(12)) },
      backtest: { sharpe: 0.2, totalReturn: 0.2 },
      createdAt: new Date((T0 + 120) * 1000).toISOString(),
    });
    expect(Object.keys(v2.meta!.tools).sort()).toEqual(['compiler', 'kernel']);
    expect(v2).toMatchObject({ name: 'sma-cross', commit: commits[1]!.commit, version: 2, versionCommit: commits[1]!.commit });

    // The working copy and the index follow the latest commit: nothing modified, nothing staged.
    expect(readFileSync(join(dir, 'sma-cross/strategy.yaml'), 'utf8')).toBe(smaWith(14));
    const matrix = await git.statusMatrix({ fs, dir });
    expect(matrix.filter(([, h, w, s]) => !(h === 1 && w === 1 && s === 1))).toEqual([]);
    expect(matrix.map(([f]) => f).sort()).toEqual([STRATEGIES_MARKER, 'sma-cross/meta.json', 'sma-cross/prompt.md', 'sma-cross/strategy.yaml', 'sma-cross/trace.json']);
    expect(await repo.names()).toEqual(['sma-cross']);
  });

  it('is deterministic: the same versions with the same timestamps give the same commit ids in another repository', async () => {
    const [a, b] = await Promise.all([threeVersions(), threeVersions()]);
    expect(a.commits.map((c) => c.commit)).toEqual(b.commits.map((c) => c.commit));
  });

  it('does not commit when nothing changed, and keeps strategies apart in one repository', async () => {
    const { repo, commits } = await threeVersions();
    const again = await repo.commitVersion(version(smaWith(14), 3));
    expect(again).toEqual({ ...commits[2], created: false });
    const rsi = await repo.commitVersion(version(RSI, 4));
    expect(rsi.version).toBe(1);
    expect(await repo.names()).toEqual(['rsi-reversion', 'sma-cross']);
    expect((await repo.history('sma-cross')).length).toBe(3);
    expect((await repo.history('rsi-reversion')).map((h) => h.commit)).toEqual([rsi.commit]);
    // HEAD is rsi-reversion's commit; sma-cross@HEAD is still its third version.
    const smaAtHead = await repo.read('sma-cross', 'HEAD');
    expect(smaAtHead).toMatchObject({ commit: rsi.commit, version: 3, versionCommit: commits[2]!.commit, artifact: smaWith(14) });
    const v4 = await repo.commitVersion(version(smaWith(16), 5));
    expect(v4.version).toBe(4);
    expect((await repo.read('rsi-reversion', 'HEAD')).artifact).toBe(RSI);
  });

  it('serialises concurrent commits: every version lands, numbered 1…n', async () => {
    const repo = await StrategyRepo.open(join(tmp(), 's'), { create: true });
    const results = await Promise.all([10, 11, 12, 13].map((fast, i) => repo.commitVersion(version(smaWith(fast), i + 1))));
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
    expect(new Set(results.map((r) => r.commit)).size).toBe(4);
    expect((await repo.history('sma-cross')).length).toBe(4);
  });
});

describe('StrategyRepo.read: revisions', () => {
  it.each([
    ['v1', 0],
    ['v2', 1],
    ['v3', 2],
    ['v3~2', 0],
    ['~1', 1],
    ['~2', 0],
    ['HEAD', 2],
    ['HEAD~1', 1],
    ['HEAD~~', 0],
    ['main', 2],
    ['main~2', 0],
  ])('%s names version index %i', async (rev, index) => {
    const { repo, commits } = await threeVersions();
    const r = await repo.read('sma-cross', rev);
    expect(r.commit, `${rev} must resolve to the commit of v${index + 1}`).toBe(commits[index]!.commit);
    expect(r.artifact).toBe(smaWith([10, 12, 14][index]!));
    expect(r.version).toBe(index + 1);
  });

  it('accepts full and abbreviated commit ids, lightweight and annotated tags', async () => {
    const { repo, dir, commits } = await threeVersions();
    const first = commits[0]!.commit;
    await git.tag({ fs, dir, ref: 'light', object: first });
    await git.annotatedTag({ fs, dir, ref: 'release-1', object: commits[1]!.commit, message: 'release', tagger: { name: 't', email: 't@x', timestamp: T0, timezoneOffset: 0 } });
    expect((await repo.read('sma-cross', first)).version).toBe(1);
    expect((await repo.read('sma-cross', first.slice(0, 7))).version).toBe(1);
    expect((await repo.read('sma-cross', 'light')).version).toBe(1);
    expect((await repo.read('sma-cross', 'release-1')).version).toBe(2);
    expect((await repo.read('sma-cross', 'release-1~1')).version).toBe(1);
  });

  it.each([
    ['v4', /sma-cross@v4: sma-cross has 3 versions \(v1…v3\), so v4 names none; `strata history sma-cross` lists them/],
    ['~3', /sma-cross has 3 versions/],
    ['nope', /sma-cross@nope: no revision nope in .*`strata history sma-cross` lists the versions/],
    ['HEAD~7', /HEAD has only 2 ancestors; ~7 goes past the first commit/],
    ['deadbeef', /no revision deadbeef/],
  ])('a revision that names nothing (%s) is a clear error pointing at `strata history`', async (rev, message) => {
    const { repo } = await threeVersions();
    await expectRepoError(repo.read('sma-cross', rev), 'unknown_rev', message);
  });

  it('an unknown strategy lists the ones there are; a bad name says what a name looks like', async () => {
    const { repo } = await threeVersions();
    await expectRepoError(repo.read('other', 'HEAD'), 'unknown_strategy', /no strategy named other in .*it holds: sma-cross/);
    await expectRepoError(repo.history('Bad_Name'), 'invalid_name', /"Bad_Name" is not a strategy name: use lower-case letters/);
    await expectRepoError(repo.read('../etc', 'HEAD'), 'invalid_name', /not a strategy name/);
  });
});

describe('StrategyRepo.commitVersion: what it refuses', () => {
  it.each([
    ['an invalid name', { name: 'SMA Cross' }, 'invalid_name', /not a strategy name/],
    ['an empty artifact', { artifact: '  \n' }, 'invalid_version', /the artifact is empty; nothing was committed/],
    ['an empty model id', { model: '' }, 'invalid_version', /model id is empty/],
    ['a hash that is not the artifact\u2019s', { compile: { hash: 'sha256:' + '0'.repeat(64) } }, 'invalid_version', /compile\.hash sha256:0+ is not the artifact's hash \(sha256:[0-9a-f]{64}\)/],
    ['an artifact that does not compile', { artifact: SMA.replace('crosses_above(fast_ma, slow_ma)', 'crosses_above(fast_ma, nope)') }, 'invalid_version', /does not compile \(1 error: error\[E401\]/],
    ['a name that is not the artifact\u2019s', { name: 'other' }, 'invalid_version', /the artifact is named sma-cross/],
    ['a fractional timestamp', { timestamp: 1.5 }, 'invalid_version', /whole seconds/],
    ['a trace that is no JSON value', { trace: undefined }, 'invalid_version', /trace is not a JSON value/],
  ] as const)('%s', async (_label, patch, code, message) => {
    const repo = await StrategyRepo.open(join(tmp(), 's'), { create: true });
    await expectRepoError(repo.commitVersion({ ...version(SMA, 1), ...patch } as CommitVersionInput), code, message);
    expect(await repo.names()).toEqual([]); // nothing was committed
  });

  it('refuses to commit on a detached HEAD', async () => {
    const { repo, dir, commits } = await threeVersions();
    writeFileSync(join(dir, '.git/HEAD'), commits[0]!.commit + '\n');
    await expectRepoError(repo.commitVersion(version(smaWith(20), 9)), 'detached_head', /HEAD is detached.*checkout main/);
  });
});
