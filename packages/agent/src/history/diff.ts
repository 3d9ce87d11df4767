import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { compileSource } from '@strata/compiler';

/**
 * What changed between two versions of a strategy artifact, by section, in terms of the
 * artifact's meaning rather than its text. When both versions compile, their canonical forms are
 * compared (schema defaults applied, expressions printed canonically — the form the artifact hash
 * is taken over), so formatting, comments, key order, number spelling and spelled-out defaults are
 * no change, exactly when the hash is unchanged. When a version does not compile, the parsed YAML
 * values are compared instead (`basis: 'yaml'`).
 */

export const DIFF_SECTIONS = ['meta', 'universe', 'timeframes', 'feeds', 'params', 'signals', 'nodes', 'rules', 'sizing', 'portfolio', 'risk', 'execution', 'other'] as const;
export type DiffSection = (typeof DIFF_SECTIONS)[number];

/** Top-level artifact key → the section its changes are reported under. */
const SECTION_OF: Readonly<Record<string, DiffSection>> = {
  strata: 'meta',
  name: 'meta',
  description: 'meta',
  universe: 'universe',
  benchmark: 'universe',
  timeframe: 'timeframes',
  timeframes: 'timeframes',
  feeds: 'feeds',
  params: 'params',
  signals: 'signals',
  nodes: 'nodes',
  entry: 'rules',
  exit: 'rules',
  sizing: 'sizing',
  portfolio: 'portfolio',
  risk: 'risk',
  execution: 'execution',
};

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface DiffChange {
  readonly section: DiffSection;
  /** Dotted path into the artifact, e.g. `params.fast.default`, `exit.stop_loss.multiple`. */
  readonly path: string;
  readonly kind: ChangeKind;
  /** The value before (absent for `added`). */
  readonly before?: unknown;
  /** The value after (absent for `removed`). */
  readonly after?: unknown;
  /** For lists (universe, timeframes): the members added and removed. */
  readonly members?: { readonly added: readonly unknown[]; readonly removed: readonly unknown[] };
}

export interface SemanticDiff {
  readonly schema: 'strata.semantic-diff/v1';
  /** `canonical` when both versions compile (the canonical forms are compared), else `yaml`. */
  readonly basis: 'canonical' | 'yaml';
  readonly hashBefore: string | null;
  readonly hashAfter: string | null;
  /** Whether the artifact hash changed; null when a version does not compile (no hash). */
  readonly hashChanged: boolean | null;
  /** Any semantic change at all. */
  readonly changed: boolean;
  /** The texts differ (possibly only in formatting). */
  readonly textChanged: boolean;
  readonly changes: readonly DiffChange[];
  /** The changes grouped by section, in section order; sections without changes are left out. */
  readonly sections: readonly { readonly section: DiffSection; readonly changes: readonly DiffChange[] }[];
  /** Error counts when a version does not compile. */
  readonly errors: { readonly before: number; readonly after: number };
}

export class SemanticDiffError extends Error {
  override readonly name = 'SemanticDiffError';
}

/** Compares two artifact texts. Throws SemanticDiffError only when a text is not a YAML mapping at all. */
export function semanticDiff(before: string, after: string): SemanticDiff {
  const a = compileSource(before, { file: 'before.yaml' });
  const b = compileSource(after, { file: 'after.yaml' });
  const hashBefore = a.ok && a.hash !== undefined ? a.hash : null;
  const hashAfter = b.ok && b.hash !== undefined ? b.hash : null;
  const canonical = a.canonical !== undefined && b.canonical !== undefined && hashBefore !== null && hashAfter !== null;
  const va = canonical ? (JSON.parse(a.canonical!) as Record<string, unknown>) : yamlValue(before, 'before');
  const vb = canonical ? (JSON.parse(b.canonical!) as Record<string, unknown>) : yamlValue(after, 'after');
  const changes: DiffChange[] = [];
  diffObject([], va, vb, changes);
  const order = (c: DiffChange) => DIFF_SECTIONS.indexOf(c.section);
  changes.sort((x, y) => order(x) - order(y)); // stable: key order kept within a section
  const sections = DIFF_SECTIONS.map((section) => ({ section, changes: changes.filter((c) => c.section === section) })).filter((s) => s.changes.length > 0);
  const errorCount = (r: typeof a) => r.diagnostics.filter((d) => d.severity === 'error').length;
  return {
    schema: 'strata.semantic-diff/v1',
    basis: canonical ? 'canonical' : 'yaml',
    hashBefore,
    hashAfter,
    hashChanged: hashBefore !== null && hashAfter !== null ? hashBefore !== hashAfter : null,
    changed: changes.length > 0,
    textChanged: before !== after,
    changes,
    sections,
    errors: { before: errorCount(a), after: errorCount(b) },
  };
}

