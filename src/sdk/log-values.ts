import { DataValue } from './data-types.js';
import { File } from './file-values.js';
import { dataLine } from './ndjson.js';
import { pyDumps } from './python-json.js';
import { KIND, QueuedFile, QueuedRecord } from './record-queue.js';
import { printable } from './wire-headers.js';

/** String-series values longer than this are skipped (§5.3, STRING_SERIES_MAX_LEN). */
export const STRING_SERIES_MAX_LEN = 200;

/** What one log() call produced, besides its metric record (built by the caller's hot path). */
export interface SlowItems {
  data: QueuedRecord[];
  files: QueuedFile[];
}

/** Names met for the first time, by logName/add type (§5.5). */
export type NewNames = Map<string, string[]>;

export function addNewName(newNames: NewNames, logType: string, name: string): void {
  const list = newNames.get(logType);
  if (list) list.push(name);
  else newNames.set(logType, [name]);
}

/** Key → name sent (non-printable-ASCII → '-', util.get_char, §5.3). */
export function sanitizeKey(key: string): string {
  return printable(key);
}

let warnedLongString = false;

/**
 * Classify one non-number value (v2 rules, §5.3): strings ≤ 200 chars → string-series data;
 * Histogram/Table → data; File/Image → upload; objects with item() → metric; arrays element by
 * element; booleans, null and other objects are ignored. Returns a metric value or undefined.
 */
export function classifyOther(
  name: string,
  value: unknown,
  time: number,
  step: number,
  loggedAt: number,
  out: SlowItems,
  typeOf: (logType: string) => void,
  sampleIndex = 0,
): number | undefined {
  if (typeof value === 'string') {
    if (value.length > STRING_SERIES_MAX_LEN) {
      if (!warnedLongString) {
        warnedLongString = true;
        process.emitWarning(`String values over ${STRING_SERIES_MAX_LEN} characters are not logged (key "${name}").`);
      }
      return undefined;
    }
    typeOf('DATA');
    out.data.push(new QueuedRecord(KIND.DATA, time, step, loggedAt, null, null, dataLine(time, value, 'string-series', name, step), 1));
    return undefined;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value === null || typeof value !== 'object') return undefined;
  if (value instanceof DataValue) {
    typeOf(value.dataType);
    out.data.push(new QueuedRecord(KIND.DATA, time, step, loggedAt, null, null, dataLine(time, pyDumps(value.toDict()), value.dataType, name, step), 1));
    return undefined;
  }
  if (value instanceof File) {
    typeOf(value.logType);
    out.files.push(new QueuedFile(value, name, step, time, sampleIndex, loggedAt));
    return undefined;
  }
  if (Array.isArray(value)) {
    let metric: number | undefined;
    value.forEach((v, i) => {
      const m = typeof v === 'number' ? v : typeof v === 'boolean' ? undefined : classifyOther(name, v, time, step, loggedAt, out, typeOf, i);
      if (m !== undefined) metric = m; // a list of numbers: the last one wins
    });
    return metric;
  }
  const item = (value as { item?: unknown }).item;
  if (typeof item === 'function') {
    try {
      const v: unknown = item.call(value);
      if (typeof v === 'number') return v;
    } catch {
      // multi-element arrays raise in Python; the item is dropped
    }
  }
  return undefined;
}

/** What one log() call produced on the slow path. */
export interface ClassifiedCall extends SlowItems {
  /** Keys of numeric values, as given, and the names sent for them. */
  rawKeys: string[];
  names: string[];
  values: number[];
  /** Every value was a plain number (the call can seed the hot path). */
  allNumeric: boolean;
  fresh: NewNames | null;
}

/**
 * Classify every value of one call; `known` maps keys already registered in the run to the
 * names sent for them, and gains the keys met for the first time (listed in `fresh` by type).
 */
export function classifyCall(
  data: Record<string, unknown>,
  known: Map<string, string>,
  step: number,
  time: number,
  loggedAt: number,
): ClassifiedCall {
  const out: ClassifiedCall = { rawKeys: [], names: [], values: [], allNumeric: true, fresh: null, data: [], files: [] };
  const fresh = (): NewNames => (out.fresh ??= new Map());
  for (const key in data) {
    const v = data[key];
    let name = known.get(key);
    if (typeof v === 'number') {
      if (name === undefined) {
        name = sanitizeKey(key);
        known.set(key, name);
        addNewName(fresh(), 'METRIC', name);
      }
      out.rawKeys.push(key);
      out.names.push(name);
      out.values.push(v);
      continue;
    }
    out.allNumeric = false;
    if (typeof v === 'boolean' || v === null || v === undefined) continue; // §5.3: dropped
    const n = name ?? sanitizeKey(key);
    const m = classifyOther(n, v, time, step, loggedAt, out, (logType) => {
      if (!known.has(key)) {
        known.set(key, n);
        addNewName(fresh(), logType, n);
      }
    });
    if (m !== undefined) {
      if (!known.has(key)) {
        known.set(key, n);
        addNewName(fresh(), 'METRIC', n);
      }
      out.names.push(n);
      out.values.push(m);
    }
  }
  return out;
}
