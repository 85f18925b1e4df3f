// Bounds client-supplied values before they reach the audit log or the logs (SPEC §14: 1 KiB each, marked when cut).

/** SPEC §14: every client value written to the logs or the audit log holds at most this many bytes (UTF-8). */
export const MAX_VALUE_BYTES = 1024;
/** Appended to a value that was cut. */
export const TRUNCATION_MARKER = '…(truncated)';
/** Items of one array, or entries of one object, kept; the rest are summarised by one marker. */
export const MAX_ENTRIES = 100;
const MAX_DEPTH = 20;

/**
 * `text` when it holds at most `maxBytes` UTF-8 bytes; otherwise its longest prefix within `maxBytes`
 * (never splitting a character) followed by {@link TRUNCATION_MARKER}.
 */
export function boundText(text: string, maxBytes: number = MAX_VALUE_BYTES): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no byte count.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1; // back to the start of a character
  return `${bytes.subarray(0, end).toString('utf8')}${TRUNCATION_MARKER}`;
}

/**
 * A copy of `value` (JSON-like) in which every string and every key is bounded by {@link boundText},
 * arrays and objects keep their first {@link MAX_ENTRIES} entries (a marker tells how many were left
 * out), and nesting deeper than 20 levels is replaced by the marker.
 */
export function boundValue(value: unknown, maxBytes: number = MAX_VALUE_BYTES, depth = 0): unknown {
  if (typeof value === 'string') return boundText(value, maxBytes);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return TRUNCATION_MARKER;
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_ENTRIES).map((item) => boundValue(item, maxBytes, depth + 1));
    if (value.length > MAX_ENTRIES) kept.push(`${TRUNCATION_MARKER} ${value.length - MAX_ENTRIES} more items`);
    return kept;
  }
  if (value instanceof Error || Buffer.isBuffer(value)) return value;
  const entries = Object.entries(value);
  const bounded = Object.fromEntries(entries.slice(0, MAX_ENTRIES).map(([key, inner]) => [boundText(key, maxBytes), boundValue(inner, maxBytes, depth + 1)]));
  if (entries.length > MAX_ENTRIES) bounded[TRUNCATION_MARKER] = `${entries.length - MAX_ENTRIES} more entries`;
  return bounded;
}
