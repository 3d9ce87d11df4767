import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import git, { type TreeEntry } from 'isomorphic-git';
import { COMPILER_VERSION, compileSource, formatDiagnostic } from '@strata/compiler';
import { KERNEL_VERSION } from '@strata/kernel';
import { StrategyRepoError } from './errors.js';

/**
 * The history of strategy versions: a git repository (isomorphic-git, so no git binary is needed)
 * in which every emitted version is one commit holding, under `<name>/`, the artifact and beside
 * it what produced it:
 *
 *   <name>/strategy.yaml   the artifact, byte for byte
 *   <name>/prompt.md       the prompt that generated it
 *   <name>/trace.json      the tool-call trace
 *   <name>/meta.json       model, compile hash, backtest summary, created time, tool versions
 *
 * The repository root holds `.strata-strategies.json`, which marks it as a strategies repository.
 */

/** Strategy names: the artifact's own `name` pattern (schemas/strategy/v1). */
export const STRATEGY_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
export const STRATEGY_FILES = ['strategy.yaml', 'prompt.md', 'trace.json', 'meta.json'] as const;
export type StrategyFile = (typeof STRATEGY_FILES)[number];
export const STRATEGIES_MARKER = '.strata-strategies.json';
export const STRATEGIES_REPO_SCHEMA = 'strata.strategies-repo/v1';
export const VERSION_META_SCHEMA = 'strata.strategy-version/v1';
/** Environment variable naming the strategies repository. */
export const STRATEGIES_ENV = 'STRATA_STRATEGIES';

const DEFAULT_BRANCH = 'main';
const DEFAULT_AUTHOR = { name: 'Strata agent', email: 'agent@strata.invalid' } as const;
const SHORT = 7;
const LOCK_FILE = 'strata-history.lock';
const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 60_000;

