import { formatDiagnostic, type Diagnostic } from '@strata/compiler';
import type { AuthoringEvent } from '../loop.js';
import type { BacktestSummary } from '../tools/strategy.js';
import { compactJson, shortHash, type Style } from './style.js';
import type { TerminalWriter } from './terminal.js';

/**
 * How the authoring loop's events look in the terminal: the model's text streamed as it comes,
 * each tool call with its name and compact arguments, the result in one line, compile results
 * (ok + hash, or the diagnostics rendered like `strata compile`), the backtest, the commit.
 */

const pct = (x: unknown) => (typeof x === 'number' ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : '-');
const num = (x: unknown, digits = 2) => (typeof x === 'number' ? x.toFixed(digits) : '-');

/** One line of a backtest: period, return, CAGR, Sharpe, max drawdown, trades; the benchmark's return beside it. */
export function backtestLine(s: BacktestSummary): string {
  const m = s.metrics as Record<string, unknown>;
  const dd = (m.maxDrawdown as { depth?: unknown } | undefined)?.depth;
  const bench = s.benchmark ? `  |  ${s.benchmark.symbol} buy & hold ${pct((s.benchmark.metrics as Record<string, unknown>).totalReturn)}` : '';
  return `${s.period.from} → ${s.period.to} (${s.period.bars} bars): return ${pct(m.totalReturn)}, CAGR ${pct(m.cagr)}, Sharpe ${num(m.sharpe)}, max drawdown ${pct(dd)}, ${String(m.trades ?? 0)} trades${bench}`;
}

/** A tool result in a few words, for the tools whose results have an obvious headline. */
export function resultSummary(name: string, result: unknown): string {
  const r = (result ?? {}) as Record<string, unknown>;
  switch (name) {
    case 'query_chart': {
      const range = r.range as { from?: string; to?: string } | undefined;
      const bars = Array.isArray(r.bars) ? r.bars.length : undefined;
      return `${String(r.symbol ?? '')} ${String(r.timeframe ?? '')}${range ? ` ${range.from ?? ''} → ${range.to ?? ''}` : ''}${bars !== undefined ? `, ${bars} bars shown` : ''}`;
    }
    case 'compose_signal_node':
    case 'detect_sr_levels': {
      const node = r.node as { expression?: string; signal?: string } | undefined;
      if (node?.signal && node.expression) return `${node.signal} = ${node.expression}`;
      break;
    }
    case 'compute_indicator': {
      const values = Array.isArray(r.values) ? (r.values as Array<{ time: string; values: Record<string, number | null> }>) : [];
      const last = values.at(-1);
      const shown = last ? Object.entries(last.values).map(([k, v]) => `${k} ${v === null ? '-' : Number(v.toFixed(4))}`).join(', ') : 'no values';
      return `${String(r.symbol ?? '')} ${String(r.indicator ?? '')}(${Object.entries((r.params ?? {}) as Record<string, unknown>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}): ${values.length} values, last ${last?.time ?? '-'}: ${shown}`;
    }
    case 'fetch_news_sentiment': {
      const agg = r.aggregate as { count?: number; mean?: number | null } | undefined;
      return `${String(r.symbol ?? '')}: ${agg?.count ?? 0} headlines, mean sentiment ${typeof agg?.mean === 'number' ? agg.mean.toFixed(2) : '-'}`;
    }
    case 'run_backtest':
      return typeof r.schema === 'string' && r.period ? backtestLine(r as unknown as BacktestSummary) : compactJson(result, 100);
    case 'compile_strategy':
      return r.ok === true ? `compiles, ${String(r.nodes)} nodes` : 'does not compile';
    case 'annotate_drawing': {
      const drawings = Array.isArray(r.drawings) ? (r.drawings as Array<{ node?: { signal?: string; expression?: string } }>) : [];
      return drawings.map((d) => `${d.node?.signal ?? '?'} = ${d.node?.expression ?? '?'}`).join('; ') || 'no drawings';
    }
    case 'emit_strategy':
      return `accepted ${String(r.name ?? '')}`;
    default:
      break;
  }
  return compactJson(result, 100);
}

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');

