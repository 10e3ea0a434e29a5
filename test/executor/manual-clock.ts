/**
 * A Clock the test moves by hand: sleeps resolve in time order as `advanceTo()` passes their
 * wake-up time, with the promise jobs they start run before time moves on.
 */
import type { Clock } from '../../src/core/clock.js';

export class ManualClock implements Clock {
  private t = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = { at: this.t + ms, seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      }, { once: true });
    });
  }

  /** Moves time to `at`, firing every timer due on the way (and the work each one starts). */
  async advanceTo(at: number): Promise<void> {
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (next === undefined || next.at > at) break;
      this.timers.shift();
      this.t = next.at;
      next.resolve();
      await settle();
    }
    this.t = Math.max(this.t, at);
    await settle();
  }
}

/** Lets pending promise jobs run (several macrotask turns, so chains of awaits finish). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}
