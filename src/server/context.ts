/** What every route of the reference server shares. */
import type { KeyStore } from './auth.js';
import type { RunRegistry } from './backend/runs.js';
import type { FaultInjector } from './faults.js';
import type { DeadLetterQueue } from './store/dlq.js';
import type { IngestPipeline } from './store/pipeline.js';
import type { RowStore } from './store/ports.js';

/** The MinIO stand-in: uploaded objects' sizes by object key. */
export interface ObjectStore {
  sizes: Map<string, number>;
  bytes: number;
}

export interface ServerContext {
  keys: KeyStore;
  /** Control routes need an accepted key (the server listens off loopback: control-auth.ts). */
  controlAuth: boolean;
  runs: RunRegistry;
  storage: RowStore;
  pipeline: IngestPipeline;
  faults: FaultInjector;
  dlq: DeadLetterQueue;
  objects: ObjectStore;
  maxLineBytes: number;
  /** The URL clients reach this server at (upload URLs and run URLs point here). */
  baseUrl(): string;
  log(line: string): void;
  replayDlq(): Promise<number>;
  stats(): object;
}
