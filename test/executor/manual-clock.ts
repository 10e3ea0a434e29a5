/**
 * A Clock for executor tests: time moves only when the test says so — from one due timer to the
 * next (`runUntil`) or up to a time (`advanceTo`) — with the promise jobs each timer starts run
 * before time moves on, so a schedule can be checked to the millisecond without waiting for it.
 */
import type { Clock } from '../../src/core/clock.js';

interface Timer {
  due: number;
  seq: number;
  fire: () => void;
}

/** Lets pending promise jobs run (several macrotask turns, so chains of awaits finish). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // The abort listener lives only as long as the sleep: a timer that fires removes it, so a
      // signal shared by a whole run does not collect one listener per wait (as the real clock's
      // timers/promises sleep does not).
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      const timer: Timer = {
        due: this.t + ms,
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `fn` when the clock reaches `at` ms. */
  at(at: number, fn: () => void): void {
    this.timers.push({ due: at, seq: this.seq++, fire: fn });
  }

  /** Moves time from timer to timer until `p` settles; fails on a deadlock or past `limitMs`. */
  async runUntil<T>(p: Promise<T>, limitMs = 10_000_000): Promise<T> {
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      await settle();
      if (settled) return p;
      if (this.timers.length === 0) throw new Error(`deadlock at ${this.t} ms: nothing is scheduled and the run has not ended`);
      const next = this.takeNext();
      if (next.due > limitMs) throw new Error(`the run did not end by ${limitMs} ms`);
      this.t = Math.max(this.t, next.due);
      next.fire();
    }
  }

  /** Moves time to `at`, firing every timer due on the way (and the work each one starts). */
  async advanceTo(at: number): Promise<void> {
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.timers[0];
      if (next === undefined || next.due > at) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.due);
      next.fire();
      await settle();
    }
    this.t = Math.max(this.t, at);
    await settle();
  }

  private takeNext(): Timer {
    this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    return this.timers.shift()!;
  }
}
