import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/metrics/recorder.js';
import { OTHER_ERRORS, UNKNOWN_ERROR } from '../../src/metrics/stats-entry.js';

/** A recorder on a hand-driven clock (epoch ms). */
function clocked(startMs = 1_700_000_000_000): { rec: Recorder; clock: { ms: number } } {
  const clock = { ms: startMs };
  return { rec: new Recorder({ now: () => clock.ms }), clock };
}

describe('Recorder reads in a later second', () => {
  // The live page reads every entry just after each second ends; the reads close the seconds
  // before it in the entries' digests, which the next sample would have done: the final figures
  // must not depend on whether, or when, a page looked.
  it('leave every figure as a recorder never read gives, read early or late in a second', () => {
    const quiet = clocked(), watched = clocked();
    let x = 7;
    const rnd = (): number => ((x = (x * 48271) % 2147483647) / 2147483647);
    for (let ms = 0; ms < 8000; ms += 0.25) { // 4,000 samples a second for 8 s
      const latency = 0.5 + 3 * rnd() ** 4;
      for (const { rec, clock } of [quiet, watched]) {
        clock.ms = 1_700_000_000_000 + ms;
        rec.record('POST', '/ingest/metrics', latency, true);
      }
      const inSecond = ms % 1000;
      if (inSecond === 30 || inSecond === 700) {
        watched.rec.summaries(ms / 1000);
        watched.rec.group('Aggregated', () => true, ms / 1000);
      }
    }
    for (const { clock } of [quiet, watched]) clock.ms += 3000; // read in a later second, with no sample since
    expect(watched.rec.summaries(8)).toEqual(quiet.rec.summaries(8));
    expect(watched.rec.snapshot()).toEqual(quiet.rec.snapshot());
  });
});

describe('Recorder entries', () => {
  it('counts failures in count, records their latency, and groups them by message', () => {
    const { rec } = clocked();
    rec.record('POST', '/ingest/metrics', 10, true, 100);
    rec.record('POST', '/ingest/metrics', 30, false, 50, 'HTTP 500');
    rec.record('POST', '/ingest/metrics', 20, false, 0, 'HTTP 500');
    rec.record('POST', '/ingest/logs', 5, false, 0, 'ECONNRESET');
    rec.record('POST', '/ingest/logs', 6, false);

    const s = rec.summary('POST /ingest/metrics', 2);
    expect(s).toMatchObject({ name: 'POST /ingest/metrics', method: 'POST', route: '/ingest/metrics', count: 3, failures: 2, bytes: 150, avgBytes: 50, minMs: 10, maxMs: 30, avgMs: 20, rps: 1.5, failuresPerS: 1 });
    expect(s?.percentiles.p50).toBe(20);
    expect(s?.percentiles.p100).toBe(30);
    expect(rec.failures()).toEqual([
      { method: 'POST', name: '/ingest/metrics', error: 'HTTP 500', occurrences: 2 },
      { method: 'POST', name: '/ingest/logs', error: 'ECONNRESET', occurrences: 1 },
      { method: 'POST', name: '/ingest/logs', error: UNKNOWN_ERROR, occurrences: 1 },
    ]);
    expect(rec.names()).toEqual(['POST /ingest/logs', 'POST /ingest/metrics']);
    expect(rec.summaries(2).map((e) => e.name)).toEqual(['POST /ingest/logs', 'POST /ingest/metrics']);
    expect(rec.summary('GET /nothing', 2)).toBeUndefined();
  });

  it('records a negative or NaN duration (a clock step, a bug upstream) as 0 instead of poisoning the sums', () => {
    const { rec } = clocked();
    rec.record('POST', '/a', 10, true);
    rec.record('POST', '/a', -3, true);
    rec.record('POST', '/a', Number.NaN, true, Number.NaN);
    expect(rec.summary('POST /a', 1)).toMatchObject({ count: 3, minMs: 0, maxMs: 10, bytes: 0 });
    expect(rec.summary('POST /a', 1)?.avgMs).toBeCloseTo(10 / 3, 10);
  });

  it('caps the distinct error messages kept per entry', () => {
    const { rec } = clocked();
    for (let i = 0; i < 150; i++) rec.record('POST', '/x', 1, false, 0, `error ${i}`);
    const groups = rec.failures();
    expect(groups).toHaveLength(101);
    expect(groups[0]).toEqual({ method: 'POST', name: '/x', error: OTHER_ERRORS, occurrences: 50 });
    expect(groups.reduce((n, g) => n + g.occurrences, 0)).toBe(150);
  });

  it('merges selected entries into one row (Aggregated, or the SDK HTTP entries)', () => {
    const { rec } = clocked();
    for (let i = 1; i <= 100; i++) rec.record('POST', '/ingest/metrics', i, true, 10);
    for (let i = 1; i <= 100; i++) rec.record('POST', '/api/runs/create', 1000 + i, i > 90, 5, 'HTTP 503');
    rec.record('SDK', 'run.log (metrics)', 0.01, true);

    const agg = rec.group('Aggregated', () => true, 10);
    expect(agg).toMatchObject({ name: 'Aggregated', method: '', route: 'Aggregated', count: 201, failures: 90, bytes: 1500, maxMs: 1100, minMs: 0.01 });
    expect(agg.rps).toBeCloseTo(20.1, 10);

    const http = rec.group('SDK HTTP (all)', (n) => n.startsWith('POST '), 10);
    expect(http.count).toBe(200);
    expect(http.percentiles.p50).toBe(100);
    expect(http.percentiles.p95).toBe(1090);

    const byList = rec.group('metrics only', ['POST /ingest/metrics', 'POST /ingest/metrics', 'missing'], 10);
    expect(byList.count).toBe(100);
    const none = rec.group('nothing', [], 10);
    expect(none).toMatchObject({ count: 0, avgMs: 0, minMs: 0, maxMs: 0, avgBytes: 0 });
    expect(none.percentiles.p99).toBe(0);
  });
});