function yamlValue(text: string, label: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = parseYaml(text, { schema: 'core', uniqueKeys: true }) as unknown;
  } catch (e) {
    throw new SemanticDiffError(`the ${label} version is not valid YAML (${(e as Error).message.split('\n')[0]}); compile it to see the problem`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SemanticDiffError(`the ${label} version is not a YAML mapping, so it is not an artifact`);
  return v as Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function diffObject(path: readonly string[], a: Record<string, unknown>, b: Record<string, unknown>, out: DiffChange[]): void {
  const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
  for (const k of keys) diffValue([...path, k], a[k], b[k], out);
}

function diffValue(path: readonly string[], a: unknown, b: unknown, out: DiffChange[]): void {
  if (isDeepStrictEqual(a, b)) return;
  const section = SECTION_OF[path[0]!] ?? 'other';
  const p = path.join('.');
  if (a === undefined) {
    out.push({ section, path: p, kind: 'added', after: b });
    return;
  }
  if (b === undefined) {
    out.push({ section, path: p, kind: 'removed', before: a });
    return;
  }
  // Objects of the same kind are compared field by field; a change of `kind` (a stop, sizing,
  // weighting) replaces the whole object, since its other fields mean something else.
  if (isObject(a) && isObject(b) && a['kind'] === b['kind']) {
    diffObject(path, a, b, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.every(isScalar) && b.every(isScalar)) {
    const added = b.filter((x) => !a.includes(x));
    const removed = a.filter((x) => !b.includes(x));
    out.push({ section, path: p, kind: 'changed', before: a, after: b, members: { added, removed } });
    return;
  }
  out.push({ section, path: p, kind: 'changed', before: a, after: b });
}

const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

const SECTION_TITLES: Readonly<Record<DiffSection, string>> = {
  meta: 'meta (name, description)',
  universe: 'universe and benchmark',
  timeframes: 'timeframes',
  feeds: 'feeds',
  params: 'params',
  signals: 'signals',
  nodes: 'custom nodes',
  rules: 'rules (entry, exit, stops)',
  sizing: 'sizing',
  portfolio: 'portfolio',
  risk: 'risk',
  execution: 'execution',
  other: 'other',
};

/** The diff for people: one block per section, `+` added, `-` removed, `~` changed. */
export function formatSemanticDiff(d: SemanticDiff, labels: { before?: string; after?: string } = {}): string {
  const before = labels.before ?? 'before';
  const after = labels.after ?? 'after';
  const lines: string[] = [];
  const hashLine =
    d.hashChanged === null
      ? `hash: ${d.hashBefore ?? `(does not compile: ${d.errors.before} error${d.errors.before === 1 ? '' : 's'})`} → ${d.hashAfter ?? `(does not compile: ${d.errors.after} error${d.errors.after === 1 ? '' : 's'})`}`
      : d.hashChanged
        ? `hash: ${d.hashBefore} → ${d.hashAfter}`
        : `hash: ${d.hashBefore} (unchanged)`;
  if (!d.changed) {
    lines.push(`${before} → ${after}: no semantic change${d.textChanged ? ' (formatting, comments, key order or spelled-out defaults only)' : ''}`);
    lines.push(hashLine);
    return lines.join('\n');
  }
  lines.push(`${before} → ${after}: ${d.changes.length} semantic change${d.changes.length === 1 ? '' : 's'}${d.basis === 'yaml' ? ' (compared as YAML: a version does not compile)' : ''}`);
  lines.push(hashLine);
  for (const s of d.sections) {
    lines.push('', SECTION_TITLES[s.section]);
    for (const c of s.changes) {
      if (c.kind === 'added') lines.push(`  + ${c.path}: ${show(c.after)}`);
      else if (c.kind === 'removed') lines.push(`  - ${c.path}: ${show(c.before)}`);
      else {
        const members = c.members ? `  (${[...c.members.added.map((m) => `+${show(m)}`), ...c.members.removed.map((m) => `-${show(m)}`)].join(' ') || 'reordered'})` : '';
        lines.push(`  ~ ${c.path}: ${show(c.before)} → ${show(c.after)}${members}`);
      }
    }
  }
  return lines.join('\n');
}

/** A value in compact YAML flow style; a string is quoted only when it would read as another type. */
function show(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return v === '' || v !== v.trim() || /^(true|false|null|~|[-+]?\.?\d[\d._eE+-]*)$/.test(v) ? JSON.stringify(v) : v;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (isObject(v)) return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')} }`;
  return String(v);
}
