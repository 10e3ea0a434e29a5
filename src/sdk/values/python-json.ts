/**
 * JSON encoding as Python's `json.dumps` defaults write it (docs/protocol/sdk.md §4): `", "` and `": "`
 * separators, non-ASCII escaped as \uXXXX, NaN/Infinity as bare tokens (docs/protocol/sdk.md
 * §15.3 "Values on the wire"). Byte sizes on the wire therefore match the real SDK closely.
 */

const NON_ASCII = /[\u0080-\uffff]/g;
const HAS_NON_ASCII = /[\u0080-\uffff]/;

function escapeChar(c: string): string {
  return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
}

/** A string literal with Python's ensure_ascii escaping. */
export function pyString(s: string): string {
  const json = JSON.stringify(s);
  return HAS_NON_ASCII.test(json) ? json.replace(NON_ASCII, escapeChar) : json;
}

/** A number as Python writes it, NaN and ±Infinity as bare tokens (never `null`). */
export function pyNumber(n: number): string {
  if (Number.isFinite(n)) return String(n);
  if (n !== n) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

/** Encode a JSON-like value. Functions and undefined inside objects are skipped, as JSON does. */
export function pyDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number':
      return pyNumber(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return pyString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return '[' + value.map((v) => pyDumps(v)).join(', ') + ']';
      const toJSON = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof toJSON === 'function') return pyDumps(toJSON.call(value));
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        parts.push(pyString(k) + ': ' + pyDumps(v));
      }
      return '{' + parts.join(', ') + '}';
    }
    default:
      return pyString(String(value));
  }
}