describe('Recorder time series', () => {
  it('keeps one bucket per second with users, per-second percentiles and running totals', () => {
    const { rec, clock } = clocked(1_700_000_000_500);
    const t0 = Math.floor(clock.ms / 1000);
    rec.setUsers(10);
    for (let i = 1; i <= 100; i++) rec.record('POST', '/a', i, i % 10 !== 0);
    clock.ms += 1000;
    rec.setUsers(20);
    rec.record('POST', '/b', 500, true);
    clock.ms += 2000; // one quiet second in between
    rec.record('POST', '/a', 7, true);

    const h = rec.history('Aggregated', () => true);
    expect(h.map((p) => p.t)).toEqual([t0, t0 + 1, t0 + 2, t0 + 3]);
    expect(h.map((p) => p.users)).toEqual([10, 20, 20, 20]);
    expect(h.map((p) => p.requests)).toEqual([100, 1, 0, 1]);
    expect(h.map((p) => p.failures)).toEqual([10, 0, 0, 0]);
    expect(h.map((p) => p.totalRequests)).toEqual([100, 101, 101, 102]);
    expect(h.map((p) => p.totalFailures)).toEqual([10, 10, 10, 10]);
    expect([h[0].p50Ms, h[0].p95Ms, h[0].p99Ms]).toEqual([50, 95, 99]);
    expect([h[2].p50Ms, h[3].p50Ms]).toEqual([0, 7]);

    const onlyB = rec.history('b', ['POST /b']);
    expect(onlyB).toHaveLength(1);
    expect(onlyB[0]).toMatchObject({ t: t0 + 1, requests: 1, p95Ms: 500, users: 20 });
    expect(rec.history('none', [])).toEqual([]);
  });

  it('gives a live window: requests/s over the time covered, p50/p95 of the recent samples', () => {
    const { rec, clock } = clocked(1_700_000_000_000);
    for (let s = 0; s < 20; s++) {
      for (let i = 0; i < 10; i++) rec.record('POST', '/a', s < 15 ? 1 : 100, s !== 19);
      clock.ms += 1000;
    }
    clock.ms -= 1; // 19.999 s after the start, inside the 20th second
    const w = rec.window(() => true, 5);
    expect(w.count).toBe(50);
    expect(w.failures).toBe(10);
    expect(w.rps).toBeCloseTo(50 / 4.999, 6);
    expect(w.p50Ms).toBe(100);
    expect(w.p95Ms).toBe(100);
    const early = clocked(1_700_000_000_000);
    early.clock.ms += 500;
    early.rec.record('POST', '/a', 3, true);
    expect(early.rec.window(['POST /a'], 10)).toMatchObject({ count: 1, rps: 2, p50Ms: 3 });
  });
});

describe('Recorder snapshots', () => {
  it('merges workers through JSON: counts, failures, digests, history and users add up', () => {
    const start = 1_700_000_000_000;
    const workers = [0, 1].map((w) => {
      const { rec, clock } = clocked(start);
      rec.setUsers(5);
      for (let i = 1; i <= 50; i++) rec.record('POST', '/ingest/metrics', w * 50 + i, i !== 1, 2, `fail ${w}`);
      clock.ms += 1000;
      rec.record('E2E', 'log→ack', 40 + w, true);
      return JSON.parse(JSON.stringify(rec.snapshot())) as ReturnType<Recorder['snapshot']>;
    });
    const merged = new Recorder({ now: () => start + 2000 });
    for (const s of workers) merged.mergeSnapshot(s);

    const m = merged.summary('POST /ingest/metrics', 1);
    expect(m).toMatchObject({ count: 100, failures: 2, bytes: 200, minMs: 1, maxMs: 100 });
    expect(m?.percentiles.p50).toBe(50);
    expect(m?.percentiles.p99).toBe(99);
    expect(merged.summary('E2E log→ack', 1)).toMatchObject({ count: 2, minMs: 40, maxMs: 41 });
    expect(merged.failures().map((f) => [f.error, f.occurrences])).toEqual([['fail 0', 1], ['fail 1', 1]]);
    const h = merged.history('Aggregated', () => true);
    expect(h.map((p) => [p.requests, p.users])).toEqual([[100, 10], [2, 10]]);
    expect(h[0].p50Ms).toBe(50);
    // A merged recorder keeps recording.
    merged.record('POST', '/ingest/metrics', 1000, true);
    expect(merged.summary('POST /ingest/metrics', 1)?.maxMs).toBe(1000);
  });
});
