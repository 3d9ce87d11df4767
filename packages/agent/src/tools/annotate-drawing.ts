import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DrawingRecord } from '../context.js';
import { parseTimestamp } from './catalog-check.js';
import { executableNode, isoTime, toIdentifier } from './format.js';
import { symbolArg } from './market-data.js';
import { ToolError, type AgentTool, type Executable, type ExecutableNode } from './types.js';

/**
 * TradingView drawings as structured JSON. The accepted shape follows TradingView's drawing
 * export (the charting library's `getAllShapes()` / `getPoints()`): a `shape` name and its anchor
 * `points`, each `{ time, price }` with `time` in UNIX seconds — or, for hand-written input, an
 * ISO date / UTC timestamp string.
 *
 * - `trend_line` (2 points) → `trendline_cross` through both anchors;
 * - `horizontal_line` (1 point; its time is optional) → `sr_proximity` with that level;
 * - `rectangle` (2 corners) → a zone: `sr_proximity` at the zone's midpoint with a tolerance of
 *   exactly its half-width, so `near` is true inside the zone ((hi − lo) / (hi + lo));
 * - `fib_retracement` (2 points: start, end) → `sr_proximity` with a level per ratio r at
 *   `end + (start − end) · r` (TradingView: level 0 at the end point, 1 at the start).
 */

/** TradingView's default retracement ratios. */
export const DEFAULT_FIB_LEVELS: readonly number[] = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1];

/** 2200-01-01 in UNIX seconds: later times are surely milliseconds by mistake. */
const MAX_UNIX_SECONDS = 7_258_118_400;

const timeArg = z
  .union([
    z.number().int('UNIX seconds must be whole').min(0).max(MAX_UNIX_SECONDS, 'UNIX time in seconds (not milliseconds), before 2200'),
    z.string().refine((s) => parseTimestamp(s) !== undefined, 'a date "YYYY-MM-DD" or UTC timestamp "YYYY-MM-DDTHH:MM:SSZ"'),
  ])
  .describe('Anchor time: UNIX seconds as TradingView exports it (e.g. 1709251200), or "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM:SSZ".');
const priceArg = z.number().positive().max(1e12).describe('Anchor price (> 0).');
const point = z.strictObject({ time: timeArg, price: priceArg }).describe('An anchor point {time, price}.');
const levelPoint = z.strictObject({ time: timeArg.optional(), price: priceArg }).describe('The level {price} (time optional).');

const common = {
  id: z.string().min(1).max(64).optional().describe('TradingView entity id; default: derived from the drawing\'s content.'),
  text: z.string().max(200).optional().describe('The drawing\'s label text, if any.'),
};

const drawing = z.discriminatedUnion('shape', [
  z.strictObject({ shape: z.literal('trend_line').describe('A trend line through two anchors.'), points: z.array(point).length(2).describe('Exactly two anchors at different times.'), ...common }),
  z.strictObject({ shape: z.literal('horizontal_line').describe('A horizontal support/resistance level.'), points: z.array(levelPoint).length(1).describe('Exactly one point: the level.'), ...common }),
  z.strictObject({ shape: z.literal('rectangle').describe('A zone between two prices.'), points: z.array(point).length(2).describe('Two opposite corners.'), ...common }),
  z.strictObject({
    shape: z.literal('fib_retracement').describe('A Fibonacci retracement between two anchors.'),
    points: z.array(point).length(2).describe('Start and end anchors of the swing.'),
    levels: z.array(z.number().min(-5).max(5)).min(1).max(24).optional().describe(`Ratios to draw (default ${DEFAULT_FIB_LEVELS.join(', ')}).`),
    ...common,
  }),
]);

const schema = z.strictObject({
  symbol: symbolArg.optional().describe('The chart\'s symbol (default: the session\'s active symbol).'),
  drawings: z.array(drawing).min(1).max(100).describe('The exported drawings, each with `shape` one of trend_line, horizontal_line, rectangle, fib_retracement.'),
  tolerance: z.number().min(0).max(1).default(0.005).describe('Tolerance of the sr_proximity nodes for lines and fib levels (relative; default 0.005). Zones use their own half-width.'),
});

export type DrawingInput = z.infer<typeof drawing>;

export interface AnnotatedDrawing extends Executable {
  readonly id: string;
  readonly shape: DrawingInput['shape'];
  readonly kind: DrawingRecord['kind'];
  readonly signal: string;
  readonly points: ReadonlyArray<{ readonly time: string; readonly price: number }>;
  /** Price levels (lines, zone bounds, fib levels); empty for a trend line. */
  readonly levels: readonly number[];
  readonly node: ExecutableNode;
}

export interface AnnotateDrawingResult {
  readonly symbol: string | null;
  readonly drawings: readonly AnnotatedDrawing[];
  /** Drawings now held by the session. */
  readonly sessionDrawings: number;
  /** Every drawing's node, in input order. */
  toExecutableNodes(): ExecutableNode[];
}

function timeMs(t: number | string): number {
  return typeof t === 'number' ? t * 1000 : parseTimestamp(t)!;
}

