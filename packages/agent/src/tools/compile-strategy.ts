import { z } from 'zod';
import { compileArtifact, paramOverridesArg, yamlArg, type CompilePayload } from './strategy.js';
import type { AgentTool } from './types.js';

const schema = z.strictObject({
  yaml: yamlArg,
  params: paramOverridesArg,
});

export const compileStrategy: AgentTool<typeof schema, CompilePayload> = {
  name: 'compile_strategy',
  description:
    'Compile a strategy artifact (YAML text) and return the diagnostics exactly as `strata compile --json` gives them (code, severity, line:column, source line, hint such as "did you mean …"), plus the content hash, the warm-up per timeframe and the node count when it compiles. Use it to check a draft before emit_strategy.',
  schema,
  async run(args) {
    return compileArtifact(args.yaml, args.params).payload;
  },
};
