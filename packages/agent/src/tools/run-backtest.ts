import { z } from 'zod';
import { checkRange, dayArg, dayMs } from './market-data.js';
import { backtestPlan, compileArtifact, compileErrorMessage, paramOverridesArg, yamlArg, type BacktestSummary } from './strategy.js';
import { ToolError, type AgentTool } from './types.js';

const schema = z.strictObject({
  yaml: yamlArg,
  from: dayArg('First trading day (earlier bars only warm the signals up)').optional(),
  to: dayArg('Last trading day').optional(),
  params: paramOverridesArg,
  cash: z.number().positive().max(1e12).optional().describe('Initial cash (default 100000).'),
});

export const runBacktestTool: AgentTool<typeof schema, BacktestSummary> = {
  name: 'run_backtest',
  description:
    'Backtest a strategy artifact (YAML text) on the local data with the LLM-free kernel, exactly as `strata backtest` does, and return the summary: total return, CAGR, Sharpe, Sortino, max drawdown, trades, win rate, exposure, versus buy-and-hold of the benchmark. Read-only: it simulates, it never trades.',
  schema,
  async run(args, ctx) {
    checkRange(args.from, args.to);
    const { payload, result } = compileArtifact(args.yaml, args.params);
    if (!result.ok || !result.plan) throw new ToolError('compile_failed', compileErrorMessage(payload), payload);
    const from = dayMs(args.from, false);
    const to = dayMs(args.to, true);
    return backtestPlan(ctx, result.plan, { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(args.cash !== undefined ? { initialCash: args.cash } : {}) });
  },
};
