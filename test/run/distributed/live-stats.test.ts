import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { FINE_SECONDS } from '../../../src/metrics/time-series.js';
import { LIVE_SERIES_SECONDS, SegmentLiveStats } from '../../../src/run/distributed/live-stats.js';

describe('SegmentLiveStats (a worker as the coordinator holds it)', () => {
  it('keeps every second a worker reported, once, with memory bounded like the worker\'s own series', () => {
    const clock = { ms: 1_700_000_040_000 };
    const worker = new Recorder({ now: () => clock.ms });
    const live = new SegmentLiveStats();
    const seconds = 30 * 60;
    for (let s = 0; s < seconds; s++) {
      for (let i = 0; i < 5; i++) {
        clock.ms += 200;
        worker.record('POST', '/ingest/metrics', 10 + i, i !== 4);
      }
      // The worker's live message: cumulative counters, the series of the last three seconds.
      const at = clock.ms;
      live.update(worker.snapshot(Math.floor(at / 1000) - LIVE_SERIES_SECONDS + 1), at);
    }
    const [entry] = live.snapshot().entries;
    expect(entry.count).toBe(seconds * 5);
    // Every sample of the series is there exactly once (re-sent seconds replaced, not added).
    expect(entry.series.reduce((n, b) => n + b.count, 0)).toBe(seconds * 5);
    expect(entry.series.reduce((n, b) => n + b.failures, 0)).toBe(seconds);
    // Bounded: five minutes of one-second buckets (plus the few the worker may still re-send), minutes before.
    const perSecond = entry.series.filter((b) => (b.span ?? 1) === 1).length;
    expect(perSecond).toBeLessThanOrEqual(FINE_SECONDS + LIVE_SERIES_SECONDS);
    expect(entry.series.length).toBeLessThan(perSecond + 30);
    // The recent view the live line merges holds just the last seconds.
    const recent = live.snapshot(Math.floor(clock.ms / 1000) - LIVE_SERIES_SECONDS).entries[0].series;
    expect(recent.length).toBeLessThanOrEqual(LIVE_SERIES_SECONDS + 1);
    // Rebuilding a recorder from it gives the worker's history.
    const rebuilt = new Recorder({ now: () => clock.ms });
    rebuilt.mergeSnapshot(live.snapshot());
    const a = rebuilt.history('x', () => true);
    const b = worker.history('x', () => true);
    expect(a.map((p) => [p.t, p.spanS, p.requests, p.failures])).toEqual(b.map((p) => [p.t, p.spanS, p.requests, p.failures]));
  });
});
