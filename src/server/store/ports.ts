/**
 * The storage port: what the routes, the pipeline and the control routes need from the place
 * flushed rows end up (ClickHouse in the real stack, docs/protocol/ingest.md §4.1). Two adapters:
 * memory/ (the default) and clickhouse/ (a real ClickHouse through @clickhouse/client).
 */
import type { Row, TableName } from './rows.js';

export interface TableCount {
  /** Rows stored. */
  rows: number;
  /** Distinct row identities (see rowIdentityHash); rows − distinct = duplicates. */
  distinct: number;
}

export interface RunTableCounts {
  tenantId: string;
  projectName: string;
  runId: number;
  tables: Partial<Record<TableName, TableCount>>;
}

/** How a batch is written: by the flusher (async inserts for small batches) or by DLQ replay (plain inserts). */
export type InsertMode = 'flush' | 'replay';

export interface StoreHealth {
  up: boolean;
  latencyMs: number;
  /** One sentence when down. */
  error?: string;
}

export interface RowStore {
  readonly kind: 'memory' | 'clickhouse';
  /** Stores one batch; throws when it could not (the pipeline retries, then writes the DLQ). */
  insert(table: TableName, rows: readonly Row[], mode: InsertMode): Promise<void>;
  /** Rows and distinct identities per (tenant, project, run, table), of one project or all. */
  countRuns(project?: string): Promise<RunTableCounts[]>;
  /** Stored rows of a run (all tenants unless given). */
  readRows(runId: number, table: TableName, project?: string, tenantId?: string): Promise<Row[]>;
  /** `select max(step) from mlop_metrics where tenant, project, run` (§1.5); 0 when none. */
  maxMetricStep(tenantId: string, projectName: string, runId: number): Promise<number>;
  /** `/health/ready`'s ClickHouse check (§3.5). */
  health(): Promise<StoreHealth>;
  /** Rows this process stored (or, for async inserts, handed over) per table. */
  rowsStored(): Record<TableName, number>;
  /** True once rows were counted without their bodies (memory row cap). */
  readonly bodiesDropped: boolean;
  close(): Promise<void>;
}
