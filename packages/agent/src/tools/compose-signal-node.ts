import { BAR_FIELDS, CATALOG, DERIVED_FIELDS, parseExpression } from '@strata/compiler';
import { z } from 'zod';
import { checkParams, paramValueArg, requireEntry } from './catalog-check.js';
import { executableNode, IDENTIFIER } from './format.js';
import { ToolError, type AgentTool, type ArgumentIssue, type Executable, type ExecutableNode } from './types.js';

const RESERVED = new Set<string>([...BAR_FIELDS, ...Object.keys(DERIVED_FIELDS), 'and', 'or', 'not', 'true', 'false']);

const schema = z.strictObject({
  name: z.string().regex(IDENTIFIER, 'an identifier: lower case letters, digits and _, not starting with a digit').describe('Signal name for the artifact\'s `signals:` block, e.g. "fast_ma".'),
  node: z.string().min(1).max(64).describe(`Catalog node name: ${[...CATALOG.keys()].join(', ')}.`),
  inputs: z
    .array(z.string().min(1).max(2000))
    .max(16)
    .default([])
    .describe('Series inputs as expressions, in catalog order: bar fields ("close"), other signals ("fast_ma"), or expressions ("close@1w", "hl2"). Nodes like atr read their bar fields themselves and take none.'),
  params: z.record(z.string(), paramValueArg).default({}).describe('Params by name, e.g. {"period": 20, "k": 2} or {"period": "$fast"}; omitted ones take the catalog default.'),
  output: z.string().regex(IDENTIFIER).optional().describe('For a multi-output node (bbands, macd, sr_proximity …): the output this signal takes. Omit it to reference outputs as `name.output` in rules.'),
  timeframe: z
    .string()
    .regex(/^[1-9][0-9]{0,3}(m|h|d|w|M)$/, 'a timeframe such as 1h, 1d or 1w')
    .optional()
    .describe('Evaluate the node on this (coarser, declared) timeframe instead of the base one, e.g. "1w".'),
});

export interface ComposeSignalNodeResult extends Executable {
  readonly node: ExecutableNode;
  /** What the signal's value is: a number, a condition, or a multi-output node. */
  readonly valueType: 'number' | 'bool' | 'multi';
  /** How rules reference it. */
  readonly references: readonly string[];
}

export const composeSignalNode: AgentTool<typeof schema, ComposeSignalNodeResult> = {
  name: 'compose_signal_node',
  description:
    'Build one signal from a catalog node, its inputs and params, validated against the node catalog (names, input count, param types and ranges, outputs). Returns the YAML fragment for the `signals:` block and the equivalent expression, and remembers the signal in the session.',
  schema,
  async run(args, ctx) {
    const entry = requireEntry(args.node, 'node');
    const issues: ArgumentIssue[] = [];
    if (RESERVED.has(args.name)) issues.push({ path: 'name', message: `"${args.name}" is a bar field or keyword; pick another signal name` });
    if (args.inputs.length !== entry.inputs.length) {
      issues.push({ path: 'inputs', message: `\`${entry.name}\` takes ${entry.inputs.length} series input(s)${entry.inputs.length ? ` (${entry.inputs.map((i) => `${i.name}: ${i.type}`).join(', ')})` : ''}, got ${args.inputs.length}` });
    }
    args.inputs.forEach((src, i) => {
      const r = parseExpression(src);
      if (!r.ok) issues.push({ path: `inputs.${i}`, message: `${r.error.code} ${r.error.message} at column ${r.error.span.start + 1}${r.error.hint ? ` (${r.error.hint})` : ''}` });
    });
    const outputs = entry.outputs.map((o) => o.name);
    if (args.output !== undefined && (outputs.length < 2 || !outputs.includes(args.output))) {
      issues.push({ path: 'output', message: outputs.length < 2 ? `\`${entry.name}\` has a single output; omit output` : `\`${entry.name}\` has outputs ${outputs.join(', ')}, not "${args.output}"` });
    }
    let params: Array<readonly [string, number | string | readonly number[]]> = [];
    try {
      params = checkParams(entry, args.params, { allowRefs: true });
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      issues.push(...((e.details as { issues: ArgumentIssue[] }).issues ?? []));
    }
    if (issues.length > 0) throw new ToolError('invalid_arguments', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
    const node = executableNode({
      signal: args.name,
      node: entry.name,
      inputs: args.inputs,
      params,
      ...(args.output !== undefined ? { output: args.output } : {}),
      ...(args.timeframe !== undefined ? { timeframe: args.timeframe } : {}),
      outputs: outputs.length > 1 ? outputs : [],
    });
    const multi = outputs.length > 1 && args.output === undefined;
    const valueType = multi ? 'multi' : (entry.outputs.find((o) => o.name === (args.output ?? outputs[0]))?.type ?? 'number');
    ctx.session.defineSignal({ name: args.name, node: entry.name, expression: node.expression, yaml: node.yaml, source: 'compose_signal_node' });
    return {
      node,
      valueType,
      references: multi ? outputs.map((o) => `${args.name}.${o}`) : [args.name],
      toExecutableNode: () => node,
    };
  },
};
