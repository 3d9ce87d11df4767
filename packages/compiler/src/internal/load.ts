import { Composer, isMap, isPair, isScalar, isSeq, Lexer, Parser, type CST, type Document, type Node as YamlNode, type Pair } from 'yaml';
import type { DiagnosticBag } from '../diagnostics.js';
import { SourceText, type Span } from './source.js';

/** Hard limits that keep hostile input cheap. */
export const LIMITS = {
  maxBytes: 1 << 20,
  maxDepth: 64,
  maxAliases: 100,
} as const;

export type PathSegment = string | number;

/** A parsed artifact: the YAML document (with source ranges) and its plain value. */
export interface LoadedYaml {
  readonly doc: Document.Parsed;
  readonly value: unknown;
}

/** Decodes bytes into text, rejecting what is not UTF-8 text. Returns undefined after reporting. */
export function decodeSource(file: string, input: string | Uint8Array, report: (code: 'E002' | 'E003' | 'E004', message: string, hint: string, offset?: number) => void, maxBytes: number): string | undefined {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    report('E002', `artifact is ${size} bytes; the limit is ${maxBytes}`, 'a strategy artifact is a small text file; move data (e.g. long level lists) into feeds');
    return undefined;
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      const lossy = new TextDecoder('utf-8').decode(input);
      report('E003', `${file} is not valid UTF-8 text`, 'save the artifact as UTF-8', Math.max(0, lossy.indexOf('\uFFFD')));
      return undefined;
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    report('E004', 'file contains a NUL byte; artifacts are YAML text', 'this looks like a binary file; check the path', nul);
    return undefined;
  }
  return text;
}

