/** Row shapes of the ClickHouse tables the ingest writes (docs/protocol/ingest.md §4.1). */

import type { TableName } from '../../core/clickhouse/tables.js';

export { TABLES, type TableName } from '../../core/clickhouse/tables.js';

interface RowKey {
  tenantId: string;
  projectName: string;
  runId: number;
}

/** `time` is epoch milliseconds, as the ingest writes it into DateTime64(3). */
export interface MetricRow extends RowKey {
  logGroup: string;
  logName: string;
  time: number;
  step: number;
  value: number;
}

export interface LogRow extends RowKey {
  logType: string;
  time: number;
  lineNumber: number;
  message: string;
  /** Never written by the ingest: the column default 0. */
  step: number;
}

export interface DataRow extends RowKey {
  logGroup: string;
  logName: string;
  dataType: string;
  time: number;
  step: number;
  data: string;
}

export interface FileRow extends RowKey {
  time: number;
  step: number;
  logGroup: string;
  logName: string;
  fileName: string;
  fileType: string;
  fileSize: number;
  caption: string | null;
  sampleIndex: number;
  annotations: string | null;
}

export type Row = MetricRow | LogRow | DataRow | FileRow;

export interface RowByTable {
  mlop_metrics: MetricRow;
  mlop_logs: LogRow;
  mlop_data: DataRow;
  mlop_files: FileRow;
}

const groupCache = new Map<string, string>();

/**
 * `logGroup` = the part of the name before its last '/', '' without one (`log_group_from_log_name`).
 * Cached (bounded), so millions of stored rows share one string per group.
 */
export function logGroupOf(logName: string): string {
  let group = groupCache.get(logName);
  if (group === undefined) {
    const slash = logName.lastIndexOf('/');
    group = slash < 0 ? '' : logName.slice(0, slash);
    if (groupCache.size >= 10_000) groupCache.clear();
    groupCache.set(logName, group);
  }
  return group;
}

/**
 * A 53-bit hash of a row's identity for duplicate detection: metrics and data
 * logName|step|time, logs logType|lineNumber|time, files logName|fileName|step.
 */
export function rowIdentityHash(table: TableName, row: Row): number {
  switch (table) {
    case 'mlop_metrics':
    case 'mlop_data': {
      const r = row as MetricRow | DataRow;
      return hash53(r.logName, r.step, r.time);
    }
    case 'mlop_logs': {
      const r = row as LogRow;
      return hash53(r.logType, r.lineNumber, r.time);
    }
    default: {
      const r = row as FileRow;
      return hash53(`${r.logName}\u0000${r.fileName}`, r.step, 0);
    }
  }
}

/** cyrb53 over a string and two numbers (each fed as two 32-bit halves). */
export function hash53(s: string, a: number, b: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  const w0 = a >>> 0;
  const w1 = Math.floor(a / 4294967296) >>> 0;
  const w2 = b >>> 0;
  const w3 = Math.floor(b / 4294967296) >>> 0;
  h1 = Math.imul(Math.imul(Math.imul(Math.imul(h1 ^ w0, 2654435761) ^ w1, 2654435761) ^ w2, 2654435761) ^ w3, 2654435761);
  h2 = Math.imul(Math.imul(Math.imul(Math.imul(h2 ^ w0, 1597334677) ^ w1, 1597334677) ^ w2, 1597334677) ^ w3, 1597334677);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
