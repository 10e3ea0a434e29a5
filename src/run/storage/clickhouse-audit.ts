/**
 * The storage audit against a real ClickHouse: after the run, wait until the flush window has
 * passed (counts stop changing, bounded by a timeout), then count each run's rows in
 * `mlop_metrics`, `mlop_logs`, `mlop_data` and `mlop_files` (docs/protocol/ingest.md §4.1,
 * docs/protocol/clickhouse.md) and compare with the rows the SDK saw acknowledged. Stored =
 * distinct row identities, lost = acked − stored (never below 0), duplicated = rows − distinct.
 * Lost rows fail the run. Works against any ingest writing the pluto schema: the real stack or
 * the reference server with `--clickhouse-url`.
 */
import type { KindCounts, RunStorageAudit, StorageAudit, StorageKind } from '../../metrics/result.js';
import { TABLES_BY_KIND } from './storage-kinds.js';
import type { ClickHouseSession } from '../../core/clickhouse/session.js';
import { ROW_IDENTITY_COLUMNS, type TableName } from '../../core/clickhouse/tables.js';

/** Rows acknowledged to the SDK for one run, per table. */
export interface AckedRun {
  runId: number;
  runName?: string;
  rows: Partial<Record<TableName, number>>;
}

export interface StorageAuditOptions {
  project: string;
  /** Longest wait for the flush window (default 30 s). */
  settleTimeoutMs?: number;
  /** Counts unchanged this long count as settled (default 6 s: the ingest's 5 s flusher plus a tick). */
  quietMs?: number;
  /** Between polls (default 500 ms). */
  pollMs?: number;
  signal?: AbortSignal;
}

interface RawCount {
  rows: number;
  distinct: number;
}

/** One poll: rows and distinct identities per (table, run) of the audited runs. */
export async function countStoredRows(session: ClickHouseSession, project: string, runIds: number[]): Promise<Map<string, RawCount>> {
  const out = new Map<string, RawCount>();
  if (runIds.length === 0) return out;
  for (const kind of Object.keys(TABLES_BY_KIND) as StorageKind[]) {
    const table = TABLES_BY_KIND[kind];
    const rows = await session.rows<{ runId: string | number; rows: string | number; distinct: string | number }>(
      `SELECT runId, count() AS rows, uniqExact(${ROW_IDENTITY_COLUMNS[table]}) AS distinct FROM ${session.table(table)}` +
        ' WHERE projectName = {project:String} AND has({runs:Array(UInt64)}, runId) GROUP BY runId',
      { project, runs: runIds },
    );
    for (const r of rows) out.set(`${table}:${Number(r.runId)}`, { rows: Number(r.rows), distinct: Number(r.distinct) });
  }
  return out;
}

function sameCounts(a: Map<string, RawCount>, b: Map<string, RawCount>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.rows !== v.rows || w.distinct !== v.distinct) return false;
  }
  return true;
}

function complete(acked: readonly AckedRun[], counts: Map<string, RawCount>): boolean {
  for (const run of acked) {
    for (const [table, n] of Object.entries(run.rows) as Array<[TableName, number]>) {
      if ((counts.get(`${table}:${run.runId}`)?.distinct ?? 0) < n) return false;
    }
  }
  return true;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Waits for the flush window, then judges. Settled when every acked row is there and the
 * counts did not move since the previous poll, or when nothing moved for `quietMs`.
 */
export async function auditClickHouseStorage(session: ClickHouseSession, acked: readonly AckedRun[], opts: StorageAuditOptions): Promise<StorageAudit> {
  const timeout = opts.settleTimeoutMs ?? 30_000;
  const quiet = opts.quietMs ?? 6_000;
  const pollMs = opts.pollMs ?? 500;
  const runIds = [...new Set(acked.map((r) => r.runId))];
  const t0 = performance.now();
  let polls = 0;
  let counts = await countStoredRows(session, opts.project, runIds);
  polls++;
  let lastChange = performance.now();
  let settled = false;
  for (;;) {
    if (opts.signal?.aborted) break;
    if (performance.now() - t0 >= timeout) break;
    await sleep(pollMs, opts.signal);
    const next = await countStoredRows(session, opts.project, runIds);
    polls++;
    const unchanged = sameCounts(counts, next);
    counts = next;
    if (!unchanged) lastChange = performance.now();
    if (unchanged && complete(acked, counts)) {
      settled = true;
      break;
    }
    if (performance.now() - lastChange >= quiet) {
      settled = true;
      break;
    }
  }
  return judge(session, acked, counts, { settled, waitedMs: Math.round(performance.now() - t0), polls });
}

function emptyKinds(): Record<StorageKind, KindCounts> {
  const k = (): KindCounts => ({ acked: 0, stored: 0, lost: 0, duplicated: 0, unacked: 0 });
  return { metrics: k(), logs: k(), data: k(), files: k() };
}

/** Stored, lost and duplicated per run and kind, from one set of counts. */
export function judge(
  session: Pick<ClickHouseSession, 'displayUrl' | 'database'>,
  acked: readonly AckedRun[],
  counts: Map<string, RawCount>,
  wait: { settled: boolean; waitedMs: number; polls: number },
): StorageAudit {
  const totals = emptyKinds();
  const runs: RunStorageAudit[] = acked.map((run) => {
    const kinds = emptyKinds();
    for (const kind of Object.keys(TABLES_BY_KIND) as StorageKind[]) {
      const table = TABLES_BY_KIND[kind];
      const a = run.rows[table] ?? 0;
      const c = counts.get(`${table}:${run.runId}`) ?? { rows: 0, distinct: 0 };
      const k: KindCounts = {
        acked: a,
        stored: c.distinct,
        lost: Math.max(0, a - c.distinct),
        duplicated: c.rows - c.distinct,
        unacked: Math.max(0, c.distinct - a),
      };
      kinds[kind] = k;
      for (const f of Object.keys(k) as Array<keyof KindCounts>) totals[kind][f] += k[f];
    }
    return { runId: run.runId, runName: run.runName, kinds };
  });
  const sum = (f: keyof KindCounts): number => Object.values(totals).reduce((s, k) => s + k[f], 0);
  const lostRows = sum('lost');
  return {
    url: session.displayUrl,
    database: session.database,
    ...wait,
    runs,
    totals,
    lostRows,
    duplicatedRows: sum('duplicated'),
    pass: lostRows === 0,
  };
}
