import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, root, strata } from './run-bin.js';

/**
 * End-to-end tests of the real `strata` binary: every case spawns `node packages/cli/bin/strata.js`,
 * which runs the built `dist/`. The bin is built here only when it has never been built.
 */

const golden = (name: string) => readFileSync(join(root, 'packages/compiler/test/golden', `${name}.plan.json`), 'utf8');
const EXAMPLES = ['btc-breakout', 'rsi-reversion', 'sector-rotation', 'sma-cross'];
const ANSI = /\u001b\[/;


let tmp: string;
let n = 0;
/** A fresh, empty directory under the test's temp root. */
const freshDir = (label: string) => {
  const d = join(tmp, `${label}-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

const BROKEN = [
  'strata: strategy/v1',
  'name: broken',
  'universe: [SPY]',
  'timeframe: 1d',
  'feeds: { bars: equities.us.daily }',
  'entry:',
  '  long: close > open && close > 1',
  'exit:',
  '  long: close < open',
  '',
].join('\n');

beforeAll(() => {
  if (!existsSync(join(root, 'packages/cli/dist/main.js'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  }
  tmp = mkdtempSync(join(tmpdir(), 'strata-cli-test-'));
  writeFileSync(join(tmp, 'broken.yaml'), BROKEN);
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.concurrent('strata compile: exit status', () => {
  it('0 on the bundled examples, one `ok` line each, nothing on stderr', async () => {
    const r = await strata(['compile', ...EXAMPLES.map((e) => `examples/${e}.yaml`)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(EXAMPLES.length);
    EXAMPLES.forEach((e, i) => expect(lines[i]).toMatch(new RegExp(`^ok  examples/${e}\\.yaml  sha256:[0-9a-f]{64}  \\d+ nodes, warm-up `)));
    expect(lines[0]).toContain('warm-up 168 × 1h, 19 × 1d');
  });

  it('1 on a broken artifact', async () => {
    const r = await strata(['compile', join(tmp, 'broken.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`FAIL ${join(tmp, 'broken.yaml')}  1 error\n`);
  });

  it('1 when any one of several artifacts fails, and 1 for a missing file (E001)', async () => {
    const r = await strata(['compile', 'examples/sma-cross.yaml', join(tmp, 'broken.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ok {2}examples\/sma-cross\.yaml/);
    const missing = await strata(['compile', join(tmp, 'no-such.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error[E001]: no such file');
  });

  it('1 for a param override out of range', async () => {
    const r = await strata(['compile', 'examples/sma-cross.yaml', '--param', 'fast=60']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[E509]: override fast=60 is outside the param's range [5, 50]");
  });

  it.each<[label: string, args: string[], stderr: RegExp]>([
    ['an unknown option', ['compile', '--bogus', 'examples/sma-cross.yaml'], /unknown option '--bogus'/],
    ['a missing file argument', ['compile'], /missing required argument 'file'/],
    ['no arguments at all', [], /Usage: strata/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['--out without its value', ['compile', 'examples/sma-cross.yaml', '--out'], /option '--out <path>' argument missing/],
    ['--param without `=`', ['compile', 'examples/sma-cross.yaml', '--param', 'fast'], /--param fast: expected name=value/],
    ['--param with a non-number', ['compile', 'examples/sma-cross.yaml', '--param', 'fast=abc'], /--param fast=abc: abc is not a number/],
    ['--param with an empty value', ['compile', 'examples/sma-cross.yaml', '--param', 'fast='], /--param fast=: expected name=value/],
    ['--param without a name', ['compile', 'examples/sma-cross.yaml', '--param', '=3'], /--param =3: expected name=value/],
    ['--param given twice', ['compile', 'examples/sma-cross.yaml', '--param', 'fast=12', '--param', 'fast=13'], /--param fast is given twice/],
  ])('2 on %s', async (_label, args, stderr) => {
    const r = await strata(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(stderr);
    expect(r.stdout).toBe('');
  });

  it('2 when --out names a file but several artifacts are given', async () => {
    const dir = freshDir('file-out');
    const file = join(dir, 'plan.json');
    writeFileSync(file, 'keep me');
    const r = await strata(['compile', 'examples/sma-cross.yaml', 'examples/rsi-reversion.yaml', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass a directory');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });
});

describe.concurrent('strata compile: human output', () => {
  it('shows file:line:col, the source line and a caret under the problem', async () => {
    const r = await strata(['compile', 'broken.yaml'], { cwd: tmp });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('FAIL broken.yaml  1 error\n');
    expect(r.stderr).toBe(
      [
        'error[E301]: unexpected `&&`',
        ' --> broken.yaml:7:22',
        '  |',
        '7 |   long: close > open && close > 1',
        '  |                      ^^',
        '  = hint: use `and` to combine conditions',
        '',
        '',
      ].join('\n'),
    );
    expect(r.stderr).not.toMatch(ANSI);
  });

  it('is coloured only when asked (--color), never by default on a pipe', async () => {
    expect((await strata(['compile', 'broken.yaml', '--color'], { cwd: tmp })).stderr).toMatch(ANSI);
    expect((await strata(['compile', 'broken.yaml', '--no-color'], { cwd: tmp })).stderr).not.toMatch(ANSI);
  });
});

describe.concurrent('strata compile --json', () => {
  it('prints one parseable document with code/line/column for every diagnostic', async () => {
    const r = await strata(['compile', '--json', 'examples/sma-cross.yaml', join(tmp, 'broken.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as {
      schema: string;
      ok: boolean;
      results: { file: string; ok: boolean; hash?: string; errors: number; warnings: number; plan?: unknown; diagnostics: { code: string; line: number; column: number; endLine: number; endColumn: number; severity: string; message: string; sourceLine: string; hint?: string }[] }[];
    };
    expect(out.schema).toBe('strata.compile-result/v1');
    expect(out.ok).toBe(false);
    expect(out.results).toHaveLength(2);
    const [good, bad] = out.results as [(typeof out.results)[0], (typeof out.results)[0]];
    expect(good).toMatchObject({ file: 'examples/sma-cross.yaml', ok: true, errors: 0, warnings: 0, diagnostics: [] });
    expect(good.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(good.plan, null, 2) + '\n').toBe(golden('sma-cross'));
    expect(bad).toMatchObject({ file: join(tmp, 'broken.yaml'), ok: false, errors: 1, warnings: 0 });
    expect(bad.hash).toBeUndefined();
    expect(bad.plan).toBeUndefined();
    expect(bad.diagnostics).toHaveLength(1);
    const d = bad.diagnostics[0]!;
    expect(d).toMatchObject({ code: 'E301', severity: 'error', line: 7, column: 22, endLine: 7, endColumn: 24, message: 'unexpected `&&`', sourceLine: '  long: close > open && close > 1', hint: 'use `and` to combine conditions' });
    for (const res of out.results) {
      for (const diag of res.diagnostics) {
        expect(typeof diag.code).toBe('string');
        expect(Number.isInteger(diag.line)).toBe(true);
        expect(Number.isInteger(diag.column)).toBe(true);
      }
    }
  });

  it('applies --param overrides: the plan changes, the hash does not', async () => {
    const r = await strata(['compile', '--json', 'examples/sma-cross.yaml', '--param', 'fast=20']);
    expect(r.code).toBe(0);
    const res = (JSON.parse(r.stdout) as { results: { hash: string; plan: { params: Record<string, number>; artifact: { hash: string } } }[] }).results[0]!;
    expect(res.plan.params).toEqual({ fast: 20, slow: 30 });
    expect(res.hash).toBe((JSON.parse(golden('sma-cross')) as { artifact: { hash: string } }).artifact.hash);
  });
});

describe.concurrent('strata compile --out', () => {
  it('--out plan.json writes a plan identical to the golden file', async () => {
    const dir = freshDir('single');
    const out = join(dir, 'plan.json');
    const r = await strata(['compile', 'examples/sma-cross.yaml', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    expect(readFileSync(out, 'utf8')).toBe(golden('sma-cross'));
    expect(readdirSync(dir)).toEqual(['plan.json']); // no temp file left behind
  });

  it('--out dir/ with several artifacts writes <name>.plan.json for each', async () => {
    const dir = join(freshDir('many'), 'plans/');
    const r = await strata(['compile', ...EXAMPLES.map((e) => `examples/${e}.yaml`), '--out', dir]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(EXAMPLES.map((e) => `${e}.plan.json`));
    for (const e of EXAMPLES) expect(readFileSync(join(dir, `${e}.plan.json`), 'utf8'), e).toBe(golden(e));
  });

  it('--out with an existing directory and one artifact writes <name>.plan.json inside it', async () => {
    const dir = freshDir('existing');
    expect((await strata(['compile', 'examples/rsi-reversion.yaml', '--out', dir])).code).toBe(0);
    expect(readFileSync(join(dir, 'rsi-reversion.plan.json'), 'utf8')).toBe(golden('rsi-reversion'));
  });

  it('a failing artifact among several writes nothing: the directory stays empty', async () => {
    const dir = freshDir('all-or-nothing');
    const r = await strata(['compile', 'examples/sma-cross.yaml', join(tmp, 'broken.yaml'), 'examples/rsi-reversion.yaml', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no plan written: 1 artifact failed to compile');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--json with --out leaves the plan out of the JSON and writes the file', async () => {
    const dir = freshDir('json-out');
    const r = await strata(['compile', '--json', 'examples/sma-cross.yaml', '--out', join(dir, 'p.json')]);
    expect(r.code).toBe(0);
    const res = (JSON.parse(r.stdout) as { results: { plan?: unknown }[] }).results[0]!;
    expect(res.plan).toBeUndefined();
    expect(readFileSync(join(dir, 'p.json'), 'utf8')).toBe(golden('sma-cross'));
  });

  // BUG (failing): with one artifact, `--out some/dir/` (trailing slash, directory not there yet)
  // is treated as a file path; writeFileAtomic then writes `some/dir/.tmp-<pid>` without creating
  // `some/dir` and the CLI dies with "strata: internal error: ENOENT" and exit status 70.
  // Proposed fix (compile-command.ts): treat an --out ending in a path separator as a directory
  // (`many = files.length > 1 || /[\\/]$/.test(out) || isDirectory(out)`).
  it('BUG: --out new-dir/ (trailing slash) with one artifact writes new-dir/<name>.plan.json', async () => {
    const dir = join(freshDir('trailing-slash'), 'new-dir/');
    const r = await strata(['compile', 'examples/sma-cross.yaml', '--out', dir]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'sma-cross.plan.json'), 'utf8')).toBe(golden('sma-cross'));
  });

  // BUG (failing): two different artifacts with the same `name:` both map to `<name>.plan.json`;
  // the second silently overwrites the first, and the CLI prints "wrote …" twice and exits 0.
  // Proposed fix (compile-command.ts): before writing anything, detect colliding targets and fail
  // (usage error 2, nothing written) naming both files.
  it('BUG: --out dir/ never silently loses a plan when two artifacts share a name', async () => {
    const dir = freshDir('collision');
    const twin = join(tmp, 'sma-cross-twin.yaml');
    writeFileSync(twin, readFileSync(join(root, 'examples/sma-cross.yaml'), 'utf8').replace('fee_bps: 1,', 'fee_bps: 3,'));
    const r = await strata(['compile', 'examples/sma-cross.yaml', twin, '--out', dir]);
    const written = readdirSync(dir);
    if (r.code === 0) expect(written, 'exit 0 must mean both plans were written').toHaveLength(2);
    else expect(written, 'a failure must write nothing').toEqual([]);
  });
});

describe.concurrent('strata help and version', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await strata(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: strata');
    expect(r.stdout).toContain('compile [options] <file...>');
    expect(r.stdout).toContain('--version');
  });

  it('compile --help exits 0 and documents every option and the exit status', async () => {
    const r = await strata(['compile', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--json', '--out <path>', '--param <name=value>', '--color', '--no-color', 'Exit status: 0 compiled']) expect(r.stdout).toContain(opt);
  });

  it.each(['--version', '-V'])('%s prints the version', async (flag) => {
    const r = await strata([flag]);
    expect(r.code).toBe(0);
    const { version } = JSON.parse(readFileSync(join(root, 'packages/compiler/package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toBe(`${version}\n`);
  });
});

describe('strata in a pipeline', () => {
  it('a reader that closes the pipe early (`| head -c 10`) is not an error: no stack trace on stderr', () => {
    // Twenty compiled plans (≈ 115 kB of JSON) overflow the pipe buffer (64 kB), so the writer meets EPIPE.
    const dir = mkdtempSync(join(tmpdir(), 'strata-pipe-'));
    const errFile = join(dir, 'stderr.txt');
    try {
      execFileSync('sh', ['-c', `"${process.execPath}" "${bin}" compile ${'examples/*.yaml '.repeat(5)}--json 2>"${errFile}" | head -c 10 >/dev/null`], { cwd: root });
      expect(readFileSync(errFile, 'utf8')).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