/** Renders one diagnostic as `strata compile` does, indented under the compile line. */
export const renderDiagnostic = (d: Diagnostic, style: Style) => indent(formatDiagnostic(d, { color: style.isColorSupported }), '    ');

/**
 * Writes one authoring event. Stateful only in whether the model's text is being streamed
 * (so the `agent ›` label is printed once per stretch of text).
 */
export class EventRenderer {
  private streaming = false;
  /** The backtest and commit lines of an emit, shown after its compile line (the loop reports them first). */
  private pending: string[] = [];

  constructor(private readonly out: TerminalWriter) {}

  private get s(): Style {
    return this.out.style;
  }

  private flush(): void {
    for (const l of this.pending) this.out.line(l);
    this.pending = [];
  }

  render(e: AuthoringEvent): void {
    const s = this.s;
    if (e.type !== 'tool_result' && e.type !== 'compile_result' && e.type !== 'backtest' && e.type !== 'commit') this.flush();
    switch (e.type) {
      case 'token':
        if (!this.streaming) {
          this.out.line();
          this.out.write(`${s.bold(s.magenta('agent ›'))} `);
          this.streaming = true;
        }
        this.out.write(e.text);
        return;
      case 'model_message':
        this.streaming = false;
        if (e.toolCalls.length > 0) this.out.line();
        return;
      case 'tool_call':
        this.streaming = false;
        this.out.line(`  ${s.cyan('→')} ${s.bold(e.name)} ${s.dim(compactJson(e.args))}`);
        this.out.spin(`running ${e.name}…`);
        return;
      case 'tool_result':
        if (e.ok) this.out.line(`  ${s.green('✓')} ${e.name}  ${s.dim(resultSummary(e.name, e.result))}`);
        else {
          const msg = e.error?.message ?? 'failed';
          const head = e.error?.code === 'compile_failed' ? 'the artifact does not compile' : msg.length > 240 ? `${msg.slice(0, 239)}…` : msg;
          this.out.line(`  ${s.red('✗')} ${e.name}  ${s.red(`${e.error?.code ?? 'error'}: ${head}`)}`);
        }
        return;
      case 'compile_result':
        if (e.ok) {
          const w = e.warnings > 0 ? s.yellow(`, ${e.warnings} warning${e.warnings === 1 ? '' : 's'}`) : '';
          this.out.line(`  ${s.green('✓')} compiled ${s.bold(shortHash(e.hash ?? ''))}${w}`);
        } else {
          this.out.line(`  ${s.red('✗')} compile failed: ${e.errors} error${e.errors === 1 ? '' : 's'}${e.warnings ? `, ${e.warnings} warning${e.warnings === 1 ? '' : 's'}` : ''}`);
        }
        for (const d of e.diagnostics) this.out.line(renderDiagnostic(d as Diagnostic, s));
        this.flush();
        return;
      case 'backtest':
        this.pending.push(`  ${s.blue('▸')} backtest ${backtestLine(e.summary)}`);
        return;
      case 'commit':
        this.pending.push(`  ${s.green('●')} committed ${s.bold(e.name)} ${s.yellow(e.short)} ${s.dim(shortHash(e.hash))}`);
        return;
      case 'stopped':
        this.streaming = false;
        this.out.line(e.code === 'aborted' ? s.yellow('(interrupted)') : s.yellow(`stopped (${e.code}): ${e.message}`));
        return;
      case 'done':
        this.streaming = false;
        this.out.stopSpin();
        this.out.line();
        return;
    }
  }

  /** After a tool result the model is called again: show that something is happening. */
  thinking(): void {
    this.out.spin('thinking…');
  }
}
