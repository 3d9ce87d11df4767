import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOL_NAMES } from '@strata/agent';
import { ROOT } from './helpers.js';

const AGENT = join(ROOT, 'packages/agent');
const FORBIDDEN = ['@strata/order-kernel', '@strata/venues', '@strata/contract', 'ccxt'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|js|mjs|cjs)$/.test(f) ? [p] : [];
  });
}

describe('the agent authors, it never executes', () => {
  it('does not depend on the order kernel, the venues or the order contract', () => {
    const pkg = JSON.parse(readFileSync(join(AGENT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const dep of Object.keys(pkg[field] ?? {})) expect(FORBIDDEN, `${field}.${dep}`).not.toContain(dep);
    }
    const tsconfig = readFileSync(join(AGENT, 'tsconfig.json'), 'utf8');
    expect(tsconfig).not.toMatch(/order-kernel|venues|contract/);
  });

  it('imports none of them anywhere in src/', () => {
    const files = sources(join(AGENT, 'src'));
    expect(files.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    const importRe = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1]!;
        if (FORBIDDEN.some((x) => spec === x || spec.startsWith(`${x}/`)) || /(^|\/)(order-kernel|venues|contract)(\/|$)/.test(spec)) offenders.push(`${f.slice(AGENT.length + 1)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('registers exactly the read-only tools', () => {
    expect([...TOOL_NAMES].sort()).toEqual(['annotate_drawing', 'compile_strategy', 'compose_signal_node', 'compute_indicator', 'detect_sr_levels', 'emit_strategy', 'fetch_news_sentiment', 'query_chart', 'run_backtest']);
  });
});
