/**
 * The RowStore on a real ClickHouse. Batches come from the ingest pipeline (1,000-row channels,
 * the 5 s flusher, retries, DLQ: ../pipeline.ts); this adapter writes them the way the ingest
 * does (docs/protocol/ingest.md §3.1, docs/protocol/clickhouse.md): batches of ≤ 1,000 rows with
 * `async_insert=1, wait_for_async_insert=0`, larger ones and DLQ replays as plain inserts.
 * A failed insert throws, so the pipeline retries and then writes the DLQ.
 */
import type { InsertMode, RowStore, RunTableCounts, StoreHealth } from '../ports.js';
import { TABLES, type MetricRow, type Row, type TableName } from '../rows.js';
import { ClickHouseSession, type ClickHouseConnectionOptions } from '../../../core/clickhouse/session.js';
import { ROW_IDENTITY_COLUMNS } from '../../../core/clickhouse/tables.js';
import { createTableSql, timeAsEpochMs } from './ddl.js';

/** The ingest's async-insert cut-off (§3.1). */
export const ASYNC_INSERT_MAX_ROWS = 1000;

export class ClickHouseRowStore implements RowStore {
  readonly kind = 'clickhouse';
  readonly bodiesDropped = false;
  private readonly stored: Record<TableName, number> = { mlop_metrics: 0, mlop_logs: 0, mlop_data: 0, mlop_files: 0 };

  private constructor(readonly session: ClickHouseSession) {}

  /** Connects, creates the database (when not `default`) and the four tables. */
  static async open(opts: ClickHouseConnectionOptions): Promise<ClickHouseRowStore> {
    const session = await ClickHouseSession.open(opts, true);
    try {
      for (const t of TABLES) await session.command(createTableSql(t, session.database, session.dialect));
    } catch (err) {
      await session.close();
      throw err;
    }
    return new ClickHouseRowStore(session);
  }

  get displayUrl(): string {
    return this.session.displayUrl;
  }

  async insert(table: TableName, rows: readonly Row[], mode: InsertMode): Promise<void> {
    if (rows.length === 0) return;
    const values = table === 'mlop_metrics' ? rows.map(metricValues) : rows;
    const async = mode === 'flush' && rows.length <= ASYNC_INSERT_MAX_ROWS && this.session.dialect.asyncInsert;
    await this.session.insert(this.session.table(table), values, async ? { async_insert: 1, wait_for_async_insert: 0 } : {});
    this.stored[table] += rows.length;
  }

  async countRuns(project?: string): Promise<RunTableCounts[]> {
    const byRun = new Map<string, RunTableCounts>();
    const where = project === undefined ? '' : 'WHERE projectName = {project:String}';
    for (const t of TABLES) {
      const rows = await this.session.rows<{ tenantId: string; projectName: string; runId: string; rows: string; distinct: string }>(
        `SELECT tenantId, projectName, runId, count() AS rows, uniqExact(${ROW_IDENTITY_COLUMNS[t]}) AS distinct FROM ${this.session.table(t)} ${where} GROUP BY tenantId, projectName, runId`,
        project === undefined ? {} : { project },
      );
      for (const r of rows) {
        const key = `${r.tenantId}\u0000${r.projectName}\u0000${r.runId}`;
        let run = byRun.get(key);
        if (!run) {
          run = { tenantId: r.tenantId, projectName: r.projectName, runId: Number(r.runId), tables: {} };
          byRun.set(key, run);
        }
        run.tables[t] = { rows: Number(r.rows), distinct: Number(r.distinct) };
      }
    }
    return [...byRun.values()];
  }

  async readRows(runId: number, table: TableName, project?: string, tenantId?: string): Promise<Row[]> {
    const conds = ['runId = {runId:UInt64}'];
    if (project !== undefined) conds.push('projectName = {project:String}');
    if (tenantId !== undefined) conds.push('tenantId = {tenantId:String}');
    const rows = await this.session.rows<Record<string, unknown>>(
      `SELECT *, ${timeAsEpochMs(this.session.dialect)} AS timeMs FROM ${this.session.table(table)} WHERE ${conds.join(' AND ')}`,
      { runId, project, tenantId },
    );
    return rows.map((r) => fromClickHouse(table, r));
  }

  async maxMetricStep(tenantId: string, projectName: string, runId: number): Promise<number> {
    const [r] = await this.session.rows<{ step: string | number | null }>(
      `SELECT max(step) AS step FROM ${this.session.table('mlop_metrics')} WHERE tenantId = {tenantId:String} AND projectName = {projectName:String} AND runId = {runId:UInt64}`,
      { tenantId, projectName, runId },
    );
    return Number(r?.step ?? 0);
  }

  /** `SELECT 1` with the server's credentials, timed (the ingest's readiness check, §3.5). */
  async health(): Promise<StoreHealth> {
    const t0 = performance.now();
    try {
      await this.session.rows('SELECT 1 AS ok');
      return { up: true, latencyMs: Math.round(performance.now() - t0) };
    } catch (err) {
      return { up: false, latencyMs: Math.round(performance.now() - t0), error: err instanceof Error ? err.message : String(err) };
    }
  }

  rowsStored(): Record<TableName, number> {
    return { ...this.stored };
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** Float64 in JSONEachRow: NaN and ±Infinity as ClickHouse's own spellings (JSON has none). */
function metricValues(row: Row): object {
  const r = row as MetricRow;
  if (Number.isFinite(r.value)) return r;
  const value = Number.isNaN(r.value) ? 'nan' : r.value > 0 ? 'inf' : '-inf';
  return { ...r, value };
}

const UINT_COLUMNS = new Set(['runId', 'step', 'lineNumber', 'fileSize', 'sampleIndex']);

/** A row as read back: UInt64 columns (quoted in JSON) as numbers, time as epoch ms. */
function fromClickHouse(table: TableName, r: Record<string, unknown>): Row {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'timeMs') continue;
    if (k === 'time') out.time = Number(r.timeMs);
    else if (UINT_COLUMNS.has(k)) out[k] = Number(v);
    else if (k === 'value' && table === 'mlop_metrics') out.value = typeof v === 'string' ? Number(v.replace(/^(-?)inf$/, '$1Infinity').replace('nan', 'NaN')) : v;
    else out[k] = v;
  }
  return out as unknown as Row;
}
