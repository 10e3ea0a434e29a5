/**
 * The keep-up test of an sdk step under --workers: every worker reads its SDK runs' queues every
 * 250 ms and streams the readings to the coordinator (run/distributed/worker-live.ts); here they
 * are put on one grid of the same 250 ms over the step's window and summed, so the fleet's
 * pending records over time — and the records logged in the window — are what one process's
 * sampler gives (src/run/capacity/step-run.ts) and are judged by the same queue trend
 * (src/executor/capacity/queue-trend.ts). On the grid each worker counts with its latest
 * reading at or before that moment; before its first one it had no run, so nothing pending.
 */
import type { QueueSample } from '../../executor/capacity/queue-trend.js';
import { QUEUE_READING_MS, type QueueReading } from '../distributed/worker-protocol.js';

export interface MergedQueue {
  /** The summed pending records, t in seconds since `fromMs`. */
  samples: QueueSample[];
  /** Records logged by every worker's runs within the window. */
  logged: number;
}

export function mergedQueue(workers: readonly (readonly QueueReading[])[], fromMs: number, toMs: number, stepMs = QUEUE_READING_MS): MergedQueue {
  const reporting = workers.filter((w) => w.length > 0);
  if (reporting.length === 0 || !(toMs >= fromMs)) return { samples: [], logged: 0 };
  const samples: QueueSample[] = [];
  const points = Math.floor((toMs - fromMs) / stepMs);
  for (let i = 0; i <= points; i++) samples.push(sampleAt(reporting, fromMs + i * stepMs, fromMs));
  // The window's own end, when the grid stops short of it (the single-process sampler reads at the stop).
  if (fromMs + points * stepMs < toMs) samples.push(sampleAt(reporting, toMs, fromMs));
  const logged = reporting.reduce((n, w) => n + (latestAt(w, toMs)?.logged ?? 0) - (latestAt(w, fromMs)?.logged ?? 0), 0);
  return { samples, logged };
}

function sampleAt(workers: readonly (readonly QueueReading[])[], at: number, fromMs: number): QueueSample {
  return { t: (at - fromMs) / 1000, pending: workers.reduce((n, w) => n + (latestAt(w, at)?.pending ?? 0), 0) };
}

/** The latest reading at or before `at` (readings are in time order). */
function latestAt(readings: readonly QueueReading[], at: number): QueueReading | undefined {
  let lo = 0, hi = readings.length - 1, found: QueueReading | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (readings[mid].at <= at) {
      found = readings[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
