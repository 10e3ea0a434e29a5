import type { File } from '../values/file-values.js';
import type { RecordKind, SdkObserver } from '../observer.js';

/** Record types, numbered in the order a sync cycle sends their groups (docs/protocol/sdk.md §8.4). */
export const KIND = { METRIC: 0, CONFIG: 1, TAGS: 2, SYSTEM: 3, DATA: 4, CONSOLE: 5 } as const;
export type Kind = (typeof KIND)[keyof typeof KIND];
export const KIND_COUNT = 6;

const OBSERVED_KIND: (RecordKind | null)[] = ['metric', null, null, 'system', 'data', 'console'];

/** What delivery() counts per kind: the observer's kinds plus `other` (config and tags updates). */
export type DeliveryKind = RecordKind | 'other';
export const DELIVERY_KINDS: readonly DeliveryKind[] = ['metric', 'system', 'data', 'console', 'file', 'other'];
/** Index into DELIVERY_KINDS of each record kind (KIND order), files at 4. */
const KIND_INDEX = [0, 5, 5, 1, 2, 3];
const FILE_INDEX = 4;

export interface KindCounts {
  logged: number;
  acked: number;
  failed: number;
  pending: number;
  /** Rows the server stores for the acked records (a metrics line of k keys = k rows). */
  ackedRows: number;
}

/** One queued record (a sync_queue row in the Python SDK, §8.2). */
export class QueuedRecord {
  failures = 0;
  constructor(
    readonly kind: Kind,
    readonly time: number,
    readonly step: number,
    readonly loggedAt: number,
    /** Metric/system names (already sanitised). */
    readonly names: string[] | null,
    readonly values: number[] | null,
    /** Pre-encoded NDJSON line or JSON body (data, console, config, tags). */
    readonly line: string | null,
    readonly rows: number,
  ) {}
}

/** One queued file upload (a file_uploads row, §8.2). */
export class QueuedFile {
  failures = 0;
  constructor(
    readonly file: File,
    readonly logName: string,
    readonly step: number,
    readonly time: number,
    readonly sampleIndex: number,
    readonly loggedAt: number,
  ) {}
}

export interface DeliveryCounts {
  logged: number;
  acked: number;
  failed: number;
  pending: number;
  ackedRows: number;
  /** The same per kind: metric, system (incl. the health line), data, console, file, other. */
  byKind: Record<DeliveryKind, KindCounts>;
}

/**
 * The in-memory queue of one run. Acked records leave it; a record that failed
 * `retryMax` cycles becomes FAILED: kept in `failedRecords` and counted, never dropped (§8.5).
 */
export class RecordQueue {
  private records: QueuedRecord[] = [];
  private files: QueuedFile[] = [];
  readonly failedRecords: (QueuedRecord | QueuedFile)[] = [];
  /** performance.now() when the run's sync loop starts (set by the run). */
  syncStartAt = 0;
  logged = 0;
  acked = 0;
  failed = 0;
  ackedRows = 0;
  /** Per delivery kind: logged, acked, failed, acked rows (4 numbers each). */
  private readonly perKind = new Float64Array(DELIVERY_KINDS.length * 4);

  constructor(
    private readonly runId: number,
    private readonly retryMax: number,
    private readonly observer: SdkObserver | undefined,
  ) {}

  push(r: QueuedRecord): void {
    this.records.push(r);
    this.logged++;
    this.perKind[KIND_INDEX[r.kind] * 4]++;
  }


  /** Count a record that is sent outside the queue (the health line). */
  track(r: QueuedRecord): void {
    this.logged++;
    this.perKind[KIND_INDEX[r.kind] * 4]++;
  }

  /** Records waiting for a cycle (not in flight). */
  get waiting(): number {
    return this.records.length + this.files.length;
  }

  /** loggedAt of the oldest waiting record, or null. */
  oldestWaiting(): number | null {
    const r = this.records[0]?.loggedAt;
    const f = this.files[0]?.loggedAt;
    if (r === undefined) return f ?? null;
    return f === undefined ? r : Math.min(r, f);
  }

  pushFile(f: QueuedFile): void {
    this.files.push(f);
    this.logged++;
    this.perKind[FILE_INDEX * 4]++;
  }

  /** Records waiting or in flight (not acked, not FAILED). */
  get pending(): number {
    return this.logged - this.acked - this.failed;
  }

  /** Take up to n records, oldest first. Call `putBack` with the ones not settled. */
  takeRecords(n: number): QueuedRecord[] {
    return this.records.length <= n ? this.records.splice(0) : this.records.splice(0, n);
  }

  takeFiles(n: number): QueuedFile[] {
    return this.files.length <= n ? this.files.splice(0) : this.files.splice(0, n);
  }

  /** Unsettled records go back to the front, keeping their order before newer records. */
  putBack(records: QueuedRecord[]): void {
    if (records.length) this.records = records.concat(this.records);
  }

  putBackFiles(files: QueuedFile[]): void {
    if (files.length) this.files = files.concat(this.files);
  }

  ack(r: QueuedRecord | QueuedFile, settledAt: number): void {
    const rows = r instanceof QueuedFile ? 1 : r.rows;
    this.acked++;
    this.ackedRows += rows;
    const i = (r instanceof QueuedFile ? FILE_INDEX : KIND_INDEX[r.kind]) * 4;
    this.perKind[i + 1]++;
    this.perKind[i + 3] += rows;
    this.report(r, 'acked', settledAt, rows);
  }

  /** Count one failed cycle; returns true when the record is now FAILED for good. */
  fail(r: QueuedRecord | QueuedFile, settledAt: number, error: string, final = false): boolean {
    r.failures++;
    if (!final && r.failures < this.retryMax) return false;
    this.failed++;
    this.perKind[(r instanceof QueuedFile ? FILE_INDEX : KIND_INDEX[r.kind]) * 4 + 2]++;
    this.failedRecords.push(r);
    this.report(r, 'failed', settledAt, r instanceof QueuedFile ? 1 : r.rows, error);
    return true;
  }

  counts(): DeliveryCounts {
    const byKind = {} as Record<DeliveryKind, KindCounts>;
    DELIVERY_KINDS.forEach((k, i) => {
      const p = this.perKind;
      byKind[k] = { logged: p[i * 4], acked: p[i * 4 + 1], failed: p[i * 4 + 2], pending: p[i * 4] - p[i * 4 + 1] - p[i * 4 + 2], ackedRows: p[i * 4 + 3] };
    });
    return { logged: this.logged, acked: this.acked, failed: this.failed, pending: this.pending, ackedRows: this.ackedRows, byKind };
  }

  private report(r: QueuedRecord | QueuedFile, status: 'acked' | 'failed', settledAt: number, rows: number, error?: string): void {
    const onRecord = this.observer?.onRecord;
    if (!onRecord) return;
    const kind = r instanceof QueuedFile ? 'file' : OBSERVED_KIND[r.kind];
    if (!kind) return;
    try {
      const name = r instanceof QueuedFile ? r.logName : (r.names?.[0] ?? undefined);
      const step = kind === 'console' ? undefined : r.step;
      onRecord({
        runId: this.runId, kind, status, loggedAt: r.loggedAt, settledAt, rows, error, step, time: r.time, name,
        beforeSyncStart: r.loggedAt < this.syncStartAt,
      });
    } catch {
      // An observer must not break the sync loop.
    }
  }
}
