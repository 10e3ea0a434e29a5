/**
 * The ClickHouse tables the ingest writes (docs/protocol/ingest.md §4.1, docs/protocol/clickhouse.md)
 * and what makes a row the same row: said once for the reference server's store and the run's
 * storage audit.
 */

export type TableName = 'mlop_metrics' | 'mlop_logs' | 'mlop_data' | 'mlop_files';
export const TABLES: readonly TableName[] = ['mlop_metrics', 'mlop_logs', 'mlop_data', 'mlop_files'];

/**
 * A row's identity for duplicate counting (as the memory store hashes it, src/server/store/rows.ts):
 * metrics and data logName|step|time, logs logType|lineNumber|time, files logName|fileName|step.
 */
export const ROW_IDENTITY_COLUMNS: Record<TableName, string> = {
  mlop_metrics: 'logName, step, time',
  mlop_data: 'logName, step, time',
  mlop_logs: 'logType, lineNumber, time',
  mlop_files: 'logName, fileName, step',
};
