import { describe, expect, it } from 'vitest';
import { Digest } from '../../src/metrics/digest.js';
import { Recorder } from '../../src/metrics/recorder.js';
import { COARSE_SECONDS, FINE_SECONDS, TimeSeries } from '../../src/metrics/time-series.js';
import { statsHistoryCsv } from '../../src/output/locust/csv.js';
import { locustStatsJson } from '../../src/output/locust/json.js';

/** Epoch second on a minute boundary, so the folds below fall where the test says. */
const T0 = 1_700_000_040;

/** `seconds` seconds from T0 with `perSecond` samples each; latency depends on the second and the sample. */
function fill(series: TimeSeries, seconds: number, perSecond = 10, from = T0): { count: number; failures: number } {
  let count = 0, failures = 0;
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      const ok = (s + i) % 7 !== 0;
      series.add(from + s, 5 + ((s * 13 + i * 7) % 50), ok, 100);
      count++;
      if (!ok) failures++;
    }
  }
  return { count, failures };
}

const sum = (buckets: { count: number }[]): number => buckets.reduce((n, b) => n + b.count, 0);

describe('TimeSeries: bounded memory on long runs', () => {
  it('keeps one-second buckets for exactly the last five minutes and folds older seconds into epoch minutes', () => {
    const series = new TimeSeries();
    const { count, failures } = fill(series, 3 * 3600); // three hours
    const buckets = series.all();
    const seconds = buckets.filter((b) => b.span === 1);
    const minutes = buckets.filter((b) => b.span === COARSE_SECONDS);
    expect(seconds.length).toBe(FINE_SECONDS);
    expect(minutes.length).toBe((3 * 3600 - seconds.length) / COARSE_SECONDS);
    expect(minutes.every((b) => b.t % COARSE_SECONDS === 0)).toBe(true);
    // Nothing is lost in the fold.
    expect(sum(buckets)).toBe(count);
    expect(buckets.reduce((n, b) => n + b.failures, 0)).toBe(failures);
    expect(buckets.reduce((n, b) => n + b.bytes, 0)).toBe(count * 100);
    // A folded second is no longer served as a second; a recent one is.
    expect(series.get(T0 + 10)).toBeUndefined();
    expect(series.get(T0 + 3 * 3600 - 1)?.count).toBe(10);
  });

  it('a folded minute holds the same latencies as its seconds merged', () => {
    const series = new TimeSeries();
    fill(series, 20 * 60, 40);
    const reference = new Digest(15);
    for (let s = 0; s < 60; s++) for (let i = 0; i < 40; i++) reference.push(5 + ((s * 13 + i * 7) % 50));
    const minute = series.all().find((b) => b.t === T0);
    expect(minute).toMatchObject({ span: 60, count: 2400 });
    for (const q of [0.5, 0.95, 0.99]) expect(Math.abs(minute!.digest.quantile(q) - reference.quantile(q))).toBeLessThanOrEqual(reference.quantile(q) * 0.02);
  });

  it('merges folded and unfolded series to the same counts in either order', () => {
    const a = new TimeSeries();
    const b = new TimeSeries();
    fill(a, 30 * 60); // folded up to its last five minutes
    fill(b, 4 * 60); // not folded at all
    const ab = new TimeSeries();
    ab.mergeSnapshot(a.snapshot());
    ab.mergeSnapshot(b.snapshot());
    const ba = new TimeSeries();
    ba.mergeSnapshot(b.snapshot());
    ba.mergeSnapshot(a.snapshot());
    const shape = (s: TimeSeries): [number, number, number][] => s.all().map((x) => [x.t, x.span, x.count]);
    expect(shape(ab)).toEqual(shape(ba));
    expect(sum(ab.all())).toBe(30 * 60 * 10 + 4 * 60 * 10);
    // b's seconds fall in minutes a has folded: they are folded too, not kept beside them.
    expect(ab.all().find((x) => x.t === T0)).toMatchObject({ span: 60, count: 60 * 10 * 2 });
    expect(ab.get(T0 + 30)).toBeUndefined();
  });

  it('a late sample of a folded second goes to its minute', () => {
    const series = new TimeSeries();
    fill(series, 10 * 60);
    series.add(T0 + 5, 1, true);
    expect(series.all().find((b) => b.t === T0)).toMatchObject({ span: 60, count: 601 });
  });
});

