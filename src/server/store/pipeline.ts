/**
 * The ingest's buffering (docs/protocol/ingest.md §3): per table a bounded channel (1,000 rows)
 * feeding a background processor that keeps a batch buffer and flushes it every 5 s. A failed
 * flush is retried after 2 s and 4 s, then the batch goes to the DLQ. While the processor is
 * inserting or backing off it does not drain its channel, so handlers wait once the channel is
 * full: overload shows as latency, never as a status code (§3.3).
 */
import { TABLES, type Row, type TableName } from './rows.js';
import type { DeadLetterQueue } from './dlq.js';

/** Where flushed batches go: the storage, behind the flush faults. Throws when a flush fails. */
export type BatchSink = (table: TableName, rows: readonly Row[]) => Promise<void>;

export interface PipelineOptions {
  queueCapacity: number;
  flushIntervalMs: number;
  flushRetryDelaysMs: number[];
  /** `batch_size` 500,000 (§3.1): a full buffer forces a flush. */
  batchSize: number;
}

export interface PipelineCounters {
  flushes: number;
  flushFailures: number;
  batchesToDlq: number;
  rowsToDlq: number;
  rowsLost: number;
}

class TableProcessor {
  channel: Row[] = [];
  buffer: Row[] = [];
  inFlight = 0;
  private waiters: Array<() => void> = [];
  private current: Promise<void> | null = null;
  lastAttempt = Date.now();

  constructor(
    readonly table: TableName,
    private readonly pipeline: IngestPipeline,
  ) {}

  get flushing(): boolean {
    return this.current !== null;
  }

  push(row: Row): void | Promise<void> {
    const opts = this.pipeline.options;
    if (this.current === null && this.buffer.length < opts.batchSize) {
      this.buffer.push(row);
      if (this.buffer.length >= opts.batchSize) void this.flush();
      return;
    }
    if (this.channel.length < opts.queueCapacity) {
      this.channel.push(row);
      return;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.push(row));
  }

  queued(): number {
    return this.channel.length + this.buffer.length + this.inFlight;
  }

  /** Flushes the buffer now (waits for a flush in progress first). */
  async flush(): Promise<void> {
    while (this.current) await this.current;
    this.drainChannel();
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.lastAttempt = Date.now();
    this.inFlight = batch.length;
    this.current = this.pipeline.deliver(this.table, batch).finally(() => {
      this.inFlight = 0;
      this.current = null;
      this.drainChannel();
    });
    await this.current;
  }

  private drainChannel(): void {
    if (this.channel.length > 0 && this.current === null) {
      for (const r of this.channel) this.buffer.push(r);
      this.channel = [];
    }
    if (this.waiters.length > 0 && this.current === null) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }
}

export class IngestPipeline {
  readonly counters: PipelineCounters = { flushes: 0, flushFailures: 0, batchesToDlq: 0, rowsToDlq: 0, rowsLost: 0 };
  private readonly processors: Record<TableName, TableProcessor>;
  private ticker: NodeJS.Timeout | null = null;
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;

  constructor(
    readonly options: PipelineOptions,
    private readonly sink: BatchSink,
    private readonly dlq: DeadLetterQueue,
    private readonly log: (line: string) => void,
  ) {
    this.processors = {
      mlop_metrics: new TableProcessor('mlop_metrics', this),
      mlop_logs: new TableProcessor('mlop_logs', this),
      mlop_data: new TableProcessor('mlop_data', this),
      mlop_files: new TableProcessor('mlop_files', this),
    };
  }

  /** The processor's ticker: 1 s, or the flush interval when shorter (§3.1). */
  start(): void {
    const tick = Math.max(10, Math.min(1000, this.options.flushIntervalMs));
    this.ticker = setInterval(() => this.onTick(), tick);
    this.ticker.unref();
  }

  private onTick(): void {
    const now = Date.now();
    for (const t of TABLES) {
      const p = this.processors[t];
      if (!p.flushing && (p.buffer.length > 0 || p.channel.length > 0) && now - p.lastAttempt >= this.options.flushIntervalMs) {
        void p.flush();
      }
    }
  }

  push(table: TableName, row: Row): void | Promise<void> {
    return this.processors[table].push(row);
  }

  /** Drains every queue into storage (or the DLQ) now. */
  async flushAll(): Promise<void> {
    await Promise.all(TABLES.map((t) => this.processors[t].flush()));
  }

  queued(): Record<TableName, number> {
    const out = {} as Record<TableName, number>;
    for (const t of TABLES) out[t] = this.processors[t].queued();
    return out;
  }

  /** `flush_records` (§3.2): 1 + retries attempts, then the DLQ; if that fails, the rows are lost. */
  async deliver(table: TableName, batch: Row[]): Promise<void> {
    const delays = this.options.flushRetryDelaysMs;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (this.stopped) return;
      try {
        await this.sink(table, batch);
        this.counters.flushes++;
        return;
      } catch {
        this.counters.flushFailures++;
        if (attempt < delays.length) await this.sleep(delays[attempt]);
      }
    }
    if (await this.dlq.write(table, batch)) {
      this.counters.batchesToDlq++;
      this.counters.rowsToDlq += batch.length;
      this.log(`flush of ${batch.length} ${table} rows failed ${delays.length + 1} times; batch written to the DLQ`);
    } else {
      this.counters.rowsLost += batch.length;
      this.log(`CRITICAL: could not write ${batch.length} ${table} rows to the DLQ; DATA LOSS POSSIBLE`);
    }
  }

  /** A timer that stop() cuts short, so nothing waits on a stopped server. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleeps.delete(t);
        resolve();
      }, ms);
      this.sleeps.set(t, resolve);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const [t, resolve] of this.sleeps) {
      clearTimeout(t);
      resolve();
    }
    this.sleeps.clear();
  }
}