/** Interprets one validated drawing. Deterministic: the same drawing gives the same bytes. */
export function interpretDrawing(d: DrawingInput, symbol: string | null, tolerance: number): AnnotatedDrawing {
  const kind: DrawingRecord['kind'] = d.shape === 'rectangle' ? 'zone' : d.shape;
  const points = d.points.map((p) => ({ ms: p.time === undefined ? undefined : timeMs(p.time), price: p.price }));
  let params: Array<readonly [string, number | string | readonly number[]]>;
  let nodeName: string;
  let outputs: string[];
  let levels: number[] = [];
  switch (d.shape) {
    case 'trend_line': {
      const [p, q] = [...points].sort((x, y) => x.ms! - y.ms!) as [(typeof points)[0], (typeof points)[0]];
      if (p.ms === q.ms) throw new ToolError('invalid_arguments', 'drawings: a trend_line needs two anchors at different times');
      nodeName = 'trendline_cross';
      outputs = ['line', 'up', 'down'];
      params = [
        ['t0', isoTime(p.ms!)],
        ['p0', p.price],
        ['t1', isoTime(q.ms!)],
        ['p1', q.price],
      ];
      break;
    }
    case 'horizontal_line':
      levels = [points[0]!.price];
      nodeName = 'sr_proximity';
      outputs = ['distance', 'near'];
      params = [
        ['levels', levels],
        ['tolerance', tolerance],
      ];
      break;
    case 'rectangle': {
      const lo = Math.min(points[0]!.price, points[1]!.price);
      const hi = Math.max(points[0]!.price, points[1]!.price);
      levels = [lo, hi];
      nodeName = 'sr_proximity';
      outputs = ['distance', 'near'];
      params = [
        ['levels', [(lo + hi) / 2]],
        ['tolerance', (hi - lo) / (hi + lo)],
      ];
      break;
    }
    case 'fib_retracement': {
      const start = points[0]!.price;
      const end = points[1]!.price;
      if (start === end) throw new ToolError('invalid_arguments', 'drawings: a fib_retracement needs two anchors at different prices');
      const ratios = d.levels ?? DEFAULT_FIB_LEVELS;
      levels = [...new Set(ratios.map((r) => Number((end + (start - end) * r).toPrecision(10))))].sort((x, y) => x - y);
      if (levels.some((x) => !(x > 0))) throw new ToolError('invalid_arguments', `drawings: fib ratios ${ratios.join(', ')} between ${start} and ${end} give a level at or below 0; drop the extension ratios`);
      nodeName = 'sr_proximity';
      outputs = ['distance', 'near'];
      params = [
        ['levels', levels],
        ['tolerance', tolerance],
      ];
      break;
    }
  }
  const canonicalPoints = d.points.map((p) => ({ time: p.time === undefined ? null : isoTime(timeMs(p.time)), price: p.price }));
  const id = d.id ?? createHash('sha256').update(JSON.stringify({ shape: d.shape, symbol, points: canonicalPoints, levels: d.shape === 'fib_retracement' ? (d.levels ?? DEFAULT_FIB_LEVELS) : null, tolerance })).digest('hex').slice(0, 8);
  const prefix = { trend_line: 'tl', horizontal_line: 'level', zone: 'zone', fib_retracement: 'fib' }[kind];
  const signal = toIdentifier(`${prefix}_${id}`, prefix);
  const node = executableNode({ signal, node: nodeName, inputs: ['close'], params, outputs });
  return {
    id,
    shape: d.shape,
    kind,
    signal,
    points: canonicalPoints.map((p) => ({ time: p.time ?? '', price: p.price })),
    levels,
    node,
    toExecutableNode: () => node,
  };
}

export const annotateDrawing: AgentTool<typeof schema, AnnotateDrawingResult> = {
  name: 'annotate_drawing',
  description:
    'Ingest TradingView drawings (exported JSON: trend_line, horizontal_line, rectangle zone, fib_retracement; points {time: UNIX seconds, price}). Adds them to the session and returns each as a signal node ready for the artifact: trend lines become `trendline_cross` (outputs line/up/down), levels, zones and fib levels `sr_proximity` (outputs distance/near).',
  schema,
  async run(args, ctx) {
    const symbol = args.symbol ?? ctx.session.symbol;
    const drawings = args.drawings.map((d, i) => {
      try {
        return interpretDrawing(d, symbol, args.tolerance);
      } catch (e) {
        if (e instanceof ToolError) throw new ToolError(e.code, e.message.replace(/^drawings:/, `drawings.${i}:`), e.details, { cause: e });
        throw e;
      }
    });
    const signals = new Map<string, number>();
    drawings.forEach((d, i) => {
      const j = signals.get(d.signal);
      if (j !== undefined) throw new ToolError('invalid_arguments', `drawings.${i}: same id "${d.id}" as drawings.${j}; give each drawing a distinct id`);
      signals.set(d.signal, i);
    });
    ctx.session.addDrawings(drawings.map((d) => ({ id: d.id, kind: d.kind, symbol, signal: d.signal, points: d.points.map((p) => ({ ...p })), levels: [...d.levels], label: args.drawings[drawings.indexOf(d)]!.text ?? null })));
    return {
      symbol,
      drawings,
      sessionDrawings: ctx.session.drawings.length,
      toExecutableNodes: () => drawings.map((d) => d.node),
    };
  },
};
