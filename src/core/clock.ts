/**
 * Time as the executors see it: a monotonic `now()` in ms and an abortable `sleep()`. The real
 * clock is performance.now() and timers; tests inject a manual clock to check schedules exactly.
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';

export interface Clock {
  /** Monotonic milliseconds (performance.now() for the real clock). */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0 || signal?.aborted) return;
    try {
      await sleepTimer(ms, undefined, { signal });
    } catch {
      /* aborted */
    }
  },
};
