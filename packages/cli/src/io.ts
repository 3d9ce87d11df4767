import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes a file atomically: a temp file beside it, then rename. A crash leaves the old file or none, never half a file. */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Parses `k=v` param overrides. Returns an error message for malformed ones. */
export function parseParamOverrides(items: readonly string[]): { params: Record<string, number> } | { error: string } {
  const params: Record<string, number> = {};
  for (const item of items) {
    const m = /^([a-z_][a-z0-9_]*)=(.+)$/.exec(item);
    if (!m) return { error: `--param ${item}: expected name=value, e.g. --param fast=12` };
    const value = Number(m[2]);
    if (m[2]!.trim() === '' || !Number.isFinite(value)) return { error: `--param ${item}: ${m[2]} is not a number` };
    if (m[1]! in params) return { error: `--param ${m[1]} is given twice` };
    params[m[1]!] = value;
  }
  return { params };
}
