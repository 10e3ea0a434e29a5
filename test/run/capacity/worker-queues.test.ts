/**
 * The sdk keep-up test under --workers: the workers' streamed queue readings, merged on one 250 ms
 * grid, must give the fleet's pending records over time and the records logged in the window —
 * what one process's sampler would read over the same runs — so the same queue trend judges it.
 */
import { describe, expect, it } from 'vitest';
import { keptUpShare, queueTrend } from '../../../src/executor/capacity/queue-trend.js';
import { mergedQueue } from '../../../src/run/capacity/worker-queues.js';
import { WorkerLive } from '../../../src/run/distributed/worker-live.js';
import type { QueueReading } from '../../../src/run/distributed/worker-protocol.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import type { SdkRun } from '../../../src/load/sdk-session.js';

const T0 = 1_700_000_000_000;

/** Readings every 250 ms from `offsetMs` for `seconds`: pending and logged as functions of time (s). */
function readings(offsetMs: number, seconds: number, pending: (t: number) => number, logged: (t: number) => number): QueueReading[] {
  const out: QueueReading[] = [];
  for (let ms = offsetMs; ms <= seconds * 1000; ms += 250) out.push({ at: T0 + ms, pending: pending(ms / 1000), logged: logged(ms / 1000) });
  return out;
}

describe('mergedQueue: the workers\' SDK queues on one grid', () => {
  it('sums the workers\' pending records at each grid moment (each with its latest reading) and the records they logged in the window', () => {
    // Worker A reads on the grid, worker B 125 ms off it; both queues grow by 5 records a second.
    const a = readings(0, 20, (t) => 10 + 5 * Math.floor(t * 4) / 4, (t) => 100 * t);
    const b = readings(125, 20, (t) => 20 + 5 * t, (t) => 50 * t);
    const m = mergedQueue([a, b], T0 + 10_000, T0 + 15_000);
    expect(m.samples).toHaveLength(21);
    expect(m.samples[0]).toEqual({ t: 0, pending: 60 + (20 + 5 * 9.875) });
    expect(m.samples.at(-1)).toEqual({ t: 5, pending: 85 + (20 + 5 * 14.875) });
    expect(m.logged).toBeCloseTo(100 * 5 + 50 * 5, 6);
    const trend = queueTrend(m.samples);
    expect(trend.slope).toBeCloseTo(10, 1);
    // 10 records a second of growth against 150 logged a second: 1 − 10/150 at most kept up.
    expect(keptUpShare(trend, m.logged / 5)).toBeLessThan(0.94);
  });

  it('gives what one process reads when the same runs are split over two workers', () => {
    const runA = (t: number): number => 30 + 8 * Math.sin(2 * Math.PI * t);
    const runB = (t: number): number => 12 + 6 * Math.cos(2 * Math.PI * t);
    const one = mergedQueue([readings(0, 20, (t) => runA(t) + runB(t), (t) => 90 * t)], T0 + 6_000, T0 + 12_000);
    const two = mergedQueue([readings(0, 20, runA, (t) => 60 * t), readings(0, 20, runB, (t) => 30 * t)], T0 + 6_000, T0 + 12_000);
    expect(two.samples.map((s) => s.t)).toEqual(one.samples.map((s) => s.t));
    two.samples.forEach((s, i) => expect(s.pending).toBeCloseTo(one.samples[i].pending, 9));
    expect(two.logged).toBeCloseTo(one.logged, 9);
  });

  it('keeps up: two sawtooth queues (a 1 s sync cycle each, out of phase) that do not grow', () => {
    const saw = (phase: number) => (t: number): number => 40 * (((t + phase) % 1 + 1) % 1);
    const m = mergedQueue([readings(0, 30, saw(0), (t) => 40 * t), readings(125, 30, saw(0.4), (t) => 40 * t)], T0 + 10_000, T0 + 20_000);
    expect(keptUpShare(queueTrend(m.samples), m.logged / 10)).toBe(1);
  });

  it('a worker counts nothing before its first reading (no run yet); a worker without readings is left out; no readings at all judge nothing', () => {
    const late = readings(12_000, 20, () => 7, (t) => 10 * (t - 12));
    const m = mergedQueue([readings(0, 20, () => 3, (t) => 10 * t), late, []], T0 + 10_000, T0 + 14_000);
    expect(m.samples[0].pending).toBe(3);
    expect(m.samples.find((s) => s.t === 2)!.pending).toBe(10);
    expect(m.logged).toBeCloseTo(40 + 20, 9);
    expect(mergedQueue([[], []], T0, T0 + 5_000)).toEqual({ samples: [], logged: 0 });
    // The window's end is sampled when the grid stops short of it.
    expect(mergedQueue([readings(0, 20, () => 1, () => 0)], T0 + 1_000, T0 + 2_100).samples.at(-1)!.t).toBeCloseTo(1.1, 9);
  });
});

describe('WorkerLive: the queue readings a worker streams', () => {
  const zero = { logged: 0, acked: 0, failed: 0, pending: 0, ackedRows: 0 };
  let ids = 0;
  const run = (pending: number, logged: number): SdkRun => {
    const id = ++ids;
    const byKind = new Proxy({}, { get: () => zero });
    return { id, name: `run-${id}`, delivery: () => ({ pending, logged, acked: logged - pending, failed: 0, ackedRows: 0, byKind }) } as unknown as SdkRun;
  };

  it('reads its runs\' pending and logged records summed, sends them with the next message once, and reads nothing without runs', () => {
    const live = new WorkerLive();
    live.readQueue(T0);
    expect(live.takeQueue()).toBeUndefined();
    live.addRun(run(3, 100));
    live.addRun(run(4, 50));
    live.readQueue(T0 + 250);
    live.readQueue(T0 + 500);
    const m = live.message(new Recorder());
    expect(m.queue).toEqual([{ at: T0 + 250, pending: 7, logged: 150 }, { at: T0 + 500, pending: 7, logged: 150 }]);
    expect(live.message(new Recorder()).queue).toBeUndefined();
  });
});
