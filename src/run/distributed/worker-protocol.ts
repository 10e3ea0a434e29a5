/**
 * The messages between the coordinator and its worker processes (child_process IPC, JSON):
 *   worker → booted; coordinator → prepare (options + segment); worker → ready (scenario loaded);
 *   coordinator → start (a common start moment); worker → live (every second), then done
 *   (its SegmentResult) or failed (a user's error with its exit code); coordinator → stop (Ctrl+C).
 */
import type { RecorderSnapshot } from '../../metrics/recorder.js';
import type { RunAudit } from '../../metrics/result.js';
import type { SimulationOptions } from '../plan.js';
import type { SegmentResult } from './segment-result.js';

/** The JSON-safe options a worker runs (no functions, no signal). */
export type WorkerOptions = Omit<SimulationOptions, 'signal' | 'console' | 'log' | 'onRecorder' | 'onSdkRun'>;

export type ToWorker =
  | { type: 'prepare'; options: WorkerOptions }
  | { type: 'start'; startAtMs: number }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'booted' }
  | { type: 'ready' }
  /**
   * Every second: `at` the epoch ms its stats were taken (every sample of a second before it is
   * in), `busy` the event loop's busy share since the last one, the stats, and the delivery
   * counts of the SDK runs that changed since the last one, and the SDK runs' queue readings
   * taken since the last one (`queue`, only while the worker has SDK runs).
   */
  | { type: 'live'; at: number; busy: number; stats: RecorderSnapshot; runs: RunAudit[]; queue?: QueueReading[] }
  /** Its result, and the queue readings taken since the last `live` (the step's last ones). */
  | { type: 'done'; result: SegmentResult; cpuS: number; heap: WorkerHeap; queue?: QueueReading[] }
  | { type: 'failed'; message: string; exitCode: number };

/** Heap of a worker: when its scenario was loaded, and the most seen in a once-a-second sample while users ran. */
export interface WorkerHeap {
  baseMB: number;
  peakMB: number;
  /** True when the samples followed a full GC (the process ran with --expose-gc): live objects only. */
  afterGc: boolean;
}

/**
 * The queue of a worker's SDK runs at one moment (sampled every QUEUE_READING_MS): the records
 * they hold pending (logged, neither acked nor failed) and have logged so far, summed over its
 * runs. The capacity step's keep-up test under --workers (src/run/capacity/worker-queues.ts).
 */
export interface QueueReading {
  /** Epoch ms of the reading. */
  at: number;
  pending: number;
  logged: number;
}

/** How often a worker reads its SDK runs' queues: the single-process step's 250 ms (src/run/capacity/step-run.ts). */
export const QUEUE_READING_MS = 250;