/** The strategies repository to use: an explicit one, else $STRATA_STRATEGIES, else `strategies/` in `cwd`. */
export function defaultStrategiesDir(opts: { repo?: string | undefined; cwd?: string; env?: Readonly<Record<string, string | undefined>> } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  if (opts.repo !== undefined && opts.repo !== '') return resolve(cwd, opts.repo);
  const fromEnv = env[STRATEGIES_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(cwd, fromEnv);
  return resolve(cwd, 'strategies');
}

export function isStrategyName(name: string): boolean {
  return STRATEGY_NAME_PATTERN.test(name);
}

export interface VersionMeta {
  readonly schema: typeof VERSION_META_SCHEMA;
  readonly name: string;
  readonly model: string;
  readonly compile: { readonly hash: string; readonly compilerVersion: string };
  readonly backtest: unknown;
  readonly createdAt: string;
  readonly tools: Readonly<Record<string, string>>;
}

export interface CommitVersionInput {
  /** The strategy's name (a slug); must equal the artifact's `name`. */
  readonly name: string;
  /** The artifact's YAML text, stored byte for byte. */
  readonly artifact: string;
  /** The prompt that generated this version. */
  readonly prompt: string;
  /** The model id, e.g. `anthropic:claude-sonnet-4-5`. */
  readonly model: string;
  /** The tool-call trace (any JSON value). */
  readonly trace: unknown;
  /** The compiler's artifact hash; the artifact is compiled again and must give exactly this hash. */
  readonly compile: { readonly hash: string };
  /** The backtest summary (any JSON value), or null when none was run. */
  readonly backtest?: unknown;
  /** The commit message's first paragraph (default: `<name> v<N>: <first line of the prompt>`). */
  readonly message?: string;
  readonly author?: { readonly name: string; readonly email: string };
  /** Commit and created time: a Date, or whole seconds since the Unix epoch. Default: now. Pass one for deterministic commits. */
  readonly timestamp?: Date | number;
  /** Extra tool versions to record (the compiler's and the kernel's are always recorded). */
  readonly tools?: Readonly<Record<string, string>>;
}

export interface CommittedVersion {
  readonly commit: string;
  readonly short: string;
  /** 1-based version number of the strategy (`v<N>`). */
  readonly version: number;
  /** False when the repository already held exactly these files (nothing new was committed). */
  readonly created: boolean;
}

export interface HistoryEntry {
  /** 1-based, oldest first: `v<version>` names this entry in revisions. */
  readonly version: number;
  readonly commit: string;
  readonly short: string;
  /** Author time, ISO 8601 (UTC). */
  readonly date: string;
  readonly message: string;
  readonly artifactHash: string | null;
  readonly model: string | null;
}

export interface StrategyVersion {
  readonly name: string;
  /** The commit the revision resolved to. */
  readonly commit: string;
  readonly short: string;
  /** The version this content is (`v<N>`, counted along the first-parent history of `commit`). */
  readonly version: number;
  /** The commit that recorded this version. */
  readonly versionCommit: string;
  readonly date: string;
  readonly message: string;
  readonly artifact: string;
  readonly prompt: string;
  readonly trace: unknown;
  readonly meta: VersionMeta | null;
  /** The stored files' text exactly as committed (a file a hand-made commit left out is absent). */
  readonly files: Readonly<Partial<Record<StrategyFile, string>>>;
}

interface VersionPoint {
  readonly commit: string;
  readonly tree: string;
}

type Author = { name: string; email: string; timestamp: number; timezoneOffset: number };

/** Commits on one repository are serialised within the process (the lock file covers other processes). */
const queues = new Map<string, Promise<unknown>>();

export class StrategyRepo {
  readonly dir: string;
  readonly gitdir: string;
  private readonly cache: object = {};

  private constructor(dir: string) {
    this.dir = dir;
    this.gitdir = join(dir, '.git');
  }

  /**
   * Opens the strategies repository at `dir`. With `create`, a missing or empty directory becomes a
   * new repository (branch `main`). Refuses, naming the path and the fix: a missing repository
   * (without `create`), a directory holding files but no `.git`, a `.git` that is not a repository
   * or whose HEAD cannot be read, and a git repository without the strategies marker.
   */
  static async open(dir: string, opts: { create?: boolean } = {}): Promise<StrategyRepo> {
    const abs = resolve(dir);
    const repo = new StrategyRepo(abs);
    const exists = fs.existsSync(abs);
    if (exists && !fs.statSync(abs).isDirectory()) {
      throw new StrategyRepoError('not_a_strategies_repo', `${abs} is a file, not a strategies repository; pass --repo with a directory (or set ${STRATEGIES_ENV})`);
    }
    const empty = !exists || fs.readdirSync(abs).length === 0;
    if (empty) {
      if (opts.create !== true) {
        throw new StrategyRepoError(
          'repo_not_found',
          `no strategies repository at ${abs}: it is created when the first version of a strategy is saved; pass --repo DIR (or set ${STRATEGIES_ENV}) to use another one`,
        );
      }
      fs.mkdirSync(abs, { recursive: true });
      await git.init({ fs, dir: abs, defaultBranch: DEFAULT_BRANCH });
      fs.writeFileSync(join(abs, STRATEGIES_MARKER), markerText());
      return repo;
    }
    if (!fs.existsSync(repo.gitdir)) {
      throw new StrategyRepoError(
        'not_a_strategies_repo',
        `${abs} is not a strategies repository: it holds files but no .git; pass --repo with a strategies repository or a new directory (or set ${STRATEGIES_ENV})`,
      );
    }
    await repo.check();
    return repo;
  }

  /** Checks the repository can be read: a real git directory, a readable HEAD, the marker at HEAD. */
  private async check(): Promise<void> {
    const fix = `move ${this.gitdir} away (e.g. to .git.broken) to start a new history, or restore the repository from a clone or backup`;
    if (!fs.statSync(this.gitdir).isDirectory()) {
      throw new StrategyRepoError('corrupt', `${this.gitdir} is not a git repository (it is a file, not a directory); ${fix}`);
    }
    for (const part of ['HEAD', 'objects', 'refs']) {
      if (!fs.existsSync(join(this.gitdir, part))) {
        throw new StrategyRepoError('corrupt', `${this.gitdir} is not a git repository (it has no ${part}); ${fix}`);
      }
    }
    const head = await this.headCommit();
    if (head === undefined) return; // a new repository: no commit yet
    const root = await this.rootTree(head);
    if (!root.some((e) => e.path === STRATEGIES_MARKER && e.type === 'blob')) {
      throw new StrategyRepoError(
        'not_a_strategies_repo',
        `${this.dir} is a git repository but not a Strata strategies repository (there is no ${STRATEGIES_MARKER} at HEAD); pass --repo with a strategies repository or a new directory, or adopt this one by committing ${STRATEGIES_MARKER} containing ${markerText().trim()}`,
      );
    }
  }

  /** Strategy names at HEAD (top-level directories holding a strategy.yaml), sorted. */
  async names(): Promise<string[]> {
    const head = await this.headCommit();
    if (head === undefined) return [];
    const out: string[] = [];
    for (const e of await this.rootTree(head)) {
      if (e.type !== 'tree' || !isStrategyName(e.path)) continue;
      const sub = await this.readTree(e.oid, `${e.path}/`);
      if (sub.some((f) => f.path === 'strategy.yaml' && f.type === 'blob')) out.push(e.path);
    }
    return out.sort();
  }

  /** Records a version: one commit on the current branch with the four files under `<name>/`. */
  async commitVersion(input: CommitVersionInput): Promise<CommittedVersion> {
    const prepared = this.prepare(input);
    return this.exclusive(() => this.writeVersion(input.name, prepared));
  }

  /** The versions of `name` along the first-parent history of HEAD, newest first. */
  async history(name: string): Promise<HistoryEntry[]> {
    checkName(name);
    const head = await this.headCommit();
    const points = head === undefined ? [] : await this.versionsFrom(head, name);
    if (points.length === 0) throw await this.unknownStrategy(name);
    const out: HistoryEntry[] = [];
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const { commit } = await this.readCommit(p.commit);
      const files = await this.readFiles(p.tree, name);
      const meta = parseMeta(files.get('meta.json'));
      out.push({
        version: points.length - i,
        commit: p.commit,
        short: p.commit.slice(0, SHORT),
        date: isoSeconds(commit.author.timestamp),
        message: commit.message.trim(),
        artifactHash: meta?.compile.hash ?? hashOf(files.get('strategy.yaml')),
        model: meta?.model ?? null,
      });
    }
    return out;
  }

  /**
   * Reads `name` at `rev`: a branch, a tag, `HEAD`, a full or abbreviated commit id, each
   * optionally followed by `~N` (N first parents back); or `v<N>` (the N-th version of the
   * strategy, oldest first, optionally `~M` = M versions earlier); or `~N` alone (N versions before
   * the latest).
   */
  async read(name: string, rev = 'HEAD'): Promise<StrategyVersion> {
    checkName(name);
    const head = await this.headCommit();
    if (head === undefined) throw await this.unknownStrategy(name);
    const commit = await this.resolveRev(name, rev, head);
    const tree = await this.subtree(commit, name);
    if (tree === undefined) {
      // A strategy removed from HEAD stays readable at older revisions; one never recorded is unknown.
      if ((await this.versionsFrom(head, name)).length === 0) throw await this.unknownStrategy(name);
      throw new StrategyRepoError('unknown_rev', `${name}@${rev}: ${name} does not exist at ${rev} (commit ${commit.slice(0, SHORT)}); \`strata history ${name}\` lists its versions`);
    }
    const points = await this.versionsFrom(commit, name);
    const own = points[0]!;
    const { commit: c } = await this.readCommit(own.commit);
    const files = await this.readFiles(tree, name);
    const artifact = files.get('strategy.yaml');
    if (artifact === undefined) {
      throw new StrategyRepoError('unknown_rev', `${name}@${rev}: ${name}/strategy.yaml does not exist at ${rev} (commit ${commit.slice(0, SHORT)}); \`strata history ${name}\` lists its versions`);
    }
    return {
      name,
      commit,
      short: commit.slice(0, SHORT),
      version: points.length,
      versionCommit: own.commit,
      date: isoSeconds(c.author.timestamp),
      message: c.message.trim(),
      artifact,
      prompt: files.get('prompt.md') ?? '',
      trace: parseJson(files.get('trace.json'), null),
      meta: parseMeta(files.get('meta.json')),
      files: Object.fromEntries(files) as Partial<Record<StrategyFile, string>>,
    };
  }

  // ——— writing ———

  private prepare(input: CommitVersionInput): Prepared {
    checkName(input.name);
    if (typeof input.artifact !== 'string' || input.artifact.trim() === '') {
      throw new StrategyRepoError('invalid_version', `${input.name}: the artifact is empty; nothing was committed`);
    }
    if (typeof input.model !== 'string' || input.model.trim() === '') {
      throw new StrategyRepoError('invalid_version', `${input.name}: the model id is empty; record which model generated the version`);
    }
    const compiled = compileSource(input.artifact, { file: `${input.name}/strategy.yaml`, baseDir: join(this.dir, input.name) });
    if (!compiled.ok || compiled.hash === undefined) {
      const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
      const shown = errors.slice(0, 3).map((d) => formatDiagnostic(d, { color: false }).split('\n')[0]).join('; ');
      throw new StrategyRepoError('invalid_version', `${input.name}: the artifact does not compile (${errors.length} error${errors.length === 1 ? '' : 's'}: ${shown}); only compiling versions are recorded`);
    }
    if (compiled.hash !== input.compile.hash) {
      throw new StrategyRepoError('invalid_version', `${input.name}: compile.hash ${input.compile.hash} is not the artifact's hash (${compiled.hash}); pass the hash the compiler gave for exactly this text`);
    }
    const declared = compiled.plan?.artifact.name;
    if (declared !== undefined && declared !== input.name) {
      throw new StrategyRepoError('invalid_version', `${input.name}: the artifact is named ${declared}; a version is recorded under the artifact's own name`);
    }
    const seconds = timestampSeconds(input.timestamp);
    const trace = JSON.stringify(input.trace, null, 2) as string | undefined;
    if (trace === undefined) throw new StrategyRepoError('invalid_version', `${input.name}: the trace is not a JSON value`);
    let backtest: string | undefined;
    try {
      backtest = JSON.stringify(input.backtest ?? null);
    } catch (e) {
      throw new StrategyRepoError('invalid_version', `${input.name}: the backtest summary is not JSON-serialisable (${(e as Error).message})`, { cause: e });
    }
    const meta: VersionMeta = {
      schema: VERSION_META_SCHEMA,
      name: input.name,
      model: input.model,
      compile: { hash: compiled.hash, compilerVersion: COMPILER_VERSION },
      backtest: JSON.parse(backtest!) as unknown,
      createdAt: isoSeconds(seconds),
      tools: { ...(input.tools ?? {}), compiler: COMPILER_VERSION, kernel: KERNEL_VERSION },
    };
    const author: Author = { name: input.author?.name ?? DEFAULT_AUTHOR.name, email: input.author?.email ?? DEFAULT_AUTHOR.email, timestamp: seconds, timezoneOffset: 0 };
    return {
      files: {
        'strategy.yaml': input.artifact,
        'prompt.md': input.prompt.endsWith('\n') || input.prompt === '' ? input.prompt : input.prompt + '\n',
        'trace.json': trace + '\n',
        'meta.json': JSON.stringify(meta, null, 2) + '\n',
      },
      author,
      hash: compiled.hash,
      model: input.model,
      prompt: input.prompt,
      ...(input.message !== undefined ? { message: input.message } : {}),
    };
  }

  private async writeVersion(name: string, p: Prepared): Promise<CommittedVersion> {
    const branch = await this.currentBranch();
    const parent = await this.headCommit();
    const root = parent === undefined ? [] : await this.rootTree(parent);
    const oldSub = root.find((e) => e.path === name);
    if (oldSub !== undefined && oldSub.type !== 'tree') {
      throw new StrategyRepoError('invalid_version', `${this.dir}/${name} is a file in the repository, not a strategy directory; rename it to record versions of ${name}`);
    }
    const sub: TreeEntry[] = oldSub === undefined ? [] : (await this.readTree(oldSub.oid, `${name}/`)).filter((e) => !(STRATEGY_FILES as readonly string[]).includes(e.path));
    for (const file of STRATEGY_FILES) {
      const oid = await git.writeBlob({ fs, dir: this.dir, blob: Buffer.from(p.files[file], 'utf8') });
      sub.push({ mode: '100644', path: file, oid, type: 'blob' });
    }
    const subOid = await git.writeTree({ fs, dir: this.dir, tree: sortTree(sub) });
    const newRoot = root.filter((e) => e.path !== name && e.path !== STRATEGIES_MARKER);
    newRoot.push({ mode: '040000', path: name, oid: subOid, type: 'tree' });
    const markerOid = await git.writeBlob({ fs, dir: this.dir, blob: Buffer.from(markerText(), 'utf8') });
    newRoot.push({ mode: '100644', path: STRATEGIES_MARKER, oid: markerOid, type: 'blob' });
    const rootOid = await git.writeTree({ fs, dir: this.dir, tree: sortTree(newRoot) });
    const before = parent === undefined ? [] : await this.versionsFrom(parent, name);

    let commit: string;
    let created: boolean;
    if (parent !== undefined && rootOid === (await this.readCommit(parent)).commit.tree) {
      commit = parent;
      created = false;
    } else {
      const version = before.length + 1;
      const head = p.message ?? `${name} v${version}${firstLine(p.prompt) ? `: ${firstLine(p.prompt)}` : ''}`;
      const message = `${head.trim()}\n\nStrategy: ${name}\nArtifact-Hash: ${p.hash}\nModel: ${p.model}\n`;
      commit = await git.commit({ fs, dir: this.dir, message, author: p.author, committer: p.author, tree: rootOid, parent: parent === undefined ? [] : [parent], ref: branch, cache: this.cache });
      created = true;
    }
    await this.syncWorkingCopy(name, p);
    return { commit, short: commit.slice(0, SHORT), version: before.length + (created ? 1 : 0), created };
  }

  /** Keeps the working copy and the index in step with the commit, so `git status` is clean. */
  private async syncWorkingCopy(name: string, p: Prepared): Promise<void> {
    fs.mkdirSync(join(this.dir, name), { recursive: true });
    for (const file of STRATEGY_FILES) fs.writeFileSync(join(this.dir, name, file), p.files[file]);
    fs.writeFileSync(join(this.dir, STRATEGIES_MARKER), markerText());
    await git.add({ fs, dir: this.dir, filepath: [...STRATEGY_FILES.map((f) => `${name}/${f}`), STRATEGIES_MARKER], cache: this.cache });
  }

  private async currentBranch(): Promise<string> {
    let branch: string | void;
    try {
      branch = await git.currentBranch({ fs, dir: this.dir, fullname: true });
    } catch (e) {
      throw this.corrupt('reading HEAD', e);
    }
    if (branch === undefined) {
      throw new StrategyRepoError('detached_head', `${this.dir}: HEAD is detached, so there is no branch to record the version on; check out a branch first (git -C ${this.dir} checkout ${DEFAULT_BRANCH})`);
    }
    return branch;
  }

  /** Runs `fn` holding the repository's lock: in-process queue, and a lock file against other processes. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const prev = queues.get(this.dir) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(async () => {
      const release = await this.lockFile();
      try {
        return await fn();
      } finally {
        release();
      }
    });
    queues.set(this.dir, run);
    try {
      return await run;
    } finally {
      if (queues.get(this.dir) === run) queues.delete(this.dir);
    }
  }

  private async lockFile(): Promise<() => void> {
    const path = join(this.gitdir, LOCK_FILE);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const fd = fs.openSync(path, 'wx');
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        return () => fs.rmSync(path, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      try {
        if (Date.now() - fs.statSync(path).mtimeMs > LOCK_STALE_MS) {
          fs.rmSync(path, { force: true });
          continue;
        }
      } catch {
        continue; // released between the two calls
      }
      if (Date.now() > deadline) {
        throw new StrategyRepoError('locked', `${this.dir}: another process is recording a version (lock ${path}); retry, or remove the lock file if no strata process is running`);
      }
      await sleep(20);
    }
  }

  // ——— reading ———

  /** The commit HEAD points at, or undefined for a new repository (unborn branch). */
  private async headCommit(): Promise<string | undefined> {
    let oid: string;
    try {
      oid = await git.resolveRef({ fs, dir: this.dir, ref: 'HEAD' });
    } catch (e) {
      if (isNotFound(e) && (await this.headIsUnborn())) return undefined;
      throw this.corrupt('reading HEAD', e);
    }
    await this.readCommit(oid); // a HEAD naming a missing or non-commit object is corruption
    return oid;
  }

  private async headIsUnborn(): Promise<boolean> {
    let head: string;
    try {
      head = fs.readFileSync(join(this.gitdir, 'HEAD'), 'utf8').trim();
    } catch {
      return false;
    }
    const m = /^ref: (refs\/heads\/\S+)$/.exec(head);
    if (!m) return false;
    const loose = fs.existsSync(join(this.gitdir, ...m[1]!.split('/')));
    const packed = fs.existsSync(join(this.gitdir, 'packed-refs')) && fs.readFileSync(join(this.gitdir, 'packed-refs'), 'utf8').includes(` ${m[1]}\n`);
    return !loose && !packed;
  }

  private async resolveRev(name: string, rev: string, head: string): Promise<string> {
    const ver = /^v([1-9]\d*)((?:~\d*)*)$/.exec(rev);
    const rel = /^((?:~\d*)+)$/.exec(rev);
    if (ver || rel) {
      const points = (await this.versionsFrom(head, name)).reverse(); // oldest first
      if (points.length === 0) throw await this.unknownStrategy(name);
      const n = ver ? Number(ver[1]) - tildes(ver[2] ?? '') : points.length - tildes(rel![1]!);
      const point = n >= 1 ? points[n - 1] : undefined;
      if (point === undefined) {
        throw new StrategyRepoError('unknown_rev', `${name}@${rev}: ${name} has ${points.length} version${points.length === 1 ? '' : 's'} (v1…v${points.length}), so ${rev} names none; \`strata history ${name}\` lists them`);
      }
      return point.commit;
    }
    const m = /^(.+?)((?:~\d*)*)$/.exec(rev);
    if (!m || rev.trim() === '') throw this.unknownRev(name, rev);
    const base = m[1]!;
    let oid: string | undefined;
    try {
      oid = await git.resolveRef({ fs, dir: this.dir, ref: base });
    } catch (e) {
      if (!isNotFound(e) && (e as { code?: string }).code !== 'InvalidRefNameError') throw this.corrupt(`resolving ${base}`, e);
    }
    if (oid === undefined && /^[0-9a-f]{4,40}$/i.test(base)) {
      try {
        oid = await git.expandOid({ fs, dir: this.dir, oid: base.toLowerCase(), cache: this.cache });
      } catch (e) {
        if ((e as { code?: string }).code === 'AmbiguousError') {
          throw new StrategyRepoError('unknown_rev', `${name}@${rev}: the abbreviated commit id ${base} is ambiguous; use more digits (\`strata history ${name}\` shows them)`);
        }
        oid = undefined;
      }
    }
    if (oid === undefined) throw this.unknownRev(name, rev);
    let commit = oid;
    for (let i = 0; i < 8; i++) {
      const obj = await this.readObject(commit);
      if (obj.type === 'commit') break;
      if (obj.type !== 'tag') throw new StrategyRepoError('unknown_rev', `${name}@${rev}: ${base} names a ${obj.type}, not a commit`);
      commit = (obj.object as { object: string }).object;
    }
    const back = tildes(m[2] ?? '');
    for (let i = 0; i < back; i++) {
      const parent = (await this.readCommit(commit)).commit.parent[0];
      if (parent === undefined) {
        throw new StrategyRepoError('unknown_rev', `${name}@${rev}: ${base} has only ${i} ancestor${i === 1 ? '' : 's'}; ~${back} goes past the first commit (\`strata history ${name}\` lists the versions)`);
      }
      commit = parent;
    }
    return commit;
  }

  /** The commits that recorded a version of `name` (its directory differs from the first parent's), newest first. */
  private async versionsFrom(start: string, name: string): Promise<VersionPoint[]> {
    const out: VersionPoint[] = [];
    let oid: string | undefined = start;
    let here = await this.subtree(start, name);
    const seen = new Set<string>();
    while (oid !== undefined && !seen.has(oid)) {
      seen.add(oid);
      const parent: string | undefined = (await this.readCommit(oid)).commit.parent[0];
      const before = parent === undefined ? undefined : await this.subtree(parent, name);
      if (here !== undefined && here !== before) out.push({ commit: oid, tree: here });
      oid = parent;
      here = before;
    }
    return out;
  }

  /** The tree id of `<name>/` at a commit, or undefined when the commit has no such directory. */
  private async subtree(commit: string, name: string): Promise<string | undefined> {
    const e = (await this.rootTree(commit)).find((x) => x.path === name);
    return e?.type === 'tree' ? e.oid : undefined;
  }

  private async readFiles(tree: string, name: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const e of await this.readTree(tree, `${name}/`)) {
      if (e.type !== 'blob' || !(STRATEGY_FILES as readonly string[]).includes(e.path)) continue;
      try {
        const { blob } = await git.readBlob({ fs, dir: this.dir, oid: e.oid, cache: this.cache });
        out.set(e.path, Buffer.from(blob).toString('utf8'));
      } catch (err) {
        throw this.corrupt(`reading ${name}/${e.path} (${e.oid})`, err);
      }
    }
    return out;
  }

  private async rootTree(commit: string): Promise<TreeEntry[]> {
    return this.readTree((await this.readCommit(commit)).commit.tree, '');
  }

  private async readTree(oid: string, what: string): Promise<TreeEntry[]> {
    try {
      return (await git.readTree({ fs, dir: this.dir, oid, cache: this.cache })).tree;
    } catch (e) {
      throw this.corrupt(`reading the tree ${what || '/'} (${oid})`, e);
    }
  }

  private async readCommit(oid: string) {
    try {
      return await git.readCommit({ fs, dir: this.dir, oid, cache: this.cache });
    } catch (e) {
      throw this.corrupt(`reading the commit ${oid}`, e);
    }
  }

  private async readObject(oid: string) {
    try {
      return await git.readObject({ fs, dir: this.dir, oid, cache: this.cache });
    } catch (e) {
      throw this.corrupt(`reading the object ${oid}`, e);
    }
  }

  private corrupt(what: string, e: unknown): StrategyRepoError {
    if (e instanceof StrategyRepoError) return e;
    return new StrategyRepoError(
      'corrupt',
      `${this.dir}: the git repository is damaged (${what}: ${(e as Error).message}); run \`git -C ${this.dir} fsck\` to see what is missing, then restore the repository from a clone or backup (or move ${this.gitdir} away to start a new history)`,
      { cause: e },
    );
  }

  private unknownRev(name: string, rev: string): StrategyRepoError {
    return new StrategyRepoError('unknown_rev', `${name}@${rev}: no revision ${rev} in ${this.dir} (not a version v<N>, branch, tag or commit id); \`strata history ${name}\` lists the versions and their commits`);
  }

  private async unknownStrategy(name: string): Promise<StrategyRepoError> {
    const names = await this.names();
    return new StrategyRepoError(
      'unknown_strategy',
      `no strategy named ${name} in ${this.dir}; ${names.length === 0 ? 'the repository holds no strategies yet' : `it holds: ${names.join(', ')}`} (\`strata history\` lists them)`,
    );
  }
}