/** Parses YAML, reporting syntax problems as diagnostics. Returns undefined when there is nothing usable. */
export function parseYaml(source: SourceText, bag: DiagnosticBag): LoadedYaml | undefined {
  // Lex and parse to a CST step by step, so that runaway nesting is refused as soon as it appears:
  // composing a tree thousands of levels deep recurses past the stack, and the CST parser itself
  // slows down badly on megabytes of brackets.
  const parser = new Parser();
  const tokens: CST.Token[] = [];
  try {
    for (const lexeme of new Lexer().lex(source.text)) {
      for (const t of parser.next(lexeme)) tokens.push(t);
      // The parser's stack holds the document and the open collections (and a scalar being read).
      if (parser.stack.length > LIMITS.maxDepth) {
        const open = parser.stack.filter((t) => t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection');
        const tooDeep = open[LIMITS.maxDepth];
        if (tooDeep) {
          const at = Math.min(tooDeep.offset, source.text.length);
          bag.add({ code: 'E104', message: `nesting deeper than ${LIMITS.maxDepth} levels`, span: { start: at, end: at + 1 }, hint: 'no artifact field nests this deep; check for runaway brackets' });
          return undefined;
        }
      }
    }
    for (const t of parser.end()) tokens.push(t);
  } catch (e) {
    bag.add({ code: 'E101', message: `YAML could not be parsed: ${(e as Error).message}`, span: { start: 0, end: 0 } });
    return undefined;
  }
  let docs: Document.Parsed[];
  try {
    // Duplicate keys are found below in linear time; the YAML library's own check is quadratic.
    docs = Array.from(new Composer({ prettyErrors: false, uniqueKeys: false, strict: true, version: '1.2', schema: 'core', keepSourceTokens: false }).compose(tokens)) as Document.Parsed[];
  } catch (e) {
    bag.add({ code: 'E101', message: `YAML could not be parsed: ${(e as Error).message}`, span: { start: 0, end: 0 } });
    return undefined;
  }
  if (docs.length === 0 || docs.every((d) => d.contents === null)) {
    bag.add({ code: 'E005', message: 'artifact is empty', span: { start: 0, end: 0 }, hint: 'start with `strata: strategy/v1`' });
    return undefined;
  }
  if (docs.length > 1) {
    const second = docs[1]!;
    const start = second.range?.[0] ?? 0;
    bag.add({ code: 'E105', message: 'file holds more than one YAML document', span: { start, end: start + 3 }, hint: 'one artifact per file: remove the `---` separator and what follows' });
  }
  const doc = docs[0]!;
  reportDuplicateKeys(doc.contents as YamlNode | null, bag);
  const openers = unclosedOpeners(tokens);
  const seen = new Set<string>();
  let fatal = false;
  for (const err of doc.errors) {
    const [start, end] = err.pos;
    const message = cleanYamlMessage(err.message);
    // One mistake can make the library repeat an error at one place (e.g. each unclosed bracket).
    const key = `${err.code}|${start}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    fatal = true;
    if (err.code === 'RESOURCE_EXHAUSTION') {
      bag.add({ code: 'E104', message: 'YAML nesting is too deep', span: { start, end: start + 1 }, hint: `artifacts nest at most ${LIMITS.maxDepth} levels` });
      continue;
    }
    // An unclosed bracket or quote is noticed where the next thing starts (often the next line, or
    // the end of the file); the caret belongs on the bracket or quote that was never closed.
    const opener = openerFor(err.code, message, start, openers);
    if (opener) {
      bag.add({ code: 'E101', message, span: { start: opener.offset, end: opener.offset + 1 }, hint: opener.hint });
      continue;
    }
    bag.add({ code: 'E101', message, span: { start, end: Math.max(end, start + 1) }, hint: yamlHint(err.code) });
  }
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED') {
      fatal = true;
      const tag = source.text.slice(w.pos[0], w.pos[1]);
      // `long: !uptrend` is a negation written C-style, which YAML takes for a tag.
      const word = /^!([a-z_][a-z0-9_]*)$/.exec(tag)?.[1] !== undefined && isExpressionField(taggedPath(doc, w.pos[0])) ? tag.slice(1) : undefined;
      bag.add({
        code: 'E106',
        message: cleanYamlMessage(w.message),
        span: { start: w.pos[0], end: w.pos[1] },
        hint: word ? `YAML reads a leading \`!\` as a tag; to negate a condition write \`not ${word}\`` : 'artifacts use plain YAML: remove the tag',
      });
    }
  }
  if (fatal) return undefined;

  const tooDeep = findTooDeep(doc.contents as YamlNode | null);
  if (tooDeep) {
    bag.add({ code: 'E104', message: `nesting deeper than ${LIMITS.maxDepth} levels`, span: tooDeep, hint: 'no artifact field nests this deep; check for runaway brackets' });
    return undefined;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: LIMITS.maxAliases });
  } catch (e) {
    if (e instanceof ReferenceError || /alias/i.test((e as Error).message)) {
      bag.add({ code: 'E103', message: 'too many YAML aliases (possible alias bomb)', span: { start: 0, end: 1 }, hint: 'write the values out; artifacts should not need aliases' });
    } else {
      bag.add({ code: 'E101', message: `YAML could not be converted: ${(e as Error).message}`, span: { start: 0, end: 1 } });
    }
    return undefined;
  }
  return { doc, value };
}

/** Reports keys repeated within one mapping (E102), in time linear in the number of keys. */
function reportDuplicateKeys(root: YamlNode | null, bag: DiagnosticBag): void {
  const stack: unknown[] = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key) && key.range) {
          const name = String(key.value);
          if (!seen.has(name)) seen.add(name);
          else bag.add({ code: 'E102', message: 'duplicate key', span: { start: key.range[0], end: key.range[0] + 1 }, hint: 'each key may appear once in a mapping; remove or rename one' });
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
}

interface Opener {
  readonly offset: number;
  /** `]`, `}`, `"` or `'`. */
  readonly closer: string;
  /** Where the scalar's text ends, for quotes. */
  readonly end: number;
}

