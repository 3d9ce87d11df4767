import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';

/** A finished run's files, written all at once: a temp folder renamed into place, so a failure leaves nothing half-written. */
export interface RunFiles {
  readonly text: ReadonlyMap<string, string>;
  readonly sqlite?: (db: Database.Database) => void;
}

export class OutputFolderError extends Error {}

/** Marker that identifies a folder as Strata's own output (safe to replace). */
export const RUN_MARKER = 'summary.json';

/** Refuses an output folder that would destroy something that is not a previous run (checked before any work). */
export function checkRunFolder(target: string): void {
  const dest = resolve(target);
  if (!existsSync(dest)) return;
  if (!statSync(dest).isDirectory()) throw new OutputFolderError(`--out ${target} is a file, not a folder; choose a folder name`);
  const entries = readdirSync(dest);
  if (entries.length > 0 && !entries.includes(RUN_MARKER)) {
    throw new OutputFolderError(`--out ${target} exists and is not a Strata run folder (no ${RUN_MARKER}); choose another folder or remove it`);
  }
}

/** Refuses a report path that is a directory. */
export function checkOutputFile(flag: string, target: string): void {
  const dest = resolve(target);
  if (existsSync(dest) && statSync(dest).isDirectory()) throw new OutputFolderError(`${flag} ${target} is a folder; give a file name such as report.html`);
}

export function writeRunFolder(target: string, files: RunFiles): void {
  const dest = resolve(target);
  checkRunFolder(target);
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    for (const [name, content] of files.text) writeFileSync(join(tmp, name), content);
    if (files.sqlite) {
      const db = new Database(join(tmp, 'run.sqlite'));
      try {
        db.pragma('journal_mode = DELETE');
        files.sqlite(db);
      } finally {
        db.close();
      }
    }
    const old = existsSync(dest) ? `${tmp}.old` : undefined;
    if (old) renameSync(dest, old);
    renameSync(tmp, dest);
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** CSV with a header row; numbers written with full precision (shortest round-trip form). */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([columns, ...rows.map((r) => r.map(cell))]);
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return String(v);
}

export const isoDate = (ms: number): string => new Date(ms).toISOString();
