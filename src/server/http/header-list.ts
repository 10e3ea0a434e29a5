/**
 * A request's header fields as two parallel arrays (names lower-cased). Cheaper than an object
 * keyed by arbitrary names on the hot path; repeated fields are joined with ', ' on lookup.
 */
export class HeaderList {
  readonly names: string[] = [];
  readonly values: string[] = [];

  add(name: string, value: string): void {
    this.names.push(name);
    this.values.push(value);
  }

  get(name: string): string | undefined {
    let out: string | undefined;
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === name) out = out === undefined ? this.values[i] : `${out}, ${this.values[i]}`;
    }
    return out;
  }

  get size(): number {
    return this.names.length;
  }
}

/** `HeaderValue::to_str` succeeds: tab or visible ASCII only. */
export function isVisibleAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 9) || c > 0x7e) return false;
  }
  return true;
}
