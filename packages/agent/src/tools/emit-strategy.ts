import type { Diagnostic } from '@strata/compiler';
import { z } from 'zod';
import { compileArtifact, compileErrorMessage, yamlArg } from './strategy.js';
import { ToolError, type AgentTool } from './types.js';

const schema = z.strictObject({
  yaml: yamlArg,
  message: z.string().min(1).max(2000).describe('One or two sentences for the version history: what this version does and what changed.'),
});

export interface EmitStrategyResult {
  readonly accepted: true;
  readonly name: string;
  readonly hash: string;
  readonly warmup: Readonly<Record<string, number>>;
  readonly nodes: number;
  readonly message: string;
  /** The artifact text as emitted (what gets committed). */
  readonly artifact: string;
  /** Warnings the compiler still reports (the artifact compiles). */
  readonly warnings: readonly Diagnostic[];
}

export const emitStrategy: AgentTool<typeof schema, EmitStrategyResult> = {
  name: 'emit_strategy',
  description:
    'Finalise the strategy: submit the complete artifact (YAML text). It must compile without errors; if it does not, the diagnostics come back as structured JSON to fix and emit again. When it compiles, the session backtests it on local data and commits it as a new version with your message.',
  schema,
  async run(args) {
    const { payload, result } = compileArtifact(args.yaml);
    if (!result.ok || !result.plan || !result.hash) throw new ToolError('compile_failed', compileErrorMessage(payload), payload);
    return {
      accepted: true,
      name: result.plan.artifact.name,
      hash: result.hash,
      warmup: { ...result.plan.warmup },
      nodes: result.plan.nodes.length,
      message: args.message,
      artifact: args.yaml,
      warnings: result.diagnostics.filter((d) => d.severity === 'warning'),
    };
  },
};
