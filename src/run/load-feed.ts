/**
 * The load's own figures on their way to the stats: each open-model iteration as two entries
 * (from its actual start, from its intended start) and each dropped one as a failure of
 * `ITERATION dropped`; the executor's target once a second into the time series; and the
 * target and drops for the live line.
 */
import {
  DROPPED_MESSAGE,
  ITERATION_ACTUAL_ENTRY,
  ITERATION_CORRECTED_ENTRY,
  ITERATION_DROPPED_ENTRY,
} from '../core/entry-names.js';
import type { Executor, IterationSink } from '../executor/executor.js';
import type { Recorder } from '../metrics/recorder.js';
import type { LiveSample } from '../output/index.js';

export function iterationSink(recorder: Recorder): IterationSink {
  const a = ITERATION_ACTUAL_ENTRY, c = ITERATION_CORRECTED_ENTRY, d = ITERATION_DROPPED_ENTRY;
  return {
    completed(dueAt, startedAt, endedAt, ok) {
      recorder.record(a.method, a.route, endedAt - startedAt, ok);
      recorder.record(c.method, c.route, endedAt - dueAt, ok);
    },
    dropped() {
      recorder.record(d.method, d.route, 0, false, 0, DROPPED_MESSAGE);
    },
  };
}

/** Writes the executor's target into the recorder once a second while the load runs. */
export function followTarget(executor: Executor, recorder: Recorder): { stop(): void } {
  const progress = executor.progress?.bind(executor);
  if (!progress) return { stop: () => undefined };
  const sample = (): void => recorder.setTarget(progress().target);
  sample();
  const timer = setInterval(sample, 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The live line's load part: `stage 2/3 → 80 users`, `50 it/s`, and the drops so far. */
export function liveLoad(executor: Executor): LiveSample['load'] {
  const p = executor.progress?.();
  if (!p) return undefined;
  const value = p.unit === 'users' ? `${Math.round(p.target)} users` : `${+p.target.toFixed(1)} it/s`;
  return { target: p.stage ? `${p.stage} → ${value}` : value, ...(p.dropped !== undefined ? { dropped: p.dropped } : {}) };
}
