/**
 * What a worker sends every second (the `live` message): the moment its stats were taken, how
 * busy its event loop was since the last message, its recorder's cumulative counters and digests
 * with the seconds of series and users that can have changed since the last message, and the SDK delivery counts of the runs whose counts changed since
 * the last message — so the coordinator keeps, for a worker that dies, what each of its runs had
 * logged, acked, failed and left pending. Between messages it reads its SDK runs' queues every
 * QUEUE_READING_MS (readQueue) and sends the readings with the next message (a capacity step's
 * keep-up test, src/run/capacity/worker-queues.ts).
 */
import { performance } from 'node:perf_hooks';
import type { SdkRun } from '../../load/sdk-session.js';
import type { Recorder } from '../../metrics/recorder.js';
import { runDeliveries } from '../judging/audit.js';
import { LIVE_SERIES_SECONDS } from './live-stats.js';
import type { FromWorker, QueueReading } from './worker-protocol.js';

export class WorkerLive {
  private readonly runs: SdkRun[] = [];
  private readonly sent = new Map<number, string>();
  private elu = performance.eventLoopUtilization();
  private reportedS = -Infinity;
  private queue: QueueReading[] = [];

  /** A run the worker's users started (SimulationOptions.onSdkRun). */
  readonly addRun = (run: SdkRun): void => void this.runs.push(run);

  /** Reads the runs' pending and logged records, summed (nothing while the worker has no SDK run). */
  readQueue(at = Date.now()): void {
    if (this.runs.length === 0) return;
    let pending = 0, logged = 0;
    for (const r of this.runs) {
      const d = r.delivery();
      pending += d.pending;
      logged += d.logged;
    }
    this.queue.push({ at, pending, logged });
  }

  /** The queue readings not sent yet (undefined when none). */
  takeQueue(): QueueReading[] | undefined {
    return this.queue.length > 0 ? this.queue.splice(0) : undefined;
  }

  message(recorder: Recorder): Extract<FromWorker, { type: 'live' }> {
    const at = Date.now();
    const elu = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(elu, this.elu).utilization;
    this.elu = elu;
    const changed = runDeliveries(this.runs).filter((r) => {
      const key = `${r.logged}/${r.acked}/${r.failed}/${r.pending}/${r.expectedRows}`;
      if (this.sent.get(r.runId) === key) return false;
      this.sent.set(r.runId, key);
      return true;
    });
    // Seconds before the previous report's cannot change any more: a report carries the series and
    // users from that second on (at least the last LIVE_SERIES_SECONDS), a late tick included.
    const nowS = Math.floor(at / 1000);
    const stats = recorder.liveSnapshot(Math.min(nowS - LIVE_SERIES_SECONDS + 1, this.reportedS));
    this.reportedS = nowS;
    const queue = this.takeQueue();
    return { type: 'live', at, busy, stats, runs: changed, ...(queue ? { queue } : {}) };
  }
}
