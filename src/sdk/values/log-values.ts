import { Data } from './data-types.js';
import { File } from './file-values.js';
import { dataLine } from './ndjson.js';
import { pyDumps } from './python-json.js';
import { KIND, QueuedFile, QueuedRecord } from '../sync/record-queue.js';
import { printable } from '../sync/wire-headers.js';

/** String-series values longer than this are skipped (pluto/op.py STRING_SERIES_MAX_LEN). */
export const STRING_SERIES_MAX_LEN = 200;

/** Names met for the first time, by logName/add type (docs/protocol/sdk.md §5.6). */
export type NewNames = Map<string, string[]>;

export function addNewName(newNames: NewNames, logType: string, name: string): void {
  const list = newNames.get(logType);
  if (list) list.push(name);
  else newNames.set(logType, [name]);
}

/** Key → name sent (non-printable-ASCII → '-', util.get_char). */
export function sanitizeKey(key: string): string {
  return printable(key);
}

/** Keys already warned about for an over-long string (once per key, as Python; bounded). */
const warnedLongString = new Set<string>();

function hasItem(v: unknown): v is { item(): unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { item?: unknown }).item === 'function';
}

/**
 * The logName/add type a key is registered under, from the first value logged for it
 * (`_register_meta_sync`): METRIC for numbers and objects with item(), DATA for strings, the
 * class name upper-cased for files and Data values, none for booleans, null and anything else
 * (whose key still counts as seen, so it is never registered later).
 */
export function logTypeOf(v: unknown): string | null {
  if (typeof v === 'number' || typeof v === 'bigint') return 'METRIC';
  if (typeof v === 'string') return 'DATA';
  if (v instanceof File) return v.logType;
  if (v instanceof Data) return v.dataType;
  if (hasItem(v)) return 'METRIC';
  return null;
}

/** What one log() call produced on the slow path. */
export interface ClassifiedCall {
  /** Keys of numeric values, as given, and the names sent for them. */
  rawKeys: string[];
  names: string[];
  values: number[];
  /** Every value was a plain number (the call can seed the hot path). */
  allNumeric: boolean;
  fresh: NewNames | null;
  data: QueuedRecord[];
  files: QueuedFile[];
}

/**
 * Classify every value of one call (`_log_via_sync`, `_process_log_item_sync`): a list is taken
 * item by item (its position is the files' sampleIndex; of numbers the last one wins); numbers
 * and item() → metric; strings ≤ 200 chars → string-series data; Data → data line; File → upload
 * (an Image's masks right after it); booleans, null and other objects are dropped. `known` maps
 * keys already seen in the run to the names sent for them and gains the new ones, listed in
 * `fresh` by type.
 */
export function classifyCall(
  data: Record<string, unknown>,
  known: Map<string, string>,
  step: number,
  time: number,
  loggedAt: number,
): ClassifiedCall {
  const out: ClassifiedCall = { rawKeys: [], names: [], values: [], allNumeric: true, fresh: null, data: [], files: [] };
  for (const key in data) {
    const v = data[key];
    let name = known.get(key);
    if (typeof v === 'number') {
      if (name === undefined) {
        name = sanitizeKey(key);
        known.set(key, name);
        addNewName((out.fresh ??= new Map()), 'METRIC', name);
      }
      out.rawKeys.push(key);
      out.names.push(name);
      out.values.push(v);
      continue;
    }
    out.allNumeric = false;
    const items: unknown[] = Array.isArray(v) ? v : [v];
    if (!items.length) continue;
    if (name === undefined) {
      name = sanitizeKey(key);
      known.set(key, name);
      const logType = logTypeOf(items[0]);
      if (logType !== null) addNewName((out.fresh ??= new Map()), logType, name);
    }
    let metric: number | undefined;
    for (let i = 0; i < items.length; i++) {
      const m = classifyItem(name, items[i], time, step, loggedAt, out, i);
      if (m !== undefined) metric = m;
    }
    if (metric !== undefined) {
      out.names.push(name);
      out.values.push(metric);
    }
  }
  return out;
}

/** One item of one key: a metric value, or queued data/files (returns undefined). */
function classifyItem(name: string, v: unknown, time: number, step: number, loggedAt: number, out: ClassifiedCall, sampleIndex: number): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean' || v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    if (v.length > STRING_SERIES_MAX_LEN) {
      if (!warnedLongString.has(name) && warnedLongString.size < 10_000) {
        warnedLongString.add(name);
        process.emitWarning(`String values over ${STRING_SERIES_MAX_LEN} characters are not logged (key "${name}").`);
      }
      return undefined;
    }
    out.data.push(new QueuedRecord(KIND.DATA, time, step, loggedAt, null, null, dataLine(time, v, 'string-series', name, step), 1));
    return undefined;
  }
  if (v instanceof File) {
    out.files.push(new QueuedFile(v, name, step, time, sampleIndex, loggedAt));
    for (const extra of v.annotationFiles) out.files.push(new QueuedFile(extra, name, step, time, sampleIndex, loggedAt));
    return undefined;
  }
  if (v instanceof Data) {
    out.data.push(new QueuedRecord(KIND.DATA, time, step, loggedAt, null, null, dataLine(time, pyDumps(v.toDict()), v.dataType, name, step), 1));
    return undefined;
  }
  if (hasItem(v)) {
    try {
      const x: unknown = v.item();
      if (typeof x === 'number') return x;
    } catch {
      // a multi-element array raises in Python; the item is dropped
    }
  }
  return undefined;
}
