/** The reference mlop server: ingest + backend + heartbeat routes, auth, storage, DLQ, faults. */
export { DEFAULT_API_KEY, DEFAULT_ORGANIZATION_ID, DEFAULT_ORGANIZATION_SLUG, type ApiKeySpec } from './auth.js';
export { parseLatencySpec, validateFaults, type FaultOptions, type LatencySpec } from './faults.js';
export type { DlqOptions, ReferenceServer, ReferenceServerOptions, ServerStats } from './options.js';
export type { DlqStats } from './store/dlq.js';
export type { DataRow, FileRow, LogRow, MetricRow, Row, TableName } from './store/rows.js';
export type { InsertMode, RowStore, RunTableCounts, StoreHealth, TableCount } from './store/ports.js';
export { startReferenceServer } from './reference-server.js';
export { startReferenceServerInWorker, type WorkerServer, type WorkerServerOptions } from './in-worker.js';
export { parsePort, ServerStartError, type ServerStartProblem } from './listen.js';
