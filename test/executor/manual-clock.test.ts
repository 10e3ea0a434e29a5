import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('leaves no abort listener behind once a sleep has ended by its timer', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const waits = (async () => {
      for (let i = 0; i < 50; i++) await clock.sleep(10, stop.signal);
    })();
    await clock.runUntil(waits);
    expect(clock.now()).toBe(500);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('still ends a sleep early when its signal aborts', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    let woke = false;
    void clock.sleep(1_000, stop.signal).then(() => (woke = true));
    await clock.advanceTo(10);
    expect(woke).toBe(false);
    stop.abort();
    await clock.advanceTo(20);
    expect(woke).toBe(true);
    expect(clock.now()).toBe(20);
  });
});
