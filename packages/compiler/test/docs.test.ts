import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileFile, compileSource } from '@strata/compiler';
import { strategyV1Schema } from '@strata/schemas';
import { describe, expect, it } from 'vitest';

/** The parts of scripts/gen-docs.mjs the test drives (a plain ESM script without type declarations). */
interface GenDocs {
  readonly DOCS_DIR: string;
  loadCompiler(): Promise<unknown>;
  generate(compiler: unknown): { path: string; content: string }[];
}

const root = fileURLToPath(new URL('../../..', import.meta.url));
const docsDir = join(root, 'docs');
const script = fileURLToPath(new URL('../scripts/gen-docs.mjs', import.meta.url));
// A computed specifier: the script is loaded as it is run, and TypeScript does not look for declarations.
const gen = (await import(pathToFileURL(script).href)) as GenDocs;
const generated = gen.generate(await gen.loadCompiler());

describe('generated docs are up to date', () => {
  it('generates docs/nodes.md and docs/diagnostics.md', () => {
    expect(generated.map((f) => relative(root, f.path)).sort()).toEqual(['docs/diagnostics.md', 'docs/nodes.md']);
  });

  it.each(generated.map((f) => [relative(root, f.path), f] as const))('%s matches the generator', (_name, f) => {
    const committed = existsSync(f.path) ? readFileSync(f.path, 'utf8') : '';
    expect(committed, `${relative(root, f.path)} is out of date: build the compiler (cd packages/compiler && npx tsc -b), then run node packages/compiler/scripts/gen-docs.mjs`).toBe(f.content);
  });
});

/** Every property name declared anywhere in a JSON Schema (top level, definitions, oneOf branches, nested objects). */
function propertyNames(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const s of schema) propertyNames(s, out);
  } else if (schema !== null && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'properties' && v !== null && typeof v === 'object') for (const name of Object.keys(v)) out.add(name);
      propertyNames(v, out);
    }
  }
  return out;
}

describe('docs/artifact.md covers the strategy/v1 schema', () => {
  const artifactDoc = readFileSync(join(docsDir, 'artifact.md'), 'utf8');
  const names = [...propertyNames(strategyV1Schema)].sort();

  it('finds the schema properties', () => {
    expect(names.length, 'the walk finds the schema properties').toBeGreaterThan(50);
  });

  // A field counts as documented when it appears as a code span of its own (`every`) or as the last
  // segment of a dotted path (`rebalance.every`, `params.*.type`, `inputs[].name`).
  it.each(names)('documents `%s`', (name) => {
    const mention = new RegExp('`(?:[A-Za-z0-9_.*\\[\\]]+\\.)?' + name + '`');
    expect(mention.test(artifactDoc), `schema property \`${name}\` is not documented in docs/artifact.md (write it as \`${name}\` or \`parent.${name}\`)`).toBe(true);
  });
});

const files: string[] = [];
const walk = (dir: string) => {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.md')) files.push(p);
  }
};
walk(docsDir);

describe('docs cross-links resolve', () => {
  it.each(files.map((f) => relative(root, f)))('%s', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split('#')[0]!;
      if (target === '' || /^[a-z]+:/.test(target)) continue;
      if (!existsSync(resolve(dirname(join(root, file)), target))) broken.push(m[1]!);
    }
    expect(broken, 'relative links point to existing files').toEqual([]);
  });
});

/** Fenced code blocks with their language and the line before the fence (for `<!-- check:… -->` markers). */
function codeBlocks(text: string): { lang: string; body: string; marker: string; line: number }[] {
  const lines = text.split('\n');
  const out: { lang: string; body: string; marker: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    out.push({ lang: open[1]!, body: body.join('\n') + '\n', marker: (lines[start - 1] ?? '').trim(), line: start + 1 });
  }
  return out;
}

describe('complete artifacts shown in the docs compile', () => {
  const blocks = files.flatMap((f) =>
    codeBlocks(readFileSync(f, 'utf8'))
      .filter((b) => b.lang === 'yaml' && b.body.startsWith('strata: strategy/v1'))
      .map((b) => [`${relative(root, f)}:${b.line}`, b] as const),
  );

  it('finds them', () => {
    expect(blocks.length, 'artifact.md shows at least the minimal and the complete example').toBeGreaterThanOrEqual(2);
  });

  it.each(blocks)('%s', (where, b) => {
    const r = compileSource(b.body, { file: where });
    expect(r.diagnostics.filter((d) => d.severity === 'error'), 'a complete artifact in the docs has no errors').toEqual([]);
    if (b.marker === '<!-- check:compiles -->') expect(r.diagnostics, 'an example marked check:compiles has no warnings either').toEqual([]);
  });

  it('artifact.md states the warm-up of the complete example correctly', () => {
    const text = readFileSync(join(docsDir, 'artifact.md'), 'utf8');
    const complete = codeBlocks(text).find((b) => b.marker === '<!-- check:compiles -->');
    expect(complete, 'artifact.md has a block marked check:compiles').toBeDefined();
    const r = compileSource(complete!.body);
    expect(text.includes('`' + JSON.stringify(r.plan?.warmup) + '`'), `artifact.md states the plan warm-up ${JSON.stringify(r.plan?.warmup)}`).toBe(true);
    expect(text.includes(`${r.plan?.nodes.length} nodes`), `artifact.md states the node count ${r.plan?.nodes.length}`).toBe(true);
  });
});

describe('the canonical form shown in artifact.md is the real one', () => {
  const text = readFileSync(join(docsDir, 'artifact.md'), 'utf8');
  const checks = codeBlocks(text).filter((b) => b.marker.startsWith('<!-- check:canonical '));

  it('has at least one', () => {
    expect(checks.length).toBeGreaterThanOrEqual(1);
  });

  it.each(checks.map((b) => [/check:canonical (\S+)/.exec(b.marker)![1]!, b] as const))('%s', (file, b) => {
    const r = compileFile(join(root, file));
    expect(r.ok).toBe(true);
    expect(b.body, `the canonical form of ${file} in artifact.md is stale`).toBe(JSON.stringify(JSON.parse(r.canonical!), null, 2) + '\n');
    expect(text.includes(r.hash!), `artifact.md states the hash of ${file} (${r.hash})`).toBe(true);
  });
});
