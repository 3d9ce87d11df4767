/**
 * The colour functions the terminal surface uses. The CLI passes picocolors' `createColors(enabled)`
 * (which has this shape); `plainStyle` is the no-colour form. Colour is off when NO_COLOR is set or
 * the output is not a terminal (decided by the caller).
 */
export interface Style {
  readonly isColorSupported: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  magenta(s: string): string;
  cyan(s: string): string;
  gray(s: string): string;
}

const id = (s: string) => s;

export const plainStyle: Style = {
  isColorSupported: false,
  bold: id,
  dim: id,
  red: id,
  green: id,
  yellow: id,
  blue: id,
  magenta: id,
  cyan: id,
  gray: id,
};

/** One line of JSON, shortened to `max` characters with an ellipsis: how tool arguments are shown. */
export function compactJson(value: unknown, max = 120): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 40).replace(/\n/g, '⏎')}… (${v.length} chars)` : v)) ?? 'undefined';
  } catch {
    text = String(value);
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `sha256:0123456789ab…` → `sha256:0123456789ab` (the first 12 hex digits: enough to tell versions apart on screen). */
export const shortHash = (hash: string): string => {
  const m = /^(sha256:)?([0-9a-f]+)$/.exec(hash);
  return m ? `${m[1] ?? ''}${m[2]!.slice(0, 12)}` : hash;
};
