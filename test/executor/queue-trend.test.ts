/** The SDK keep-up check: a queue's least-squares growth, less two standard errors, as a share of the logging rate. */
import { describe, expect, it } from 'vitest';
import { keptUpShare, queueTrend, type QueueSample } from '../../src/executor/capacity/queue-trend.js';

/** A 1 s sync sawtooth of `amp` records on top of `growth` records/s, sampled every 250 ms for `seconds`. */
function samples(growth: number, amp: number, seconds: number): QueueSample[] {
  const out: QueueSample[] = [];
  for (let t = 0; t <= seconds + 1e-9; t += 0.25) out.push({ t, pending: 50 + growth * t + amp * (t % 1) });
  return out;
}

describe('queueTrend / keptUpShare', () => {
  it('an exact line: its slope, no error', () => {
    const tr = queueTrend([{ t: 0, pending: 10 }, { t: 1, pending: 13 }, { t: 2, pending: 16 }]);
    expect(tr.slope).toBeCloseTo(3, 9);
    expect(tr.slopeError).toBeCloseTo(0, 9);
    expect(keptUpShare(tr, 30)).toBeCloseTo(0.9, 9);
  });

  it('a sawtooth of the sync cycle without growth is kept up (share 1) over a 5 s window', () => {
    expect(keptUpShare(queueTrend(samples(0, 40, 5)), 40)).toBe(1);
  });

  it('a queue growing by 20 % of the logging rate, under the sawtooth, is seen over 5 s', () => {
    const share = keptUpShare(queueTrend(samples(8, 40, 5)), 40);
    expect(share).toBeLessThan(0.98);
    expect(share).toBeGreaterThan(0.75);
  });

  it('no samples, or nothing logged: nothing can be claimed kept up', () => {
    expect(queueTrend([])).toEqual({ slope: 0, slopeError: 0 });
    expect(keptUpShare({ slope: 0, slopeError: 0 }, 0)).toBe(0);
  });
});
