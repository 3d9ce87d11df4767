import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile, formatDiagnostic, type CompileResult } from '@strata/compiler';
import { parseParamOverrides, writeFileAtomic } from './io.js';
import type { Io } from './main.js';

export interface CompileCommandOptions {
  readonly json?: boolean;
  readonly out?: string;
  readonly param?: readonly string[];
  readonly color?: boolean;
}

/** `strata compile`: 0 when every artifact is clean (warnings allowed), 1 when any has errors, 2 on usage errors. */
export function runCompile(files: readonly string[], opts: CompileCommandOptions, io: Io): number {
  const overrides = parseParamOverrides(opts.param ?? []);
  if ('error' in overrides) {
    io.err(`strata compile: ${overrides.error}`);
    return 2;
  }
  if (opts.out !== undefined && files.length > 1 && existsSync(opts.out) && !statSync(opts.out).isDirectory()) {
    io.err(`strata compile: --out ${opts.out} is a file, but ${files.length} artifacts were given; pass a directory`);
    return 2;
  }
  const results: CompileResult[] = files.map((f) => compileFile(f, Object.keys(overrides.params).length > 0 ? { params: overrides.params } : {}));
  const failed = results.filter((r) => !r.ok);

  if (opts.json) {
    const payload = {
      schema: 'strata.compile-result/v1',
      ok: failed.length === 0,
      results: results.map((r) => ({
        file: r.file,
        ok: r.ok,
        ...(r.hash ? { hash: r.hash } : {}),
        errors: r.diagnostics.filter((d) => d.severity === 'error').length,
        warnings: r.diagnostics.filter((d) => d.severity === 'warning').length,
        diagnostics: r.diagnostics,
        ...(r.plan && opts.out === undefined ? { plan: r.plan } : {}),
      })),
    };
    io.out(JSON.stringify(payload, null, 2));
  } else {
    for (const r of results) {
      for (const d of r.diagnostics) io.err(formatDiagnostic(d, { color: opts.color ?? false }) + '\n');
      if (r.ok && r.plan) {
        const warm = Object.entries(r.plan.warmup).map(([tf, n]) => `${n} × ${tf}`).join(', ') || 'none';
        io.out(`ok  ${r.file}  ${r.hash}  ${r.plan.nodes.length} nodes, warm-up ${warm}`);
      } else {
        const n = r.diagnostics.filter((d) => d.severity === 'error').length;
        io.out(`FAIL ${r.file}  ${n} error${n === 1 ? '' : 's'}`);
      }
    }
  }

  if (failed.length > 0) {
    if (opts.out !== undefined && !opts.json) io.err(`no plan written: ${failed.length} artifact${failed.length === 1 ? '' : 's'} failed to compile`);
    return 1;
  }
  if (opts.out !== undefined) {
    // A directory when several artifacts are given, when it exists as one, or when written with a trailing slash.
    const many = files.length > 1 || /[\\/]$/.test(opts.out) || (existsSync(opts.out) && statSync(opts.out).isDirectory());
    const targets = results.map((r) => (many ? join(opts.out!, `${r.plan!.artifact.name}.plan.json`) : opts.out!));
    const seen = new Map<string, string>();
    for (const [i, t] of targets.entries()) {
      const other = seen.get(t);
      if (other !== undefined) {
        io.err(`strata compile: ${other} and ${results[i]!.file} are both named \`${results[i]!.plan!.artifact.name}\`; their plans would overwrite each other in ${opts.out}. Nothing was written.`);
        return 2;
      }
      seen.set(t, results[i]!.file);
    }
    for (const [i, r] of results.entries()) {
      writeFileAtomic(targets[i]!, JSON.stringify(r.plan, null, 2) + '\n');
      if (!opts.json) io.out(`wrote ${targets[i]}`);
    }
  }
  return 0;
}
