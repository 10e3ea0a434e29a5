import type { Dispatcher } from 'undici';
import type { SdkObserver } from '../observer.js';
import { KIND, QueuedRecord, type RecordQueue } from './record-queue.js';
import { sendWithRetry, syncPolicy } from './retry.js';
import type { ResolvedSettings } from '../settings.js';
import { metricLine } from '../values/ndjson.js';
import type { Target } from './transport.js';
import { wallMs } from '../wall-clock.js';

/**
 * The sync loop's health line (docs/protocol/sdk.md §8.3): every 60 s one `/ingest/metrics` POST
 * of its own, `step: 0`, with the 13 `sys/pluto.*` keys in the order `get_health_stats` fills
 * them (lag_s first). There is no SQLite here: the WAL/DB sizes and write latencies are 0, the
 * row counts are the in-memory queue's, and "completed" rows are forgotten 300 s after the
 * cleanup that follows them, as the sync process deletes them.
 */
export const HEALTH_KEYS_ON_WIRE = [
  'sys/pluto.lag_s', 'sys/pluto.pending', 'sys/pluto.in_progress', 'sys/pluto.completed',
  'sys/pluto.failed', 'sys/pluto.total_rows', 'sys/pluto.wal_size_kb', 'sys/pluto.db_size_kb',
  'sys/pluto.write_count', 'sys/pluto.write_avg_ms', 'sys/pluto.write_max_ms', 'sys/pluto.retries',
  'sys/pluto.retry_failures',
];

/** Completed rows older than this are deleted, checked this often (process.py cleanup_interval). */
const CLEANUP_MS = 300_000;

export class SyncHealth {
  private nextCleanupAt: number;
  private ackedAtLastCleanup = 0;
  private cleaned = 0;

  constructor(startedAt: number) {
    this.nextCleanupAt = startedAt + CLEANUP_MS;
  }

  /** Build the line, count it as a record of the run, POST it; a failure makes it FAILED at once. */
  async send(queue: RecordQueue, s: ResolvedSettings, dispatcher: Dispatcher, observer: SdkObserver | undefined, target: Target, headers: string[]): Promise<void> {
    const now = performance.now();
    if (now >= this.nextCleanupAt) {
      this.cleaned = this.ackedAtLastCleanup;
      this.ackedAtLastCleanup = queue.acked;
      this.nextCleanupAt = now + CLEANUP_MS;
    }
    const oldest = queue.oldestWaiting();
    const pending = queue.waiting;
    const inProgress = queue.pending - pending;
    const completed = queue.acked - this.cleaned;
    const values = [
      oldest === null ? 0 : Math.round((now - oldest) / 100) / 10,
      pending, inProgress, completed, queue.failed, pending + inProgress + completed + queue.failed,
      0, 0, queue.logged, 0, 0, 0, 0,
    ];
    const r = new QueuedRecord(KIND.SYSTEM, wallMs(now), 0, now, HEALTH_KEYS_ON_WIRE, values, null, values.length);
    queue.track(r);
    const out = await sendWithRetry(dispatcher, observer, syncPolicy(s, false), {
      method: 'POST', target, headers, body: metricLine(r) + '\n',
    });
    if (out.ok) queue.ack(r, performance.now());
    else queue.fail(r, performance.now(), out.error, true);
  }
}
