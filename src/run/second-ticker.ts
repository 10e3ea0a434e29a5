/**
 * One timer for every streaming output: just after each wall-clock second ends it builds that
 * second's snapshot once (from the recorder's one-second buckets; nothing is added to the request
 * path) and hands it to each output's second(). stop() delivers the seconds not yet delivered, up
 * to and including the current, partial one, so the last point carries the final totals.
 */
import { performance } from 'node:perf_hooks';
import type { Recorder } from '../metrics/recorder.js';
import type { Output, SecondSnapshot } from '../output/index.js';

/** Samples of second t are complete once t has passed; wait this much more for stragglers. */
const SETTLE_MS = 50;

export interface TickerSources {
  recorder: Recorder;
  users: () => number;
  droppedIterations: () => number;
  /** performance.now() at the start of the load. */
  t0: number;
}

export interface SecondTicker {
  stop(): void;
}

export function startSecondTicker(outputs: readonly Output[], src: TickerSources): SecondTicker | undefined {
  const streams = outputs.filter((o) => o.second !== undefined);
  if (streams.length === 0) return undefined;
  let next = Math.floor(Date.now() / 1000); // the first second to deliver
  let elu = performance.eventLoopUtilization();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const deliver = (upTo: number): void => {
    if (next > upTo) return;
    const now = performance.eventLoopUtilization();
    const saturation = performance.eventLoopUtilization(now, elu).utilization;
    elu = now;
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
    timer = setTimeout(() => {
      deliver(Math.floor(Date.now() / 1000) - 1);
      schedule();
    }, 1000 - (ms % 1000) + SETTLE_MS);
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
