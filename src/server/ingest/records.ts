/**
 * One NDJSON line → rows, by the ingest's rules (docs/protocol/ingest.md §1.3): serde structs with
 * `deny_unknown_fields`, u64 `time`/`step`, the current NaN/Infinity/null rules for metric
 * values, then `validate()`. Written from the spec, independently of any encoder.
 */
import { IngestError, type IngestKind } from '../errors.js';
import { logGroupOf, type DataRow, type LogRow, type MetricRow } from '../store/rows.js';
import { mayHoldNonFinite, quoteNonFinite } from './nonfinite.js';

export interface RowContext {
  tenantId: string;
  projectName: string;
  runId: number;
}

const FIELDS: Record<IngestKind, readonly string[]> = {
  metrics: ['time', 'step', 'data'],
  logs: ['time', 'message', 'lineNumber', 'logType'],
  data: ['time', 'data', 'dataType', 'logName', 'step'],
};

const STRUCT: Record<IngestKind, string> = { metrics: 'MetricInput', logs: 'LogInput', data: 'DataInput' };

/** serde-style description of a JSON value, for "invalid type: <x>, expected <y>". */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `boolean \`${v}\``;
  if (typeof v === 'number') return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  if (Array.isArray(v)) return 'sequence';
  return 'map';
}

class DecodeFailure extends Error {}

function u64(obj: Record<string, unknown>, field: string): number {
  const v = obj[field];
  if (v === undefined) throw new DecodeFailure(`missing field \`${field}\``);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new DecodeFailure(`invalid type: ${describe(v)}, expected u64`);
  if (v < 0) throw new DecodeFailure(`invalid value: integer \`${v}\`, expected u64`);
  return v;
}

function str(obj: Record<string, unknown>, field: string): string {
  const v = obj[field];
  if (v === undefined) throw new DecodeFailure(`missing field \`${field}\``);
  if (typeof v !== 'string') throw new DecodeFailure(`invalid type: ${describe(v)}, expected a string`);
  return v;
}

function metricValue(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === null) return null; // skipped (current ingest)
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new DecodeFailure(`invalid type: ${describe(v)}, expected f64`);
}

function decode(kind: IngestKind, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (!mayHoldNonFinite(text)) throw new DecodeFailure(jsonErrorText(err));
    try {
      value = JSON.parse(quoteNonFinite(text));
    } catch {
      throw new DecodeFailure(jsonErrorText(err));
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DecodeFailure(`invalid type: ${describe(value)}, expected struct ${STRUCT[kind]}`);
  }
  const obj = value as Record<string, unknown>;
  const allowed = FIELDS[kind];
  for (const key in obj) {
    if (!allowed.includes(key)) {
      throw new DecodeFailure(`unknown field \`${key}\`, expected one of ${allowed.map((f) => `\`${f}\``).join(', ')}`);
    }
  }
  return obj;
}

function jsonErrorText(err: unknown): string {
  return err instanceof Error ? err.message : 'syntax error';
}

/** The rows of one line; throws IngestError on the first problem. */
export function parseLine(kind: IngestKind, line: string, final: boolean, ctx: RowContext): MetricRow[] | LogRow[] | DataRow[] {
  try {
    const obj = decode(kind, line);
    if (kind === 'metrics') return metricRows(obj, ctx);
    if (kind === 'logs') return [logRow(obj, ctx)];
    return [dataRow(obj, ctx)];
  } catch (err) {
    if (err instanceof DecodeFailure) throw decodeError(line, final, err.message);
    throw err;
  }
}

/** STREAM_DECODING_ERROR: `Failed to parse [final ]JSON line (bytes): '<first 100 chars>': <error>` (§1.3). */
export function decodeError(line: string, final: boolean, detail: string): IngestError {
  const head = line.length > 100 ? line.slice(0, 100) : line;
  return new IngestError('STREAM_DECODING_ERROR', `Failed to parse ${final ? 'final ' : ''}JSON line (bytes): '${head}': ${detail}`);
}

function metricRows(obj: Record<string, unknown>, ctx: RowContext): MetricRow[] {
  const time = u64(obj, 'time');
  const step = u64(obj, 'step');
  const data = obj.data;
  if (data === undefined) throw new DecodeFailure('missing field `data`');
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DecodeFailure(`invalid type: ${describe(data)}, expected a map`);
  }
  const rows: MetricRow[] = [];
  const map = data as Record<string, unknown>;
  for (const name in map) {
    const value = metricValue(map[name]);
    if (value === null) continue;
    rows.push({ tenantId: ctx.tenantId, projectName: ctx.projectName, runId: ctx.runId, logGroup: logGroupOf(name), logName: name, time, step, value });
  }
  // validate() (§1.3): non-empty after nulls are dropped, no blank metric name.
  if (rows.length === 0) throw new IngestError('INVALID_METRIC_FORMAT', "'data' field cannot be empty");
  for (const r of rows) {
    if (r.logName.trim().length === 0) throw new IngestError('INVALID_METRIC_FORMAT', 'metric name cannot be empty');
  }
  return rows;
}

function logRow(obj: Record<string, unknown>, ctx: RowContext): LogRow {
  const time = u64(obj, 'time');
  const message = str(obj, 'message');
  const lineNumber = u64(obj, 'lineNumber');
  const logType = str(obj, 'logType');
  if (logType.trim().length === 0) throw new IngestError('INVALID_LOG_FORMAT', "'logType' field cannot be empty");
  return { tenantId: ctx.tenantId, projectName: ctx.projectName, runId: ctx.runId, logType, time, lineNumber, message, step: 0 };
}

function dataRow(obj: Record<string, unknown>, ctx: RowContext): DataRow {
  const time = u64(obj, 'time');
  const data = str(obj, 'data');
  const dataType = str(obj, 'dataType');
  const logName = str(obj, 'logName');
  const step = u64(obj, 'step');
  if (dataType.trim().length === 0) throw new IngestError('INVALID_LOG_FORMAT', "'dataType' field cannot be empty");
  if (logName.trim().length === 0) throw new IngestError('INVALID_LOG_FORMAT', "'logName' field cannot be empty");
  return { tenantId: ctx.tenantId, projectName: ctx.projectName, runId: ctx.runId, logGroup: logGroupOf(logName), logName, dataType, time, step, data };
}