describe('Recorder history after a fold', () => {
  it('gives minute points with per-second rates before the last five minutes, and exact totals', () => {
    const clock = { ms: (T0 + 30) * 1000 }; // the run starts half-way through a minute
    const rec = new Recorder({ now: () => clock.ms });
    rec.setUsers(5);
    const seconds = 12 * 60;
    for (let s = 0; s < seconds; s++) {
      clock.ms = (T0 + 30 + s) * 1000 + 500;
      for (let i = 0; i < 4; i++) rec.record('POST', '/ingest/metrics', 10 + i, i !== 3, 10);
    }
    const points = rec.history('Aggregated', () => true);
    const minutes = points.filter((p) => p.spanS !== undefined);
    const perSecond = points.filter((p) => p.spanS === undefined);
    expect(minutes.length).toBeGreaterThan(0);
    // The first point starts at the run's first second and covers the rest of that minute.
    expect(points[0]).toMatchObject({ t: T0 + 30, spanS: 30, requests: 4, failures: 1, users: 5 });
    expect(minutes.slice(1).every((p) => p.t % 60 === 0 && p.requests === 4)).toBe(true);
    expect(minutes.slice(1, -1).every((p) => p.spanS === 60)).toBe(true);
    // The last minute point ends where the last five minutes of one-second points begin.
    expect(perSecond).toHaveLength(FINE_SECONDS);
    expect(minutes.at(-1)!.t + minutes.at(-1)!.spanS!).toBe(perSecond[0].t);
    // Points tile the run without gaps or overlaps.
    for (let i = 1; i < points.length; i++) expect(points[i].t).toBe(points[i - 1].t + (points[i - 1].spanS ?? 1));
    expect(points.at(-1)).toMatchObject({ t: T0 + 30 + seconds - 1, totalRequests: seconds * 4, totalFailures: seconds });
    expect(points.at(-1)!.totalAvgBytes).toBe(10);
    expect(minutes[1].p50Ms).toBeGreaterThanOrEqual(10);
    expect(minutes[1].p99Ms).toBe(13);

    // Locust's files: one history row per point; --json spreads a minute's rate over its seconds.
    const result = { history: { Aggregated: points }, entries: [], aggregated: undefined } as never;
    const rows = statsHistoryCsv(result).trim().split('\n');
    expect(rows.length - 1).toBe(points.length);
    expect(Number(rows[2].split(',')[4])).toBe(4);
  });

  it('fills --json per-second counts for every second of a folded minute', () => {
    const clock = { ms: T0 * 1000 };
    const rec = new Recorder({ now: () => clock.ms });
    for (let s = 0; s < 8 * 60; s++) {
      clock.ms = (T0 + s) * 1000;
      rec.record('GET', '/x', 1, true);
      rec.record('GET', '/x', 1, true);
    }
    const history = { 'GET /x': rec.history('GET /x', ['GET /x']) };
    const entries = rec.summaries(8 * 60);
    const [json] = locustStatsJson({ history, entries, startedAt: new Date(T0 * 1000).toISOString() } as never);
    expect(Object.keys(json.num_reqs_per_sec)).toHaveLength(8 * 60);
    expect(Object.values(json.num_reqs_per_sec).every((n) => n === 2)).toBe(true);
    expect(json.last_request_timestamp).toBe(T0 + 8 * 60 - 1);
  });
});

describe('Recorder history of an entry that went quiet', () => {
  it('ends with the minute of its last sample, on the same grid as the entries still running', () => {
    const clock = { ms: T0 * 1000 };
    const rec = new Recorder({ now: () => clock.ms });
    for (let s = 0; s < 15 * 60; s++) {
      clock.ms = (T0 + s) * 1000 + 10;
      rec.record('POST', '/ingest/metrics', 5, true);
      if (s < 7 * 60) rec.record('POST', '/ingest/logs', 5, true); // stops after 7 minutes
    }
    const quiet = rec.history('POST /ingest/logs', ['POST /ingest/logs']);
    const busy = rec.history('POST /ingest/metrics', ['POST /ingest/metrics']);
    expect(quiet.at(-1)).toMatchObject({ t: T0 + 6 * 60, spanS: 60, requests: 1, totalRequests: 7 * 60 });
    expect(quiet.every((p) => p.spanS === 60)).toBe(true);
    expect(quiet.map((p) => p.t)).toEqual(busy.slice(0, quiet.length).map((p) => p.t));
  });
});
