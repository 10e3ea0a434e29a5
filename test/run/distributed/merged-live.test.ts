/**
 * The coordinator's per-second rows for the streaming outputs (--workers --out): built from the
 * workers' once-a-second reports (only the last seconds of series each time), they equal the rows
 * one recorder over the same samples gives just after each second — counts and running totals —
 * and a second waits for every running worker's report past it, or at most MAX_LAG_MS.
 */
import { describe, expect, it } from 'vitest';
import { Recorder, type EntrySecond } from '../../../src/metrics/recorder.js';
import { LIVE_SERIES_SECONDS, SegmentLiveStats } from '../../../src/run/distributed/live-stats.js';
import { MAX_LAG_MS, MergedLive, type ReportingWorker } from '../../../src/run/distributed/merged-live.js';

const T0 = 1_700_000_000_000;
const ROUTES = ['/ingest/metrics', '/api/runs/create'];

function worker(): ReportingWorker & { live: SegmentLiveStats } {
  return { live: new SegmentLiveStats(), result: undefined, end: undefined };
}

const counts = (rows: EntrySecond[]): unknown => rows.map((e) => [e.entry, e.requests, e.failures, e.totalRequests, e.totalFailures]);

describe('MergedLive', () => {
  it('gives, from the reports of two workers, the rows of one recorder over all their samples', () => {
    const clock = { ms: T0 };
    const single = new Recorder({ now: () => clock.ms });
    const recorders = [new Recorder({ now: () => clock.ms }), new Recorder({ now: () => clock.ms })];
    const workers = [worker(), worker()];
    const view = new MergedLive(workers, T0, () => clock.ms);
    // 12 s of samples every 37 ms, alternating workers, some failing; each worker reports every
    // second at its own phase (worker 1 450 ms after worker 0), as worker-live.ts does.
    const nextReport = [T0 + 1000, T0 + 1450];
    const merged = new Map<number, EntrySecond[]>(), alone = new Map<number, EntrySecond[]>();
    let delivered = Math.floor(T0 / 1000);
    for (let i = 0; clock.ms < T0 + 12_000; i++) {
      clock.ms = T0 + i * 37;
      // the single run's ticker: second t just after it ended
      const ended = Math.floor(clock.ms / 1000) - 1;
      if (!alone.has(ended)) alone.set(ended, single.second(ended));
      for (let w = 0; w < 2; w++) {
        if (clock.ms >= nextReport[w]) {
          workers[w].live.update(recorders[w].snapshot(Math.floor(clock.ms / 1000) - LIVE_SERIES_SECONDS + 1), clock.ms, 0.1);
          nextReport[w] += 1000;
        }
      }
      // the coordinator's ticker: what is complete, never past the current second
      const upTo = Math.min(view.completeUpTo(), Math.floor(clock.ms / 1000) - 1);
      for (; delivered <= upTo; delivered++) merged.set(delivered, view.second(delivered));
      const route = ROUTES[i % 2], ms = 5 + (i % 17), ok = i % 11 !== 0;
      recorders[i % 2].record('POST', route, ms, ok);
      single.record('POST', route, ms, ok);
    }
    expect(merged.size).toBeGreaterThanOrEqual(9);
    for (const [t, rows] of merged) expect(counts(rows), `second ${t - T0 / 1000}`).toEqual(counts(alone.get(t)!));
    // and they held samples: ~27 a second
    expect(merged.get(T0 / 1000 + 5)!.at(-1)!.requests).toBeGreaterThan(20);
  });

  it('waits for every running worker to report past a second, at most MAX_LAG_MS; an ended worker does not hold it', () => {
    const clock = { ms: T0 + 10_100 };
    const a = worker(), b = worker();
    const view = new MergedLive([a, b], T0, () => clock.ms);
    const s = T0 / 1000;
    a.live.update({ version: 1, entries: [], users: [] }, T0 + 10_050, 0);
    b.live.update({ version: 1, entries: [], users: [] }, T0 + 9_500, 0);
    expect(view.completeUpTo()).toBe(s + 8); // b has not reported past second 9 yet
    b.live.update({ version: 1, entries: [], users: [] }, T0 + 10_020, 0);
    expect(view.completeUpTo()).toBe(s + 9);
    clock.ms = T0 + 13_000 + MAX_LAG_MS;
    expect(view.completeUpTo()).toBe(s + 12); // a second 2 s late goes out anyway
    clock.ms = T0 + 10_100;
    b.live.update({ version: 1, entries: [], users: [] }, T0 + 10_020, 0);
    Object.assign(a, { end: { code: null, signal: 'SIGKILL' } }); // a died: only b counts
    expect(view.completeUpTo()).toBe(s + 9);
  });
});
