/**
 * One timer for every streaming output: just after each wall-clock second ends it builds that
 * second's snapshot once (from the recorder's one-second buckets; nothing is added to the request
 * path) and hands it to each output's second(). stop() delivers the seconds not yet delivered, up
 * to and including the current, partial one, so the last point carries the final totals.
 * The --workers coordinator drives the same ticker from its merged view of the workers' reports:
 * a second goes out once every worker's report for it has arrived (or a bounded lag has passed).
 */
import { performance } from 'node:perf_hooks';
import type { Recorder } from '../metrics/recorder.js';
import type { Output, SecondSnapshot } from '../output/index.js';

/** Samples of second t are complete once t has passed; wait this much more for stragglers. */
const SETTLE_MS = 50;
/** With `completeUpTo`, how often it is asked. */
const POLL_MS = 100;

export interface TickerSources {
  /** Its second(t): the rows of second t (the run's recorder, or the coordinator's merged view). */
  recorder: Pick<Recorder, 'second'>;
  users: () => number;
  droppedIterations: () => number;
  /** performance.now() at the start of the load. */
  t0: number;
  /** The first second to deliver (default: the current one). */
  firstT?: number;
  /** The generator's busy share since the last call (default: this process's event loop). */
  saturation?: () => number;
  /**
   * The last second whose samples have all arrived, asked every 100 ms (default: each second is
   * complete 50 ms after it ended, the samples being recorded in this process).
   */
  completeUpTo?: () => number;
}

export interface SecondTicker {
  stop(): void;
}

export function startSecondTicker(outputs: readonly Output[], src: TickerSources): SecondTicker | undefined {
  const streams = outputs.filter((o) => o.second !== undefined);
  if (streams.length === 0) return undefined;
  let next = src.firstT ?? Math.floor(Date.now() / 1000); // the first second to deliver
  let elu = performance.eventLoopUtilization();
  const busy = src.saturation ?? ((): number => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, elu).utilization;
    elu = now;
    return share;
  });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const deliver = (upTo: number): void => {
    if (next > upTo) return;
    const saturation = busy();
    for (; next <= upTo; next++) {
      const snapshot: SecondSnapshot = {
        t: next,
        elapsedS: (performance.now() - src.t0) / 1000,
        users: src.users(),
        droppedIterations: src.droppedIterations(),
        generatorSaturation: saturation,
        entries: src.recorder.second(next),
      };
      for (const o of streams) o.second?.(snapshot);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    const ms = Date.now();
    const complete = src.completeUpTo;
    timer = setTimeout(() => {
      deliver(complete ? Math.min(complete(), Math.floor(Date.now() / 1000) - 1) : Math.floor(Date.now() / 1000) - 1);
      schedule();
    }, complete ? POLL_MS : 1000 - (ms % 1000) + SETTLE_MS);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      deliver(Math.floor(Date.now() / 1000));
    },
  };
}
