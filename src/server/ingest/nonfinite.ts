/**
 * `sanitize_json_non_finite_floats` (docs/protocol/ingest.md §1.3 step 4): quote bare `NaN`,
 * `Infinity` and `-Infinity` tokens outside strings so a failed line can be parsed again.
 */

const TOKENS = ['-Infinity', 'Infinity', 'NaN'];

export function mayHoldNonFinite(text: string): boolean {
  return text.includes('NaN') || text.includes('Infinity');
}

export function quoteNonFinite(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if (c !== 45 /* - */ && c !== 73 /* I */ && c !== 78 /* N */) continue;
    for (const token of TOKENS) {
      if (text.startsWith(token, i) && !isWordChar(text.charCodeAt(i + token.length)) && !isWordChar(text.charCodeAt(i - 1))) {
        out += `${text.slice(last, i)}"${token}"`;
        i += token.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

function isWordChar(c: number): boolean {
  // NaN for out-of-range indexes: not a word character.
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46;
}
