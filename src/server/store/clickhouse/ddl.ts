/**
 * The reference server's own DDL for the four tables the ingest writes, modelled on
 * docs/protocol/ingest.md §4.1 (docs/protocol/clickhouse.md): plain MergeTree, the same columns,
 * types, codecs and ORDER BY. On a server older than 20.1 (Debian's 18.16) it degrades:
 * `time` is UInt64 epoch milliseconds (DateTime has no milliseconds and DateTime64 does not
 * exist), LowCardinality(String) is String, and there are no codecs.
 */
import type { TableName } from '../rows.js';
import type { Dialect } from '../../../core/clickhouse/dialect.js';

interface Column {
  name: string;
  /** Type in the pluto schema. */
  type: 'LowString' | 'String' | 'UInt64' | 'UInt32' | 'Float64' | 'Time' | 'NullableString';
  codec?: 'zstd' | 'delta';
  default?: string;
}

const KEY: Column[] = [
  { name: 'tenantId', type: 'LowString', codec: 'zstd' },
  { name: 'projectName', type: 'String', codec: 'zstd' },
  { name: 'runId', type: 'UInt64' },
];

export const SCHEMA: Record<TableName, { columns: Column[]; orderBy: string[] }> = {
  mlop_metrics: {
    columns: [
      ...KEY,
      { name: 'logGroup', type: 'String', codec: 'zstd' },
      { name: 'logName', type: 'String', codec: 'zstd' },
      { name: 'time', type: 'Time', codec: 'delta' },
      { name: 'step', type: 'UInt64', codec: 'delta' },
      { name: 'value', type: 'Float64', codec: 'zstd' },
    ],
    orderBy: ['tenantId', 'projectName', 'runId', 'logGroup', 'logName', 'time', 'step'],
  },
  mlop_logs: {
    columns: [
      ...KEY,
      { name: 'logType', type: 'LowString', codec: 'zstd' },
      { name: 'time', type: 'Time', codec: 'delta' },
      { name: 'lineNumber', type: 'UInt64', codec: 'delta' },
      { name: 'message', type: 'String', codec: 'zstd' },
      { name: 'step', type: 'UInt64', codec: 'delta', default: '0' },
    ],
    orderBy: ['tenantId', 'projectName', 'runId', 'logType', 'time', 'lineNumber'],
  },
  mlop_data: {
    columns: [
      ...KEY,
      { name: 'logGroup', type: 'String', codec: 'zstd' },
      { name: 'logName', type: 'String', codec: 'zstd' },
      { name: 'dataType', type: 'LowString', codec: 'zstd' },
      { name: 'time', type: 'Time', codec: 'delta' },
      { name: 'step', type: 'UInt64', codec: 'delta' },
      { name: 'data', type: 'String', codec: 'zstd' },
    ],
    orderBy: ['tenantId', 'projectName', 'runId', 'logGroup', 'logName', 'time', 'step'],
  },
  mlop_files: {
    columns: [
      ...KEY,
      { name: 'time', type: 'Time', codec: 'delta' },
      { name: 'step', type: 'UInt64', codec: 'delta' },
      { name: 'logGroup', type: 'String', codec: 'zstd' },
      { name: 'logName', type: 'String', codec: 'zstd' },
      { name: 'fileName', type: 'String', codec: 'zstd' },
      { name: 'fileType', type: 'LowString', codec: 'zstd' },
      { name: 'fileSize', type: 'UInt64' },
      { name: 'caption', type: 'NullableString', codec: 'zstd' },
      { name: 'sampleIndex', type: 'UInt32', default: '0' },
      { name: 'annotations', type: 'NullableString', codec: 'zstd' },
    ],
    orderBy: ['tenantId', 'projectName', 'runId', 'logGroup', 'logName', 'time', 'step'],
  },
};

function columnType(c: Column, d: Dialect): string {
  switch (c.type) {
    case 'LowString':
      return d.modern ? 'LowCardinality(String)' : 'String';
    case 'NullableString':
      return 'Nullable(String)';
    case 'Time':
      return d.modern ? 'DateTime64(3)' : 'UInt64';
    default:
      return c.type;
  }
}

function codec(c: Column, d: Dialect): string {
  if (!d.modern || !c.codec) return '';
  return c.codec === 'zstd' ? ' CODEC(ZSTD(1))' : ' CODEC(DoubleDelta, LZ4)';
}

/** `CREATE TABLE IF NOT EXISTS <db>.<table> …` for the dialect (db is a checked identifier). */
export function createTableSql(table: TableName, database: string, d: Dialect): string {
  const s = SCHEMA[table];
  const cols = s.columns.map((c) => `  ${c.name} ${columnType(c, d)}${c.default !== undefined ? ` DEFAULT ${c.default}` : ''}${codec(c, d)}`);
  return `CREATE TABLE IF NOT EXISTS ${database}.${table}\n(\n${cols.join(',\n')}\n)\nENGINE = MergeTree\nORDER BY (${s.orderBy.join(', ')})`;
}

/** The expression that reads `time` back as epoch milliseconds. */
export function timeAsEpochMs(d: Dialect): string {
  return d.modern ? 'toUnixTimestamp64Milli(time)' : 'time';
}
