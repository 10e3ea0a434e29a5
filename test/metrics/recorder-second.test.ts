/**
 * What the streaming outputs and the Locust history read from the recorder: one completed
 * second per entry with running totals (Recorder.second), the cumulative Total columns of the
 * history, and errors thrown by scenario code grouped like Locust's exceptions table.
 */
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/metrics/recorder.js';

function clock(startMs: number): { now: () => number; set: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, set: (ms) => void (t = ms) };
}

describe('Recorder.second(t)', () => {
  it("gives each entry's count, failures, percentiles of that second and totals up to its end, then Aggregated", () => {
    const c = clock(1_000_000);
    const r = new Recorder({ now: c.now });
    for (let i = 1; i <= 100; i++) r.record('POST', '/a', i, i % 10 !== 0, 10);
    r.record('GET', '/b', 500, true);
    c.set(1_001_000); // second 1001
    r.record('POST', '/a', 7, false);
    const s = r.second(1000);
    expect(s.map((e) => e.entry)).toEqual(['GET /b', 'POST /a', 'Aggregated']);
    const a = s[1];
    expect(a).toMatchObject({ method: 'POST', route: '/a', requests: 100, failures: 10, totalRequests: 100, totalFailures: 10 });
    expect(a.p50Ms).toBeCloseTo(50, 0);
    expect(a.p99Ms).toBeCloseTo(99, 0);
    expect(s[2]).toMatchObject({ requests: 101, failures: 10, totalRequests: 101, totalFailures: 10 });
    expect(s[2].p99Ms).toBeGreaterThan(99); // the 500 ms sample of /b
    // The next second includes its own sample in its totals.
    expect(r.second(1001)[1]).toMatchObject({ requests: 1, failures: 1, totalRequests: 101, totalFailures: 11, p50Ms: 7 });
    // A quiet second: zero counts, zero percentiles, totals carried.
    expect(r.second(999)[1]).toMatchObject({ requests: 0, p95Ms: 0, totalRequests: 0 });
  });
});

describe('Recorder.history totals (Locust history "Total" columns)', () => {
  it('are cumulative up to each second: count, median, average, min, max, content size', () => {
    const c = clock(2_000_000);
    const r = new Recorder({ now: c.now });
    r.record('POST', '/a', 10, true, 100);
    r.record('POST', '/a', 30, true, 300);
    c.set(2_002_000); // a quiet second in between
    r.record('POST', '/a', 2, true, 50);
    const h = r.history('x', () => true);
    expect(h.map((p) => p.totalRequests)).toEqual([2, 2, 3]);
    expect(h[0]).toMatchObject({ totalMinMs: 10, totalMaxMs: 30, totalAvgMs: 20, totalAvgBytes: 200 });
    expect(h[1]).toMatchObject({ requests: 0, totalAvgMs: 20, totalMaxMs: 30 });
    expect(h[2]).toMatchObject({ totalMinMs: 2, totalMaxMs: 30, totalAvgMs: 14, totalAvgBytes: 150, totalMedianMs: 10 });
    expect(h[2].quantilesMs).toHaveLength(11);
    expect(h[2].quantilesMs[10]).toBe(2); // p100 of that second alone
  });
});

describe('exceptions and --reset-stats', () => {
  it('groups thrown errors by message and stack, most frequent first; snapshots carry them; reset() forgets them', () => {
    const r = new Recorder();
    const thrower = (): Error => new Error('boom');
    for (let i = 0; i < 3; i++) r.exception(thrower());
    r.exception('plain string');
    const list = r.exceptions();
    expect(list[0]).toMatchObject({ count: 3, message: 'Error: boom' });
    expect(list[0].traceback).toMatch(/^at thrower/);
    expect(list[1]).toEqual({ count: 1, message: 'plain string', traceback: '' });
    const merged = new Recorder();
    merged.mergeSnapshot(r.snapshot());
    merged.mergeSnapshot(r.snapshot());
    expect(merged.exceptions()[0].count).toBe(6);
    r.record('GET', '/x', 1, true);
    r.reset();
    expect(r.exceptions()).toEqual([]);
    expect(r.names()).toEqual([]);
  });
});
