import type { SessionContext } from '../context.js';
import { plainStyle, shortHash, type Style } from './style.js';

/**
 * What a restored session holds, as the lines `strata chat` prints on start: the active chart,
 * the signals and drawings already defined, the risk preferences, the strategies emitted and
 * how long the conversation is. Empty for a fresh session.
 */
export function sessionSummary(session: SessionContext, style: Style = plainStyle): string[] {
  const lines: string[] = [];
  if (session.symbol !== null) {
    const tf = session.timeframe ? ` ${session.timeframe}` : '';
    const feed = session.feed ? style.dim(` (${session.feed})`) : '';
    lines.push(`  active symbol: ${style.bold(session.symbol)}${tf}${feed}`);
  }
  if (session.signals.length > 0) {
    lines.push(`  signals (${session.signals.length}):`);
    for (const s of session.signals) lines.push(`    ${style.cyan(s.name)} = ${s.expression}`);
  }
  if (session.drawings.length > 0) {
    const kinds = session.drawings.map((d) => `${d.label ?? d.signal} (${d.kind})`);
    lines.push(`  drawings (${session.drawings.length}): ${kinds.join(', ')}`);
  }
  const risk = Object.entries(session.risk).filter(([, v]) => v !== undefined);
  if (risk.length > 0) lines.push(`  risk: ${risk.map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  if (session.strategies.length > 0) {
    const last = session.strategies.slice(-3).map((s) => `${s.name}@${s.commit.slice(0, 7)} ${style.dim(shortHash(s.hash))}`);
    lines.push(`  strategies emitted (${session.strategies.length}): ${last.join(', ')}`);
  }
  if (session.conversation.length > 0) lines.push(`  conversation: ${session.conversation.length} earlier turns`);
  return lines.length === 0 ? [] : [style.bold('Restored session'), ...lines];
}
