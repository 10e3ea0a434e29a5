/**
 * The in-memory stand-in for ClickHouse (the default RowStore): rows per (tenant, project, run,
 * table). Bounded by a row cap: beyond it, rows are still counted exactly (and their identities
 * hashed, so duplicates stay countable) but their bodies are dropped. The synchronous readers
 * (runCounts, rows, maxMetricStepNow) serve the reference server's synchronous library API.
 */
import type { InsertMode, RowStore, RunTableCounts, StoreHealth } from '../ports.js';
import { TABLES, rowIdentityHash, type MetricRow, type Row, type TableName } from '../rows.js';

interface TableStore {
  rows: Row[];
  count: number;
  identities: Set<number>;
  /** Stored bodies are hashed lazily, when counts are asked for (keeps the flush cheap). */
  hashedUpTo: number;
}

interface RunStore {
  tenantId: string;
  projectName: string;
  runId: number;
  tables: Partial<Record<TableName, TableStore>>;
  maxMetricStep: number;
}

export class MemoryRowStore implements RowStore {
  readonly kind = 'memory';
  private readonly runs = new Map<string, RunStore>();
  private readonly totals: Record<TableName, number> = { mlop_metrics: 0, mlop_logs: 0, mlop_data: 0, mlop_files: 0 };
  private bodies = 0;
  bodiesDropped = false;

  constructor(private readonly rowCap: number) {}

  insert(table: TableName, rows: readonly Row[], _mode?: InsertMode): Promise<void> {
    this.insertNow(table, rows);
    return Promise.resolve();
  }

  insertNow(table: TableName, rows: readonly Row[]): void {
    let run: RunStore | undefined;
    let lastKey = '';
    for (const row of rows) {
      const key = `${row.tenantId}\u0000${row.projectName}\u0000${row.runId}`;
      if (key !== lastKey || !run) {
        lastKey = key;
        run = this.runs.get(key);
        if (!run) {
          run = { tenantId: row.tenantId, projectName: row.projectName, runId: row.runId, tables: {}, maxMetricStep: -1 };
          this.runs.set(key, run);
        }
      }
      let store = run.tables[table];
      if (!store) {
        store = { rows: [], count: 0, identities: new Set(), hashedUpTo: 0 };
        run.tables[table] = store;
      }
      store.count++;
      if (this.bodies < this.rowCap) {
        store.rows.push(row);
        this.bodies++;
      } else {
        // No body kept: its identity must be hashed now.
        store.identities.add(rowIdentityHash(table, row));
        this.bodiesDropped = true;
      }
      if (table === 'mlop_metrics') {
        const step = (row as MetricRow).step;
        if (step > run.maxMetricStep) run.maxMetricStep = step;
      }
    }
    this.totals[table] += rows.length;
  }

  rowsStored(): Record<TableName, number> {
    return { ...this.totals };
  }

  runCounts(project?: string): RunTableCounts[] {
    const out: RunTableCounts[] = [];
    for (const run of this.runs.values()) {
      if (project !== undefined && run.projectName !== project) continue;
      const tables: RunTableCounts['tables'] = {};
      for (const t of TABLES) {
        const s = run.tables[t];
        if (!s) continue;
        for (; s.hashedUpTo < s.rows.length; s.hashedUpTo++) s.identities.add(rowIdentityHash(t, s.rows[s.hashedUpTo]));
        tables[t] = { rows: s.count, distinct: s.identities.size };
      }
      out.push({ tenantId: run.tenantId, projectName: run.projectName, runId: run.runId, tables });
    }
    return out;
  }

  /** Stored row bodies of a run (all tenants unless given), in insertion order. */
  rows(runId: number, table: TableName, project?: string, tenantId?: string): Row[] {
    const out: Row[] = [];
    for (const run of this.runs.values()) {
      if (run.runId !== runId) continue;
      if (project !== undefined && run.projectName !== project) continue;
      if (tenantId !== undefined && run.tenantId !== tenantId) continue;
      const s = run.tables[table];
      if (s) for (const r of s.rows) out.push(r);
    }
    return out;
  }

  countRuns(project?: string): Promise<RunTableCounts[]> {
    return Promise.resolve(this.runCounts(project));
  }

  readRows(runId: number, table: TableName, project?: string, tenantId?: string): Promise<Row[]> {
    return Promise.resolve(this.rows(runId, table, project, tenantId));
  }

  maxMetricStep(tenantId: string, projectName: string, runId: number): Promise<number> {
    return Promise.resolve(this.maxMetricStepNow(tenantId, projectName, runId));
  }

  health(): Promise<StoreHealth> {
    return Promise.resolve({ up: true, latencyMs: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** `select max(step) from mlop_metrics where tenant, project, run` (docs/protocol/ingest.md §1.5). */
  maxMetricStepNow(tenantId: string, projectName: string, runId: number): number {
    const run = this.runs.get(`${tenantId}\u0000${projectName}\u0000${runId}`);
    return run && run.maxMetricStep >= 0 ? run.maxMetricStep : 0;
  }
}