interface Prepared {
  readonly files: Record<StrategyFile, string>;
  readonly author: Author;
  readonly hash: string;
  readonly model: string;
  readonly prompt: string;
  readonly message?: string;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !isStrategyName(name)) {
    throw new StrategyRepoError('invalid_name', `${JSON.stringify(name)} is not a strategy name: use lower-case letters, digits and '-', starting with a letter, at most 64 characters (e.g. sma-cross)`);
  }
}

function markerText(): string {
  return JSON.stringify({ schema: STRATEGIES_REPO_SCHEMA }) + '\n';
}

/** Git's tree order: names compared bytewise, a directory as if its name ended in '/'. */
function sortTree(entries: TreeEntry[]): TreeEntry[] {
  const key = (e: TreeEntry) => Buffer.from(e.type === 'tree' ? `${e.path}/` : e.path, 'utf8');
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

function tildes(s: string): number {
  return [...s.matchAll(/~(\d*)/g)].reduce((n, x) => n + (x[1] === '' ? 1 : Number(x[1])), 0);
}

function timestampSeconds(t: Date | number | undefined): number {
  if (t === undefined) return Math.floor(Date.now() / 1000);
  if (t instanceof Date) {
    const ms = t.getTime();
    if (!Number.isFinite(ms) || ms < 0) throw new StrategyRepoError('invalid_version', `timestamp ${String(t)} is not a valid date after 1970`);
    return Math.floor(ms / 1000);
  }
  if (!Number.isInteger(t) || t < 0 || t > 1e11) {
    throw new StrategyRepoError('invalid_version', `timestamp ${t}: expected whole seconds since the Unix epoch (or a Date)`);
  }
  return t;
}

function isoSeconds(s: number): string {
  return new Date(s * 1000).toISOString();
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > 72 ? `${line.slice(0, 71)}…` : line;
}

function isNotFound(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'NotFoundError';
}

function parseJson(text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

function parseMeta(text: string | undefined): VersionMeta | null {
  const v = parseJson(text, null) as Partial<VersionMeta> | null;
  if (v === null || typeof v !== 'object' || typeof v.compile?.hash !== 'string') return null;
  return v as VersionMeta;
}

/** A version committed by hand (no meta.json): its hash, if it compiles. */
function hashOf(artifact: string | undefined): string | null {
  if (artifact === undefined) return null;
  const r = compileSource(artifact, { file: 'strategy.yaml' });
  return r.ok && r.hash !== undefined ? r.hash : null;
}
