/** Escaping for the three contexts the report writes into. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * A value → JSON that is safe inside `<script type="application/json">`: every `<`, `>`
 * and `&` becomes a `\u00XX` escape (so neither `</script` nor `<!--` can occur), and so
 * do U+2028 / U+2029. `JSON.parse(element.textContent)` gives the value back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JavaScript source → safe inside `<script>`: the `<` of `</script` and `<!--` becomes
 * `\x3C`, which means the same `<` inside JS string, template and regular-expression
 * literals (with or without the `u` flag) and is inert in comments — the only places these
 * sequences can occur in valid JS.
 */
export function scriptSafe(js: string): string {
  return js.replace(/<(\/script|!--)/gi, '\\x3C$1');
}
