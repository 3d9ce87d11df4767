import { createHash } from 'node:crypto';
import { canonicalJson as canonicalize } from './canonical-json.js';
import type { CatalogOutput, ValueType } from '../catalog.js';
import type { PlanNode, PlanParamValue } from '../plan.js';
import { tfMinutes } from './timeframes.js';

export interface IrInput {
  readonly id: number;
  readonly output?: string;
}

export interface IrNodeSpec {
  readonly op: string;
  readonly tf: string;
  readonly type: ValueType;
  readonly inputs: readonly IrInput[];
  readonly params: Readonly<Record<string, PlanParamValue>>;
  readonly lookback: number;
  readonly outputs?: readonly CatalogOutput[];
  readonly commutative?: boolean;
  readonly unstable?: boolean;
  readonly crossSectional?: boolean;
}

interface IrNode extends IrNodeSpec {
  readonly id: number;
  readonly labels: Set<string>;
}

/** Ops whose input order does not change the result (exactly, in IEEE arithmetic). */
export const COMMUTATIVE_OPS: ReadonlySet<string> = new Set(['add', 'mul', 'eq', 'ne', 'and', 'or', 'min', 'max']);

/**
 * Builds the signal DAG by hash-consing: structurally equal nodes are created once, so common
 * sub-expressions are shared. Node ids here are insertion order; `finalize` renumbers them into a
 * canonical topological order that does not depend on the order of the source.
 */
export class DagBuilder {
  readonly #nodes: IrNode[] = [];
  readonly #index = new Map<string, number>();

  get size(): number {
    return this.#nodes.length;
  }

  node(id: number): IrNodeSpec {
    return this.#nodes[id]!;
  }

  add(spec: IrNodeSpec): number {
    const inputs = spec.commutative ? [...spec.inputs].sort((a, b) => a.id - b.id || cmp(a.output ?? '', b.output ?? '')) : spec.inputs;
    const key = `${spec.op}|${spec.tf}|${constType(spec)}|${canonicalize(spec.params) ?? ''}|${inputs.map((i) => (i.output ? `${i.id}.${i.output}` : `${i.id}`)).join(',')}`;
    const hit = this.#index.get(key);
    if (hit !== undefined) return hit;
    const id = this.#nodes.length;
    this.#nodes.push({ ...spec, inputs, id, labels: new Set() });
    this.#index.set(key, id);
    return id;
  }

  label(id: number, name: string): void {
    this.#nodes[id]?.labels.add(name);
  }

  /** Drops labels that are not in `names` (signals left out of the plan name no node). */
  keepLabels(names: ReadonlySet<string>): void {
    for (const n of this.#nodes) for (const l of [...n.labels]) if (!names.has(l)) n.labels.delete(l);
  }

  /**
   * Keeps the nodes reachable from `roots`, orders them by (depth, structural hash) — a
   * topological order independent of insertion order — and numbers them n0, n1, ….
   */
  finalize(roots: readonly number[]): { nodes: PlanNode[]; idOf: (irId: number) => string; reachable: ReadonlySet<number> } {
    const reachable = new Set<number>();
    const stack = [...roots];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (reachable.has(id)) continue;
      reachable.add(id);
      for (const i of this.#nodes[id]!.inputs) stack.push(i.id);
    }
    // Inputs always have smaller insertion ids than their consumers, so one ascending pass computes depth and hash.
    const ids = [...reachable].sort((a, b) => a - b);
    const depth = new Map<number, number>();
    const hash = new Map<number, string>();
    const ref = (i: IrInput) => (i.output ? `${hash.get(i.id)}.${i.output}` : hash.get(i.id)!);
    for (const id of ids) {
      const n = this.#nodes[id]!;
      let d = 0;
      for (const i of n.inputs) d = Math.max(d, depth.get(i.id)! + 1);
      depth.set(id, d);
      const inputRefs = n.inputs.map(ref);
      if (n.commutative) inputRefs.sort();
      const h = createHash('sha256');
      h.update(`${n.op}\u0000${n.tf}\u0000${constType(n)}${canonicalize(n.params) ?? ''}\u0000${inputRefs.join(',')}`);
      hash.set(id, h.digest('hex'));
    }
    ids.sort((a, b) => depth.get(a)! - depth.get(b)! || cmp(hash.get(a)!, hash.get(b)!));
    const newId = new Map<number, string>();
    ids.forEach((id, i) => newId.set(id, `n${i}`));
    const idOf = (irId: number) => newId.get(irId)!;
    const inputName = (i: IrInput) => (i.output ? `${idOf(i.id)}.${i.output}` : idOf(i.id));

    const warmups = new Map<number, Record<string, number>>();
    const nodes: PlanNode[] = ids.map((id) => {
      const n = this.#nodes[id]!;
      const inputs = n.inputs.map((i) => ({ name: inputName(i), hash: ref(i), id: i.id }));
      if (n.commutative) inputs.sort((a, b) => cmp(a.hash, b.hash));
      const warmup: Record<string, number> = {};
      for (const i of n.inputs) {
        for (const [tf, bars] of Object.entries(warmups.get(i.id)!)) warmup[tf] = Math.max(warmup[tf] ?? 0, bars);
      }
      warmup[n.tf] = (warmup[n.tf] ?? 0) + n.lookback;
      warmups.set(id, warmup);
      const node: PlanNode = {
        id: idOf(id),
        op: n.op,
        tf: n.tf,
        ...(n.outputs ? { outputs: n.outputs.map((o) => ({ name: o.name, type: o.type })) } : { type: n.type }),
        inputs: inputs.map((i) => i.name),
        params: n.params,
        lookback: n.lookback,
        warmup: sortTimeframes(warmup),
        ...(n.unstable ? { unstable: true } : {}),
        ...(n.crossSectional ? { crossSectional: true } : {}),
        ...(n.labels.size > 0 ? { labels: [...n.labels].sort() } : {}),
      };
      return node;
    });
    return { nodes, idOf, reachable };
  }
}

/**
 * A node's type follows from its op and inputs, except for a constant: `true` and the number 1
 * are both `{ value: 1 }`. Bool constants get a marker so they are never merged with numbers
 * (number constants keep an empty marker, so their structural hashes are unchanged).
 */
function constType(n: { readonly op: string; readonly type: ValueType }): string {
  return n.op === 'const' && n.type === 'bool' ? 'bool\u0000' : '';
}

/** Orders a per-timeframe record finest first, so JSON output is deterministic. */
export function sortTimeframes(rec: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tf of Object.keys(rec).sort((a, b) => tfMinutes(a) - tfMinutes(b) || cmp(a, b))) out[tf] = rec[tf]!;
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
