/**
 * Where the results history lives: a JSON-lines file (the default) or a ClickHouse table. Both
 * keep the same records (record.ts) and give them back ordered by the runs' start times, so a
 * check reads the same series from either.
 */
import type { ClickHouseConnectionOptions } from '../core/clickhouse/session.js';
import type { HistoryRecord } from './record.js';

export interface HistoryStore {
  /** The file, or the ClickHouse URL (without credentials) and table. */
  readonly description: string;
  /** Every record, in the store's order (see orderByTime). */
  read(): Promise<HistoryRecord[]>;
  append(record: HistoryRecord): Promise<void>;
  close(): Promise<void>;
}

export interface HistoryStoreOptions {
  /** The JSON-lines file (default reports/history.jsonl); ignored with `clickhouse`. */
  file?: string;
  /** A ClickHouse table instead of the file. */
  clickhouse?: ClickHouseConnectionOptions & { table?: string };
}

/** Records ordered by their runs' start times; records of the same time keep their order. */
export function orderByTime(records: readonly HistoryRecord[]): HistoryRecord[] {
  return records
    .map((r, i) => ({ r, i, t: Date.parse(r.time) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.r);
}

/** Opens the store the options name (ClickHouse: connects, creates the table when missing). */
export async function openHistoryStore(options: HistoryStoreOptions): Promise<HistoryStore> {
  if (options.clickhouse) {
    const { ClickHouseHistoryStore } = await import('./clickhouse-store.js');
    return ClickHouseHistoryStore.open(options.clickhouse);
  }
  const { JsonLinesStore, DEFAULT_HISTORY_FILE } = await import('./jsonl-store.js');
  return new JsonLinesStore(options.file ?? DEFAULT_HISTORY_FILE);
}
