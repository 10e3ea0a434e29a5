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