/** Flow collections without their closing bracket and quoted scalars, in source order, from the CST. */
function unclosedOpeners(tokens: readonly CST.Token[]): Opener[] {
  const out: Opener[] = [];
  const stack: (CST.Token | null | undefined)[] = [...tokens].reverse();
  while (stack.length > 0) {
    const t = stack.pop();
    if (!t) continue;
    switch (t.type) {
      case 'document':
        stack.push(t.value);
        break;
      case 'flow-collection': {
        const closer = t.start.source === '[' ? ']' : '}';
        if (t.end[0]?.source !== closer) out.push({ offset: t.start.offset, closer, end: t.start.offset });
        for (let i = t.items.length - 1; i >= 0; i--) stack.push(t.items[i]!.value, t.items[i]!.key);
        break;
      }
      case 'block-map':
      case 'block-seq':
        for (let i = t.items.length - 1; i >= 0; i--) {
          const item = t.items[i]!;
          stack.push(item.value, 'key' in item ? item.key : undefined);
        }
        break;
      case 'double-quoted-scalar':
      case 'single-quoted-scalar':
        out.push({ offset: t.offset, closer: t.type === 'double-quoted-scalar' ? '"' : "'", end: t.offset + t.source.length });
        break;
      default:
        break;
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** The bracket or quote a "missing closing …" error is really about, if it is one. Each opener is used once. */
function openerFor(code: string, message: string, pos: number, openers: Opener[]): { offset: number; hint: string } | undefined {
  let pick = -1;
  if (code === 'MISSING_CHAR' && /^Missing closing ["']quote$/.test(message)) {
    const q = message.includes('"quote') ? '"' : "'";
    pick = openers.findIndex((o) => o.closer === q && o.end === pos);
    if (pick === -1) return undefined;
    const o = openers.splice(pick, 1)[0]!;
    return { offset: o.offset, hint: `this string is never closed: end it with ${q}` };
  }
  const flow = /^Flow (sequence|map)\b.*end with an? ([\]}])$/.exec(message);
  if ((code === 'MISSING_CHAR' || code === 'BAD_INDENT') && flow) {
    const closer = flow[2]!;
    // The innermost (latest) unclosed bracket of that kind before the error.
    for (let i = openers.length - 1; i >= 0; i--) {
      if (openers[i]!.closer === closer && openers[i]!.offset < pos) {
        pick = i;
        break;
      }
    }
    if (pick === -1) return undefined;
    const o = openers.splice(pick, 1)[0]!;
    return { offset: o.offset, hint: `this \`${closer === ']' ? '[' : '{'}\` is never closed: add \`${closer}\` after the last item (or indent the continuation lines)` };
  }
  return undefined;
}

/** The path of the first node tagged at or after `offset` (tags come right before their node). */
function taggedPath(doc: Document.Parsed, offset: number): PathSegment[] | undefined {
  const stack: { node: unknown; path: PathSegment[] }[] = [{ node: doc.contents, path: [] }];
  let best: { start: number; path: PathSegment[] } | undefined;
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node && typeof node === 'object' && 'tag' in node && (node as YamlNode).tag !== undefined) {
      const start = (node as YamlNode).range?.[0] ?? -1;
      if (start >= offset && (!best || start < best.start)) best = { start, path };
    }
    if (isMap(node)) for (const p of node.items) stack.push({ node: p.value, path: [...path, isScalar(p.key) ? String(p.key.value) : ''] });
    else if (isSeq(node)) node.items.forEach((item, i) => stack.push({ node: item, path: [...path, i] }));
  }
  return best?.path;
}

/** Whether a value at `path` is an expression string. */
function isExpressionField(path: PathSegment[] | undefined): boolean {
  if (!path || path.length === 0) return false;
  const last = path[path.length - 1];
  if (path[0] === 'signals') return path.length === 2 || path[2] === 'inputs';
  return (path[0] === 'entry' || path[0] === 'exit' || path[0] === 'portfolio') && (last === 'long' || last === 'short' || last === 'filter' || last === 'by' || last === 'distance');
}

function cleanYamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function yamlHint(code: string): string {
  switch (code) {
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and closing brackets on this line and the ones before';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a value containing `: ` must be quoted, e.g. "a: b"';
    case 'TAB_AS_INDENT':
      return 'YAML indents with spaces, not tabs';
    case 'UNEXPECTED_TOKEN':
      return 'quote values that start with a special character (`@ ` * & ! | > % ,`)';
    default:
      return 'fix the YAML syntax at the caret';
  }
}

/** Iterative depth check (the tree itself may be deep enough to overflow a recursive walk). */
function findTooDeep(root: YamlNode | null): Span | undefined {
  if (!root) return undefined;
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (depth > LIMITS.maxDepth) {
        const r = node.range ?? [0, 1];
        return { start: r[0], end: Math.min(r[1], r[0] + 1) };
      }
      for (const item of node.items) {
        if (isPair(item)) {
          stack.push({ node: item.value, depth: depth + 1 });
        } else {
          stack.push({ node: item, depth: depth + 1 });
        }
      }
    }
  }
  return undefined;
}

const pairIndexes = new WeakMap<object, Map<string, Pair>>();

