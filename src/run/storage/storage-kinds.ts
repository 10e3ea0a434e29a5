/**
 * The four kinds of stored rows and their ClickHouse tables (docs/protocol/ingest.md §4.1,
 * docs/protocol/clickhouse.md), and which table each SDK record kind lands in.
 */
import type { TableName } from '../../core/clickhouse/tables.js';
import type { StorageKind } from '../../metrics/result.js';

export const TABLES_BY_KIND: Record<StorageKind, TableName> = {
  metrics: 'mlop_metrics',
  logs: 'mlop_logs',
  data: 'mlop_data',
  files: 'mlop_files',
};

/** The SDK observer's record kinds (@mlop/sdk-ts RecordSettled.kind) → table. */
export const TABLE_OF_RECORD_KIND: Record<'metric' | 'system' | 'data' | 'console' | 'file', TableName> = {
  metric: 'mlop_metrics',
  system: 'mlop_metrics',
  data: 'mlop_data',
  console: 'mlop_logs',
  file: 'mlop_files',
};
