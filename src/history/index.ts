/** The results history (docs/history.md): its store, records, change-point check and pages. Re-exports only. */
export { addToHistory, readAndCheck, showHistory, defaultLabel, type AddOptions, type ReadOptions, type HistoryReport } from './history.js';
export { checkHistory, DEFAULT_WINDOW, type CheckOptions, type HistoryCheck, type SeriesChange } from './check.js';
export { HISTORY_FORMAT, HISTORY_METRICS, recordOfResult, type HistoryRecord, type HistoryMetric, type EntryFigures } from './record.js';
export { openHistoryStore, type HistoryStore, type HistoryStoreOptions } from './store.js';
export { DEFAULT_HISTORY_FILE } from './jsonl-store.js';
export { DEFAULT_HISTORY_TABLE } from './clickhouse-store.js';