/** A mapping's pairs by key (the first of duplicates), built once: diagnostics look up paths many times. */
function pairIndex(map: { items: Pair[] }): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      if (isScalar(p.key)) {
        const k = String(p.key.value);
        if (!index.has(k)) index.set(k, p);
      }
    }
    pairIndexes.set(map, index);
  }
  return index;
}

/** Finds the YAML node at a path, with the key node of its pair (for maps). */
export function nodeAtPath(doc: Document.Parsed, path: readonly PathSegment[]): { node?: YamlNode; key?: YamlNode; parent?: YamlNode } {
  let node: unknown = doc.contents;
  let key: YamlNode | undefined;
  let parent: YamlNode | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairIndex(node).get(String(seg));
      if (!pair) return { parent: node as YamlNode };
      parent = node as YamlNode;
      key = pair.key as YamlNode;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      parent = node as YamlNode;
      key = undefined;
      node = node.items[seg];
    } else {
      return parent ? { parent } : {};
    }
  }
  const out: { node?: YamlNode; key?: YamlNode; parent?: YamlNode } = {};
  if (node && typeof node === 'object' && 'range' in node) out.node = node as YamlNode;
  if (key) out.key = key;
  if (parent) out.parent = parent;
  return out;
}

export function rangeSpan(node: YamlNode | undefined | null): Span | undefined {
  const r = node?.range;
  if (!r) return undefined;
  return { start: r[0], end: Math.max(r[1], r[0] + 1) };
}

/** The span of a collection's first line: where "this whole mapping" points. */
export function headSpan(source: SourceText, node: YamlNode | undefined): Span | undefined {
  const r = node?.range;
  if (!r) return undefined;
  const nl = source.text.indexOf('\n', r[0]);
  const end = nl === -1 || nl > r[1] ? r[1] : nl;
  return { start: r[0], end: Math.max(end, r[0] + 1) };
}

/**
 * Maps offsets inside a scalar's *value* to offsets in the file, for expression carets.
 * Greedy alignment of the value against its source text handles plain, quoted, folded and
 * literal scalars (escapes and folding consume source characters the value does not have).
 */
export function scalarOffsetMapper(source: SourceText, node: YamlNode | undefined): (valueOffset: number) => number {
  if (!node || !isScalar(node) || typeof node.value !== 'string' || !node.range) return () => node?.range?.[0] ?? 0;
  const value = node.value;
  const [start, end] = node.range;
  const raw = source.text.slice(start, end);
  if (node.type === 'PLAIN' && raw === value) return (i) => start + i;
  let cache: Int32Array | undefined;
  return (i) => {
    if (!cache) {
      cache = new Int32Array(value.length + 1);
      let s = 0;
      if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') s = 1;
      if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') {
        const nl = raw.indexOf('\n');
        s = nl === -1 ? raw.length : nl + 1;
      }
      const double = node.type === 'QUOTE_DOUBLE';
      for (let v = 0; v < value.length; v++) {
        const ch = value[v];
        let j = s;
        let escaped = false;
        while (j < raw.length) {
          if (double && raw[j] === '\\') {
            // An escape: `\t`, `\x41`, `\u00e9`, `\U0001F600` stand for one character (two UTF-16 units
            // beyond the BMP); a backslash before a line break stands for nothing. Never match inside one.
            const e = raw[j + 1];
            if (e === '\n' || e === '\r') {
              j += 2;
              continue;
            }
            escaped = true;
            break;
          }
          if (raw[j] === ch || (ch === ' ' && raw[j] === '\n')) break;
          j++;
        }
        if (escaped) {
          const e = raw[j + 1];
          const len = e === 'x' ? 4 : e === 'u' ? 6 : e === 'U' ? 10 : 2;
          cache[v] = start + j;
          if (e === 'U' && (value.codePointAt(v) ?? 0) > 0xffff && v + 1 < value.length) cache[++v] = start + j;
          s = j + len;
          continue;
        }
        if (j >= raw.length) {
          for (let w = v; w <= value.length; w++) cache[w] = start + Math.min(s, raw.length);
          return cache[Math.min(i, value.length)] ?? start;
        }
        cache[v] = start + j;
        s = j + 1;
      }
      cache[value.length] = start + s;
    }
    return cache[Math.max(0, Math.min(i, value.length))] ?? start;
  };
}
