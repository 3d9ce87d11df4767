import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrategyRepo, type CommitVersionInput, type CommittedVersion } from '@strata/agent';
import { compileSource } from '@strata/compiler';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, strata } from './run-bin.js';

/**
 * `strata history`, `strata show`, `strata diff`, and `strata backtest` / `strata kernel run` of
 * `<strategy>@<rev>`, end to end through the built bin, against a strategies repository written
 * by the agent's StrategyRepo in a temporary workspace.
 */

const SMA = readFileSync(join(root, 'examples/sma-cross.yaml'), 'utf8');
const RSI = readFileSync(join(root, 'examples/rsi-reversion.yaml'), 'utf8');
const smaWith = (fast: number) => SMA.replace(/fast: \{ default: 10,/, `fast: { default: ${fast},`);
/** v3 is v2 reformatted: another comment, block-style feeds — the same hash. */
const SMA_V3 = smaWith(12).replace('feeds: { bars: equities.us.daily }', '# data: the daily US equities feed\nfeeds:\n  bars: equities.us.daily');
const SMA_VERSIONS = [smaWith(10), smaWith(12), SMA_V3, smaWith(14)];
const T0 = 1_700_000_000;
const tmp = (label: string) => mkdtempSync(join(tmpdir(), `strata-history-${label}-`));

const hashOf = (yaml: string) => compileSource(yaml).hash!;

function input(artifact: string, n: number): CommitVersionInput {
  const name = /^name: (\S+)$/m.exec(artifact)![1]!;
  return {
    name,
    artifact,
    prompt: `Version ${n} of ${name}.\nWith a second line.`,
    model: 'anthropic:claude-test',
    trace: [{ tool: 'compile_strategy', ok: true, n }],
    compile: { hash: hashOf(artifact) },
    backtest: { totalReturn: n / 100 },
    timestamp: T0 + n * 3600,
  };
}

let ws: string;
let repoDir: string;
let sma: CommittedVersion[];
let rsi: CommittedVersion;

beforeAll(async () => {
  if (!existsSync(join(root, 'packages/cli/dist/history-command.js'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  }
  ws = tmp('ws');
  repoDir = join(ws, 'strategies');
  mkdirSync(join(ws, 'data'));
  cpSync(join(root, 'examples/data/etf'), join(ws, 'data/etf'), { recursive: true });
  const repo = await StrategyRepo.open(repoDir, { create: true });
  rsi = await repo.commitVersion(input(RSI, 0));
  sma = [];
  for (const [i, text] of SMA_VERSIONS.entries()) sma.push(await repo.commitVersion(input(text, i + 1)));
});

describe('strata history', () => {
  it('lists the versions of a strategy, newest first, from strategies/ in the working directory', async () => {
    const r = await strata(['history', 'sma-cross'], { cwd: ws });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`sma-cross: 4 versions in ${repoDir} (newest first)`);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([4, 3, 2, 1].map((v) => [`v${v}`, sma[v - 1]!.short]));
    expect(lines[4]).toContain('2023-11-14 23:13');
    expect(lines[4]).toContain(hashOf(SMA).slice(0, 19));
    expect(lines[4]).toMatch(/anthropic:claude-test\s+sma-cross v1: Version 1 of sma-cross\.$/);
  });

  it('--json gives every version with its commit, hash and model; without a name it lists the strategies', async () => {
    const [one, all] = await Promise.all([strata(['history', 'sma-cross', '--json'], { cwd: ws }), strata(['history', '--json'], { cwd: ws })]);
    expect(one.code).toBe(0);
    const h = JSON.parse(one.stdout) as { schema: string; name: string; versions: { version: number; commit: string; artifactHash: string; model: string; date: string }[] };
    expect(h.schema).toBe('strata.history/v1');
    expect(h.versions.map((v) => [v.version, v.commit, v.artifactHash])).toEqual([4, 3, 2, 1].map((n) => [n, sma[n - 1]!.commit, hashOf(SMA_VERSIONS[n - 1]!)]));
    expect(h.versions[3]!.date).toBe(new Date((T0 + 3600) * 1000).toISOString());
    expect(all.code).toBe(0);
    const list = JSON.parse(all.stdout) as { strategies: { name: string; versions: number; latest: { commit: string } }[] };
    expect(list.strategies.map((s) => [s.name, s.versions, s.latest.commit])).toEqual([
      ['rsi-reversion', 1, rsi.commit],
      ['sma-cross', 4, sma[3]!.commit],
    ]);
  });

  it('finds the repository through --repo and $STRATA_STRATEGIES from anywhere', async () => {
    const elsewhere = tmp('cwd');
    const [byFlag, byEnv] = await Promise.all([
      strata(['history', 'rsi-reversion', '--repo', repoDir], { cwd: elsewhere }),
      strata(['history', 'rsi-reversion'], { cwd: elsewhere, env: { STRATA_STRATEGIES: repoDir } }),
    ]);
    for (const r of [byFlag, byEnv]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`v1  ${rsi.short}`);
    }
  });

  it.each([
    ['an unknown strategy', 1, ['history', 'nope'], /strata history: no strategy named nope in .*it holds: rsi-reversion, sma-cross/],
    ['a name that is no strategy name', 2, ['history', 'Not_A_Name'], /"Not_A_Name" is not a strategy name/],
    ['too many arguments', 2, ['history', 'a', 'b'], /too many arguments/],
  ] as const)('%s: exit %i', async (_label, code, args, message) => {
    const r = await strata(args, { cwd: ws });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a missing repository and a damaged one are exit 1, naming the path and the fix', async () => {
    const empty = tmp('none');
    const missing = await strata(['history', 'sma-cross'], { cwd: empty });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no strategies repository at ${join(empty, 'strategies')}`);
    expect(missing.stderr).toMatch(/--repo DIR \(or set STRATA_STRATEGIES\)/);
    const broken = tmp('broken');
    mkdirSync(join(broken, 'strategies'));
    writeFileSync(join(broken, 'strategies/.git'), 'not a repository\n');
    const corrupt = await strata(['history', 'sma-cross'], { cwd: broken });
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain(`${join(broken, 'strategies/.git')} is not a git repository`);
    expect(corrupt.stderr).toMatch(/move .* away .* or restore/);
  });
});

describe('strata show', () => {
  it('--file prints one stored file exactly as committed', async () => {
    const [yaml, prompt, meta] = await Promise.all([
      strata(['show', 'sma-cross@v2', '--file', 'strategy.yaml'], { cwd: ws }),
      strata(['show', 'sma-cross@v1', '--file', 'prompt.md'], { cwd: ws }),
      strata(['show', `sma-cross@${sma[3]!.short}`, '--file', 'meta.json'], { cwd: ws }),
    ]);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toBe(smaWith(12));
    expect(prompt.stdout).toBe('Version 1 of sma-cross.\nWith a second line.\n');
    expect(JSON.parse(meta.stdout)).toMatchObject({ name: 'sma-cross', model: 'anthropic:claude-test', compile: { hash: hashOf(smaWith(14)) }, backtest: { totalReturn: 0.04 } });
  });

  it('shows a version with its metadata, prompt and artifact; --json has them all', async () => {
    const [human, json] = await Promise.all([strata(['show', 'sma-cross@~1'], { cwd: ws }), strata(['show', 'sma-cross@HEAD~2', '--json'], { cwd: ws })]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`sma-cross v3  (~1 → commit ${sma[2]!.commit})`);
    expect(human.stdout).toContain(`hash:     ${hashOf(SMA_V3)}`);
    expect(human.stdout).toContain('── prompt.md\nVersion 3 of sma-cross.\nWith a second line.\n');
    expect(human.stdout).toContain(`── strategy.yaml\n${SMA_V3}`);
    const v = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(v).toMatchObject({ schema: 'strata.show/v1', name: 'sma-cross', rev: 'HEAD~2', version: 2, commit: sma[1]!.commit, artifact: smaWith(12), trace: [{ tool: 'compile_strategy', ok: true, n: 2 }] });
  });

  it.each([
    ['a revision that does not exist', 1, ['show', 'sma-cross@v9'], /sma-cross has 4 versions \(v1…v4\), so v9 names none; `strata history sma-cross` lists them/],
    ['a revision that names nothing', 1, ['show', 'sma-cross@nope'], /no revision nope in .*`strata history sma-cross`/],
    ['an unknown --file', 2, ['show', 'sma-cross@v1', '--file', 'plan.json'], /--file plan\.json: expected one of strategy\.yaml, prompt\.md, trace\.json, meta\.json/],
    ['an empty revision', 2, ['show', 'sma-cross@'], /expected <name>@<rev>/],
  ] as const)('%s: exit %i', async (_label, code, args, message) => {
    const r = await strata(args, { cwd: ws });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
  });
});

describe('strata diff', () => {
  it('reports what changed by section, and a reformat as no semantic change', async () => {
    const [changed, reformat] = await Promise.all([strata(['diff', 'sma-cross', 'v1', 'v4'], { cwd: ws }), strata(['diff', 'sma-cross', 'v2', 'v3'], { cwd: ws })]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toBe(
      [
        `sma-cross@v1 (v1, ${sma[0]!.short}) → sma-cross@v4 (v4, ${sma[3]!.short}): 1 semantic change`,
        `hash: ${hashOf(smaWith(10))} → ${hashOf(smaWith(14))}`,
        '',
        'params',
        '  ~ params.fast.default: 10 → 14',
        '',
      ].join('\n'),
    );
    expect(reformat.code).toBe(0);
    expect(reformat.stdout).toContain('no semantic change (formatting, comments, key order or spelled-out defaults only)');
    expect(reformat.stdout).toContain(`hash: ${hashOf(smaWith(12))} (unchanged)`);
  });

  it('--json gives the changes with path, before and after, and both sides with their commits', async () => {
    const r = await strata(['diff', 'sma-cross', 'v4', sma[0]!.commit, '--json'], { cwd: ws });
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(d).toMatchObject({
      schema: 'strata.semantic-diff/v1',
      name: 'sma-cross',
      changed: true,
      hashChanged: true,
      changes: [{ section: 'params', path: 'params.fast.default', kind: 'changed', before: 14, after: 10 }],
      before: { rev: 'v4', version: 4, commit: sma[3]!.commit },
      after: { rev: sma[0]!.commit, version: 1, commit: sma[0]!.commit },
    });
  });

  it('an unknown revision is exit 1; missing arguments are exit 2', async () => {
    const [bad, usage] = await Promise.all([strata(['diff', 'sma-cross', 'v1', 'v7'], { cwd: ws }), strata(['diff', 'sma-cross', 'v1'], { cwd: ws })]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/v7 names none/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing required argument 'revB'/);
  });
});

describe('strata backtest and kernel run of <strategy>@<rev>', () => {
  it('backtest runs exactly that version (its hash) and records the revision, commit and version; data/ beside the repository is the default', async () => {
    const [v1, v4] = await Promise.all([strata(['backtest', 'sma-cross@v1', '--json'], { cwd: ws }), strata(['backtest', 'sma-cross@HEAD', '--json', '--from', '2020-01-01'], { cwd: ws })]);
    for (const r of [v1, v4]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect((JSON.parse(v1.stdout) as { artifact: unknown }).artifact).toEqual({ name: 'sma-cross', file: 'sma-cross@v1', hash: hashOf(smaWith(10)), rev: 'v1', commit: sma[0]!.commit, repo: repoDir, version: 1 });
    expect((JSON.parse(v4.stdout) as { artifact: unknown }).artifact).toEqual({ name: 'sma-cross', file: 'sma-cross@HEAD', hash: hashOf(smaWith(14)), rev: 'HEAD', commit: sma[3]!.commit, repo: repoDir, version: 4 });
  });

  it('backtest --out writes the version’s own text as artifact.yaml; <file>@<rev> still reads a file at a git revision', async () => {
    const out = join(tmp('out'), 'run');
    const [byName, byFile] = await Promise.all([
      strata(['backtest', 'sma-cross@v3', '--out', out], { cwd: ws }),
      strata(['backtest', 'strategies/sma-cross/strategy.yaml@HEAD~3', '--json', '--data', 'data'], { cwd: ws }),
    ]);
    expect(byName.code).toBe(0);
    expect(readFileSync(join(out, 'artifact.yaml'), 'utf8')).toBe(SMA_V3);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ artifact: { hash: hashOf(SMA_V3), rev: 'v3', commit: sma[2]!.commit } });
    expect(byFile.code).toBe(0);
    // HEAD~3 counts commits: v4, v3, v2 → v1 (rsi-reversion's commit came before all of them).
    expect((JSON.parse(byFile.stdout) as { artifact: unknown }).artifact).toEqual({ name: 'sma-cross', file: 'strategies/sma-cross/strategy.yaml@HEAD~3', hash: hashOf(smaWith(10)), rev: 'HEAD~3', commit: sma[0]!.commit });
  });

  it('kernel run runs exactly that version', async () => {
    const r = await strata(['kernel', 'run', 'sma-cross@v2', '--data', join(ws, 'data'), '--from', '2025-01-01', '--max-bars', '5', '--state', join(tmp('state'), 'run'), '--json'], { cwd: ws });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { artifact: unknown };
    expect(summary.artifact).toEqual({ name: 'sma-cross', hash: hashOf(smaWith(12)), rev: 'v2', commit: sma[1]!.commit });
  });

  it.each([
    ['an unknown revision', 'sma-cross@v9', /sma-cross@v9: sma-cross has 4 versions/],
    ['an unknown strategy (and no such file)', 'nope@v1', /nope@v1: no file nope, and no strategy named nope in .*it holds: rsi-reversion, sma-cross/],
  ])('%s: exit 1 with a clear message, for backtest and kernel run', async (_label, spec, message) => {
    const [bt, kr] = await Promise.all([strata(['backtest', spec], { cwd: ws }), strata(['kernel', 'run', spec, '--state', join(tmp('state'), 'run')], { cwd: ws })]);
    for (const r of [bt, kr]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('without a strategies repository, <name>@<rev> says where it looked', async () => {
    const r = await strata(['backtest', 'sma-cross@v1'], { cwd: tmp('norepo') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sma-cross@v1: no file sma-cross, and no strategies repository at .*strategies to find a strategy named sma-cross in \(pass --repo DIR or set STRATA_STRATEGIES\)/);
  });
});
