/** Hooks for callers that time the SDK (the simulator). Both are optional and must not throw. */
export interface RequestExchange {
  /** `${method} ${route}`, e.g. 'POST /ingest/metrics'; storage PUTs use 'PUT (storage)'. */
  name: string;
  method: string;
  /** URL path without query, or '(storage)' for presigned PUTs. */
  route: string;
  /** null on network error or timeout. */
  status: number | null;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  error?: string;
  /** 1-based attempt number within the retry policy. */
  attempt: number;
}

export type RecordKind = 'metric' | 'system' | 'data' | 'console' | 'file';

export interface RecordSettled {
  runId: number;
  kind: RecordKind;
  status: 'acked' | 'failed';
  /** performance.now() when log() (or the console write) created the record. */
  loggedAt: number;
  /** performance.now() at the response that settled it. */
  settledAt: number;
  /** Rows the server stores for it: a metrics line with k keys = k; data/console/file = 1. */
  rows: number;
  error?: string;
  /** The record's step and time (epoch ms) as sent; absent for console lines. */
  step?: number;
  time?: number;
  /** Metric records: the first metric name; files: the log name. Lets a caller find the stored row. */
  name?: string;
}

export interface SdkObserver {
  onRequest?(ex: RequestExchange): void;
  onRecord?(ev: RecordSettled): void;
}
