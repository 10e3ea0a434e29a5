/**
 * The coordinator's view of its workers while they run, merged from what each sent: the live
 * line's recent window, and for the streaming outputs (--out) the rows of each second — the same
 * rows a single run's recorder gives (Recorder.second), once every running worker's report for
 * that second has arrived or MAX_LAG_MS has passed.
 */
import { ITERATION_DROPPED_ENTRY } from '../../core/entry-names.js';
import { Recorder, type EntrySecond, type RecorderSnapshot } from '../../metrics/recorder.js';
import { LIVE_SERIES_SECONDS } from './live-stats.js';
import type { WorkerHandle } from './worker-handle.js';

/** How long after a second ends it goes out even when a worker's report for it is missing. */
export const MAX_LAG_MS = 2_000;
/** How far behind now the live line looks (workers send their stats once a second). */
const LIVE_LAG_MS = 1_000;

/** What the view reads of a worker: what it reported, its result once done, whether it ended. */
export type ReportingWorker = Pick<WorkerHandle, 'live' | 'result' | 'end'>;

export class MergedLive {
  constructor(
    private readonly handles: readonly ReportingWorker[],
    private readonly startAtMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live line's recorder: the last few seconds of every worker, a second behind now. */
  recent(): Recorder {
    const nowS = Math.floor(Date.now() / 1000);
    // Workers report once a second: the view lags a second so its window holds whole reports.
    const recorder = new Recorder({ startMs: this.startAtMs, now: () => Math.max(this.startAtMs + LIVE_LAG_MS, Date.now() - LIVE_LAG_MS) });
    for (const h of this.handles) recorder.mergeSnapshot(h.live.snapshot(nowS - LIVE_SERIES_SECONDS));
    return recorder;
  }

  /** Users running at the latest reports of the workers still running. */
  users(): number {
    return this.handles.reduce((n, h) => n + (h.result || h.end ? 0 : h.live.activeUsers), 0);
  }

  /**
   * Second t's rows over all workers: each worker's bucket of t, and its totals at the end of t
   * (its latest cumulative counts less every later second it reported).
   */
  second(t: number): EntrySecond[] {
    const recorder = new Recorder();
    for (const h of this.handles) recorder.mergeSnapshot(asOf(this.stats(h), t));
    return recorder.second(t);
  }

  /** Iterations dropped so far, over all workers. */
  droppedIterations(): number {
    const d = ITERATION_DROPPED_ENTRY;
    return this.handles.reduce((n, h) => n + (this.stats(h).entries.find((e) => e.method === d.method && e.route === d.route)?.count ?? 0), 0);
  }

  /** The busiest running worker's event-loop share in its last reported second. */
  saturation(): number {
    return Math.max(0, ...this.handles.filter((h) => !h.result && !h.end).map((h) => h.live.busy));
  }

  /** The last second every running worker has reported past, or the one MAX_LAG_MS behind now. */
  completeUpTo(): number {
    let reported = Infinity;
    for (const h of this.handles) if (!h.result && !h.end) reported = Math.min(reported, Math.floor(h.live.at / 1000) - 1);
    return Math.max(reported, Math.floor((this.now() - MAX_LAG_MS) / 1000) - 1);
  }

  /** A finished worker's whole result, else everything it reported. */
  private stats(h: ReportingWorker): RecorderSnapshot {
    return h.result?.stats ?? h.live.snapshot();
  }
}

/** A snapshot's figures at the end of second t: only t's bucket, counts less the later seconds. */
function asOf(s: RecorderSnapshot, t: number): RecorderSnapshot {
  return {
    version: 1,
    users: [],
    entries: s.entries.map((e) => {
      const later = e.series.filter((b) => b.t > t);
      return {
        ...e,
        count: e.count - later.reduce((n, b) => n + b.count, 0),
        failures: e.failures - later.reduce((n, b) => n + b.failures, 0),
        series: e.series.filter((b) => b.t === t),
      };
    }),
  };
}
