/** Options and results of the reference server's library API. */
import type { ApiKeySpec } from './auth.js';
import type { CapacityQueueStats } from './capacity-queue.js';
import type { FaultOptions } from './faults.js';
import type { ClickHouseConnectionOptions } from '../core/clickhouse/session.js';
import type { DlqStats } from './store/dlq.js';
import type { Row, TableName } from './store/rows.js';
import type { RunTableCounts } from './store/ports.js';

export interface DlqOptions {
  /** DLQ_ENABLED (default true). */
  enabled?: boolean;
  /** DLQ_PATH; default a fresh temporary folder removed again by stop(). */
  path?: string;
  /** DLQ_REPLAY_INTERVAL_SECS × 1000 (default 60,000). */
  replayIntervalMs?: number;
  /** Batches per table per replay tick (default 10). */
  maxBatchesPerTick?: number;
  /** DLQ_MAX_DISK_MB (default 10,240). */
  maxDiskMb?: number;
}

export interface ReferenceServerOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /**
   * Default 127.0.0.1. Off loopback (0.0.0.0, ::, any other address) the control routes need an
   * accepted key as Bearer, the default key is off unless `defaultKey` names it, and the server
   * will not start without a key of its own (docs/server.md "Off loopback").
   */
  host?: string;
  /** Keys in addition to the default key. */
  keys?: Array<string | ApiKeySpec>;
  /** The default key, or false for none (default DEFAULT_API_KEY on loopback, none off it). */
  defaultKey?: string | false;
  /** Rows per table channel (default 1,000, docs/protocol/ingest.md §3.1). */
  queueCapacity?: number;
  /** Batch flush interval (default 5,000 ms, §3.1). */
  flushIntervalMs?: number;
  /** Waits between flush attempts (default [2000, 4000], §3.2). */
  flushRetryDelaysMs?: number[];
  /** Rows kept with their bodies; beyond it only counts (default 2,000,000). */
  rowCap?: number;
  dlq?: DlqOptions;
  /** Longest NDJSON line accepted (default 1 MiB). */
  maxLineBytes?: number;
  faults?: FaultOptions;
  /** The URL written into upload and run URLs (default http://<host>:<port>). */
  publicUrl?: string;
  /** Receives one line per notable event; API keys never appear in it. */
  log?: (line: string) => void;
  /**
   * Store flushed batches in this ClickHouse instead of memory (`mlop-sim serve --clickhouse-url`):
   * the database and the four tables are created when missing; `/health/ready` checks it for real.
   */
  clickhouse?: ClickHouseConnectionOptions;
}

export interface ServerStats {
  server: 'mlop-sim-reference';
  /** By "METHOD route status"; status 0 = connection reset by a fault; route '*' = unknown path. */
  requests: Record<string, number>;
  /** Rows stored (ClickHouse: inserted, or handed over by an async insert) per table. */
  rowsStored: Record<TableName, number>;
  /** Where rows go: `memory`, or the ClickHouse URL (no credentials). */
  store: string;
  /** Rows accepted but not yet stored (channel + batch buffer + batch being flushed). */
  rowsQueued: Record<TableName, number>;
  rowCap: number;
  /** True once rows beyond the row cap were counted without their bodies. */
  bodiesDropped: boolean;
  flushes: number;
  flushFailures: number;
  batchesToDlq: number;
  rowsToDlq: number;
  rowsLost: number;
  batchesReplayed: number;
  dlq: DlqStats;
  objects: { count: number; bytes: number };
  apiRuns: number;
  faults: FaultOptions;
  /** Rows the `dropRate` fault kept from storage (acked, never stored). */
  faultRowsDropped: number;
  /** Rows the `duplicateRate` fault stored a second time. */
  faultRowsDuplicated: number;
  /** The `capacityRps` service queue: rate, requests served, backlog now and at most (docs/server.md "Capacity"). */
  capacityQueue: CapacityQueueStats;
  uptimeMs: number;
}

export interface ReferenceServer {
  /** Where a client on this machine reaches the server (127.0.0.1 when it bound 0.0.0.0 or ::). */
  url: string;
  /** The address the server really bound, e.g. http://0.0.0.0:3003 or http://[::]:3003. */
  listening: string;
  /** True when the control routes need an accepted key (the server listens off loopback). */
  controlAuth: boolean;
  port: number;
  /** The default key ('' when there is none). */
  key: string;
  stats(): ServerStats;
  /** Replaces the current faults; {} = none. */
  setFaults(f: FaultOptions): void;
  /** Drains every queue into storage (or the DLQ) now. */
  flush(): Promise<void>;
  /** Per-run counts of the in-memory store (throws with a ClickHouse store: use countRuns). */
  runs(project?: string): RunTableCounts[];
  /** Stored rows of the in-memory store (throws with a ClickHouse store: use readRows). */
  rows(runId: number, table: TableName, project?: string): Row[];
  /** Per-run counts of whichever store holds the rows. */
  countRuns(project?: string): Promise<RunTableCounts[]>;
  readRows(runId: number, table: TableName, project?: string): Promise<Row[]>;
  /** Marks a backend run CANCELLED: its heartbeat answers CANCELLED from now on. */
  cancelRun(runId: number): void;
  /** Replays every DLQ batch now; returns how many were stored and removed. */
  replayDlq(): Promise<number>;
  /** Closes sockets and stops timers; idempotent. */
  stop(): Promise<void>;
}
