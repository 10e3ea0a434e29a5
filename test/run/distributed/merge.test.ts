/**
 * Merging segments (workers' IPC snapshots, shard files): totals add up exactly, quantiles stay
 * within 0.5 % of one digest over the same samples, and the merged result is the same whatever
 * order the parts come in; a part given twice counts once; a dead worker's series is kept.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random.js';
import { owns } from '../../../src/executor/segment.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { QUANTILE_KEYS, type RunAudit } from '../../../src/metrics/result.js';
import { SegmentLiveStats } from '../../../src/run/distributed/live-stats.js';
import { mergeSegments, sumUsers } from '../../../src/run/distributed/merge.js';
import { subSegment } from '../../../src/run/distributed/segment-of.js';
import type { SegmentResult } from '../../../src/run/distributed/segment-result.js';

const T0 = 1_700_000_000_000;
const ROUTES = ['/ingest/metrics', '/ingest/logs', '/api/runs/create'];

interface Sample { route: string; ms: number; ok: boolean; bytes: number; atMs: number; error?: string }

/** 200,000 samples of a lognormal body plus a slow cluster, over 40 s, some failing. */
function samples(n = 200_000): Sample[] {
  const rnd = mulberry32(42);
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const u1 = Math.max(rnd(), 1e-12), u2 = rnd();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const slow = rnd() < 0.03;
    const ms = slow ? 800 + rnd() * 700 : Math.exp(Math.log(20) + 0.6 * z);
    const ok = rnd() >= 0.01;
    out.push({ route: ROUTES[i % 3], ms, ok, bytes: 100 + (i % 50), atMs: T0 + Math.floor((i / n) * 40_000), error: ok ? undefined : `HTTP ${500 + (i % 3)}` });
  }
  return out;
}

function record(into: Recorder, clock: { ms: number }, s: Sample): void {
  clock.ms = s.atMs;
  into.record('POST', s.route, s.ms, s.ok, s.bytes, s.error);
}

function run(id: number, logged: number): RunAudit {
  return { runId: id, runName: `load-test-run-${id}`, logged, acked: logged - 1, failed: 1, pending: 0, expectedRows: logged * 3 };
}

/** The samples split over `count` segments as the executors split users (striped), each its own recorder. */
function segmentParts(all: Sample[], count: number): SegmentResult[] {
  return Array.from({ length: count }, (_, index) => {
    const clock = { ms: T0 };
    const rec = new Recorder({ now: () => clock.ms });
    rec.setUsers(0);
    all.forEach((s, i) => owns({ index, count }, i) && record(rec, clock, s));
    clock.ms = T0 + 2_000 + index * 1_000;
    rec.setUsers(5 + index);
    const part: SegmentResult = {
      segment: { index, count }, startedAtMs: T0 + index * 10, durationS: 40, interrupted: false,
      stats: rec.snapshot(), runs: [run(index + 1, 100 + index), run(index + 1 + count, 50)], storageChecked: false,
    };
    return JSON.parse(JSON.stringify(part)) as SegmentResult; // as it crosses IPC or sits in a file
  });
}

