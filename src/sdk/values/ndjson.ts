import { pyNumber, pyString } from './python-json.js';
import type { QueuedRecord } from '../sync/record-queue.js';

/** Encoded metric names, shared by every run in the process (bounded). */
const encodedNames = new Map<string, string>();
const MAX_CACHED_NAMES = 100_000;

function encodedName(name: string): string {
  let e = encodedNames.get(name);
  if (e === undefined) {
    e = pyString(name);
    if (encodedNames.size < MAX_CACHED_NAMES) encodedNames.set(name, e);
  }
  return e;
}

/** `{"time": T, "step": S, "data": {...}}`, keys in that order (docs/protocol/sdk.md §11.1, §15.3). */
export function metricLine(r: QueuedRecord): string {
  const names = r.names!;
  const values = r.values!;
  let data = '';
  for (let i = 0; i < names.length; i++) {
    if (i) data += ', ';
    data += encodedName(names[i]) + ': ' + pyNumber(values[i]);
  }
  return `{"time": ${r.time}, "step": ${r.step}, "data": {${data}}}`;
}

/** `{"time", "data": <string>, "dataType", "logName", "step"}` (§11.2). */
export function dataLine(time: number, data: string, dataType: string, logName: string, step: number): string {
  return `{"time": ${time}, "data": ${pyString(data)}, "dataType": ${pyString(dataType)}, "logName": ${encodedName(logName)}, "step": ${step}}`;
}

/** `{"time", "message", "lineNumber", "logType"}` (§11.3). */
export function consoleLine(time: number, message: string, lineNumber: number, logType: 'INFO' | 'ERROR'): string {
  return `{"time": ${time}, "message": ${pyString(message)}, "lineNumber": ${lineNumber}, "logType": "${logType}"}`;
}

/** NDJSON body: lines joined by \n with a trailing \n (§11). */
export function ndjson(lines: string[]): string {
  return lines.join('\n') + '\n';
}
