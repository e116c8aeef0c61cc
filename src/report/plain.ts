/**
 * Invisible characters (zero-width, soft hyphen, BOM, the tag block U+E0000–U+E007F) and bidi
 * controls (which reorder what a reader sees): removed from text shown anywhere.
 */
export const INVISIBLE =
  /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]|[\u{e0000}-\u{e007f}]/gu;

/**
 * Text without ANSI escape sequences, control characters (C0 but the newline, DEL, C1: \x9b acts as
 * ESC [ on some terminals) and bidi controls (which reorder what a reader sees); newlines kept.
 */
export function clean(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- the escapes are what is removed
      .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]/g, '')
      // eslint-disable-next-line no-control-regex -- control characters are what is removed
      .replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/g, '')
      .replace(INVISIBLE, '')
  );
}

/** `clean`, on one line: newlines become spaces (a terminal line that could start with `::` or fake a verdict). */
export function oneLine(text: string): string {
  return clean(text).replace(/\n/g, ' ');
}

/**
 * A copy of `value` with every string in it on one clean line: text from the results, fit for a
 * terminal (or a log a CI runner parses for workflow commands).
 */
export function cleanStrings<T>(value: T): T {
  if (typeof value === 'string') return oneLine(value) as T;
  if (Array.isArray(value)) return value.map(cleanStrings) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, cleanStrings(v)])) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cleanStrings(v);
    return out as T;
  }
  return value;
}