describe('mergeSegments', () => {
  const all = samples();
  const parts = segmentParts(all, 4);
  const clock = { ms: T0 };
  const single = new Recorder({ now: () => clock.ms });
  for (const s of all) record(single, clock, s);

  it('adds requests, failures, bytes, errors and runs up exactly', () => {
    const merged = mergeSegments(parts, 4);
    for (const name of single.names()) {
      const a = merged.recorder.summary(name, 40), b = single.summary(name, 40);
      expect({ count: a?.count, failures: a?.failures, bytes: a?.bytes, min: a?.minMs, max: a?.maxMs }).toEqual({ count: b?.count, failures: b?.failures, bytes: b?.bytes, min: b?.minMs, max: b?.maxMs });
      expect(a?.avgMs).toBeCloseTo(b?.avgMs ?? NaN, 9);
    }
    expect(merged.recorder.failures()).toEqual(single.failures());
    expect(merged.runs.map((r) => r.runId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(merged.runs.reduce((n, r) => n + r.logged, 0)).toBe(100 + 101 + 102 + 103 + 4 * 50);
    const perSecond = (r: Recorder): number[] => r.history('all', () => true).map((p) => p.requests);
    expect(perSecond(merged.recorder)).toEqual(perSecond(single));
    expect(merged.missing).toEqual([]);
  });

  it('keeps every quantile within 0.5 % of one digest over the same samples', () => {
    const merged = mergeSegments(parts, 4);
    let worst = 0;
    for (const name of [...single.names(), 'all']) {
      const a = name === 'all' ? merged.recorder.group('all', () => true, 40) : merged.recorder.summary(name, 40);
      const b = name === 'all' ? single.group('all', () => true, 40) : single.summary(name, 40);
      for (const k of QUANTILE_KEYS) {
        const rel = Math.abs((a?.percentiles[k] ?? NaN) - (b?.percentiles[k] ?? NaN)) / (b?.percentiles[k] ?? NaN);
        worst = Math.max(worst, rel);
      }
    }
    expect(worst).toBeLessThan(0.005);
  });

  it('gives the same result whatever order the parts come in', () => {
    const reference = JSON.stringify(resultOf(mergeSegments(parts, 4)));
    for (const order of [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]]) {
      expect(JSON.stringify(resultOf(mergeSegments(order.map((i) => parts[i]), 4)))).toBe(reference);
    }
  });

  it('counts a segment given twice once, preferring a complete copy, in any order', () => {
    const retry = { ...parts[1], interrupted: true, startedAtMs: parts[1].startedAtMs + 5 };
    const once = JSON.stringify(resultOf(mergeSegments(parts, 4)));
    const a = mergeSegments([...parts, parts[1], retry], 4);
    const b = mergeSegments([retry, parts[1], ...parts.slice().reverse()], 4);
    expect(JSON.stringify(resultOf(a))).toBe(once);
    expect(JSON.stringify(resultOf(b))).toBe(once);
    expect(a.duplicates.get(1)).toBe(2);
    expect(a.interrupted).toBe(false);
  });

  it('names missing segments and sums users with each segment carried forward', () => {
    const merged = mergeSegments([parts[0], parts[2]], 4);
    expect(merged.missing).toEqual([1, 3]);
    expect(sumUsers([[[10, 5], [12, 7]], [[11, 3]]])).toEqual([[10, 5], [11, 8], [12, 10]]);
    const full = mergeSegments(parts, 4).recorder.history('all', () => true);
    expect(full[full.length - 1].users).toBe(5 + 6 + 7 + 8);
  });
});

describe('mergeSegments: the storage state of the parts', () => {
  const parts = segmentParts(samples(2_000), 3);
  const withStorage = (states: (SegmentResult['storage'] | boolean)[]): SegmentResult[] =>
    parts.map((p, i) => {
      const s = states[i];
      if (typeof s === 'boolean') return { ...p, storageChecked: s }; // a file written before `storage` existed
      return { ...p, storageChecked: s === 'checked', storage: s, ...(s === 'unreadable' ? { storageProblem: `flush ${i} stuck` } : {}) };
    });

  it('any unreadable part makes it unreadable, naming each such part; all checked is checked; else acked-only', () => {
    const u = mergeSegments(withStorage(['checked', 'unreadable', 'acked-only']), 3);
    expect([u.storage, u.storageChecked, u.unreadable]).toEqual(['unreadable', false, [{ index: 1, problem: 'flush 1 stuck' }]]);
    expect(mergeSegments(withStorage(['checked', 'checked', true]), 3).storage).toBe('checked');
    expect(mergeSegments(withStorage(['checked', 'acked-only', 'checked']), 3).storage).toBe('acked-only');
    expect(mergeSegments(withStorage([true, false, true]), 3).storage).toBe('acked-only');
    // a part without SDK runs says nothing about storage
    const noRuns = withStorage(['checked', 'checked', 'acked-only']).map((p, i) => (i === 2 ? { ...p, runs: [] } : p));
    expect(mergeSegments(noRuns, 3).storage).toBe('checked');
  });
});

describe('SegmentLiveStats (what the coordinator keeps of a worker)', () => {
  it('rebuilds the whole series and users from per-second messages that carry only the last seconds', () => {
    const clock = { ms: T0 };
    const rec = new Recorder({ now: () => clock.ms });
    const live = new SegmentLiveStats();
    let bytes = 0;
    for (let s = 0; s < 20; s++) {
      rec.setUsers(s + 1);
      for (let k = 0; k < 1000 + 300 * s; k++) {
        clock.ms = T0 + s * 1000 + (k % 1000);
        rec.record('POST', '/ingest/metrics', 5 + (k % 97) + k / 1000, k % 7 !== 0);
      }
      const message = JSON.stringify(rec.liveSnapshot(Math.floor(clock.ms / 1000) - 2)); // as it crosses IPC
      bytes = message.length;
      live.update(JSON.parse(message));
    }
    expect(live.activeUsers).toBe(20);
    const kept = new Recorder();
    kept.mergeSnapshot(live.snapshot());
    const whole = (r: Recorder) => r.history('x', () => true).map((p) => [p.t, p.requests, p.users, p.p95Ms]);
    expect(whole(kept)).toEqual(whole(rec));
    expect(kept.summary('POST /ingest/metrics', 20)).toEqual(rec.summary('POST /ingest/metrics', 20));
    // Digests go folded into centroids (no raw samples): the last message of 6,700 requests a second stays small.
    expect(bytes).toBeLessThan(60_000);
  });
});

describe('subSegment (workers inside a shard)', () => {
  it('splits a shard exactly: every item of shard I goes to one of its workers and to no other shard', () => {
    for (const [shards, workers] of [[1, 2], [3, 2], [4, 3]]) {
      for (let i = 0; i < 1000; i++) {
        const owners: string[] = [];
        for (let s = 0; s < shards; s++) for (let w = 0; w < workers; w++) if (owns(subSegment({ index: s, count: shards }, w, workers), i)) owners.push(`${s}/${w}`);
        expect(owners).toHaveLength(1);
        expect(owners[0].split('/')[0]).toBe(String(i % shards));
      }
    }
  });
});

function resultOf(m: ReturnType<typeof mergeSegments>): unknown {
  return {
    entries: m.recorder.summaries(40),
    all: m.recorder.group('all', () => true, 40),
    history: m.recorder.history('all', () => true),
    failures: m.recorder.failures(),
    runs: m.runs,
  };
}
