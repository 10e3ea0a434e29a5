import { describe, expect, it } from 'vitest';
import { Digest } from '../../src/metrics/digest.js';
import { bimodal, exactQuantile, gapCase, lognormal } from '../../bench/lib/samples.js';

const GATE_QS = [0.5, 0.9, 0.95, 0.99, 0.999];
/** The bound src/metrics/digest.ts claims (worst relative error, measured by bench/quantiles.ts). */
const CLAIMED = 0.003;
/** The claim over the whole q = 0.001 … 0.999 range on bimodal data (worst seed measured: 0.45 %). */
const CLAIMED_SWEEP = 0.005;
/** q = 0.001 … 0.999 in steps of 0.001. */
const SWEEP = Array.from({ length: 999 }, (_, i) => (i + 1) / 1000);

function digestOf(data: Float64Array, compression?: number): Digest {
  const d = new Digest(compression);
  for (let i = 0; i < data.length; i++) d.push(data[i]);
  return d;
}

function expectWithin(d: Digest, data: Float64Array, qs: number[], rel: number): void {
  const sorted = data.slice().sort();
  for (const q of qs) {
    const truth = exactQuantile(sorted, q);
    const got = d.quantile(q);
    expect(Math.abs(got - truth) / truth, `q=${q}: got ${got}, exact ${truth}`).toBeLessThanOrEqual(rel);
  }
}

describe('Digest accuracy', () => {
  it('is within 0.3 % of exact at p50–p99.9 on 1M lognormal latencies', () => {
    const data = lognormal(1_000_000, 20, 1, 11);
    expectWithin(digestOf(data), data, GATE_QS, CLAIMED);
  });

  it('is within 0.3 % at p50–p99.9 and 0.5 % at every q = 0.001…0.999 on 1M bimodal (fast path + stalled flushes)', () => {
    for (const seed of [2, 12]) {
      const data = bimodal(1_000_000, seed);
      const d = digestOf(data);
      expectWithin(d, data, GATE_QS, CLAIMED);
      expectWithin(d, data, SWEEP, CLAIMED_SWEEP);
    }
  });

  it('reports the true p95 on the gap case (96 × 0–7 ms, 6 × 1,502 ms), so a p95<1500 gate fails', () => {
    const data = gapCase(96, 6, 13);
    const d = digestOf(data);
    expect(d.quantile(0.95)).toBeGreaterThanOrEqual(1487);
    expect(d.quantile(0.95)).toBe(1502);
    expect(d.quantile(0.9)).toBeLessThanOrEqual(7);
  });

  it('does not invent values inside the gap when the gap case is large enough to compress', () => {
    const data = gapCase(960_000, 60_000, 14);
    const d = digestOf(data);
    expect(d.centroidCount).toBeGreaterThan(0);
    expectWithin(d, data, [0.5, 0.9, 0.94, 0.95, 0.99, 0.999], CLAIMED);
    // Nothing between the clusters: every quantile is in one of them.
    for (let q = 0.9; q < 1; q += 0.001) {
      const v = d.quantile(q);
      expect(v <= 7 || v >= 1502, `q=${q.toFixed(3)} gave ${v}`).toBe(true);
    }
  });

  it('keeps sub-millisecond resolution', () => {
    const data = lognormal(200_000, 0.25, 0.5, 15); // ~0.1–1 ms
    expectWithin(digestOf(data), data, GATE_QS, CLAIMED);
    const small = digestOf(Float64Array.from([0.012, 0.034, 0.056]));
    expect(small.quantile(0.5)).toBe(0.034);
  });

  it('gives exact nearest-rank quantiles for small counts', () => {
    const data = lognormal(5000, 20, 1, 16);
    const d = digestOf(data);
    const sorted = data.slice().sort();
    for (const q of [0.01, 0.5, 0.66, 0.95, 0.99, 0.999]) expect(d.quantile(q)).toBe(exactQuantile(sorted, q));
  });
});

describe('Digest merge and serialisation', () => {
  it('merges 8 shards (through JSON) within 0.3 % of exact', () => {
    const data = lognormal(1_000_000, 20, 1, 21);
    const per = data.length / 8;
    const merged = new Digest();
    for (let s = 0; s < 8; s++) {
      const shard = digestOf(data.subarray(s * per, (s + 1) * per));
      merged.merge(Digest.fromJSON(JSON.parse(JSON.stringify(shard.toJSON()))));
    }
    expect(merged.count).toBe(data.length);
    expectWithin(merged, data, GATE_QS, CLAIMED);
  });

  it('stays exact when merging small digests', () => {
    const a = digestOf(gapCase(96, 0, 22));
    const b = digestOf(Float64Array.from([1502, 1502.2, 1502.4, 1502.6, 1502.8, 1503]));
    a.merge(b);
    expect(a.count).toBe(102);
    expect(a.quantile(0.95)).toBe(1502);
    expect(b.count).toBe(6);
  });

  it('round-trips through JSON with the same quantiles, and keeps recording afterwards', () => {
    const data = lognormal(50_000, 20, 1, 23);
    const d = digestOf(data.subarray(0, 30_000));
    const copy = Digest.fromJSON(JSON.parse(JSON.stringify(d.toJSON())));
    for (const q of [0, 0.5, 0.95, 0.99, 1]) expect(copy.quantile(q)).toBe(d.quantile(q));
    expect([copy.count, copy.sum, copy.min, copy.max]).toEqual([d.count, d.sum, d.min, d.max]);
    for (let i = 30_000; i < 50_000; i++) { copy.push(data[i]); d.push(data[i]); }
    expect(copy.quantile(0.99)).toBe(d.quantile(0.99));
  });

  it('sends a folded copy (toFoldedJSON) that answers and merges exactly like a compressed digest, without raw samples', () => {
    const data = lognormal(50_000, 20, 1, 25);
    // Still exact (5,000 samples in the buffer): the folded copy is a compressed digest, within the claim.
    const exact = digestOf(data.subarray(0, 5_000));
    expect(exact.toFoldedJSON().samples).toEqual([]);
    expectWithin(Digest.fromJSON(exact.toFoldedJSON()), data.subarray(0, 5_000), GATE_QS, CLAIMED);
    for (const n of [30_000, 50_000]) { // compressed with a part-full buffer, compressed
      const d = digestOf(data.subarray(0, n));
      const folded = d.toFoldedJSON();
      expect(folded.samples).toEqual([]);
      const copy = Digest.fromJSON(JSON.parse(JSON.stringify(folded)));
      for (let q = 0; q <= 1; q += 0.01) expect(copy.quantile(q)).toBe(d.quantile(q));
      expect([copy.count, copy.sum, copy.min, copy.max]).toEqual([d.count, d.sum, d.min, d.max]);
      const [viaCopy, viaDigest] = [digestOf(data.subarray(0, 1_000)), digestOf(data.subarray(0, 1_000))];
      viaCopy.merge(copy);
      viaDigest.merge(d);
      for (const q of GATE_QS) expect(viaCopy.quantile(q)).toBe(viaDigest.quantile(q));
      // 30,000: 5,400 samples wait in the buffer, sent as centroids (a few hundred).
      if (n === 30_000) expect(JSON.stringify(folded).length).toBeLessThan(JSON.stringify(d.toJSON()).length / 3);
    }
    // A small exact digest goes as it is and stays exact.
    const small = digestOf(data.subarray(0, 200));
    expect(small.toFoldedJSON()).toEqual(small.toJSON());
  });

  it('is deterministic: the same input gives identical quantiles', () => {
    const data = lognormal(300_000, 20, 1, 24);
    const a = digestOf(data);
    const b = digestOf(data);
    for (let q = 0; q <= 1; q += 0.01) expect(a.quantile(q)).toBe(b.quantile(q));
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
  });
});

describe('Digest edges', () => {
  it('reports p0 = exact min and p100 = exact max, and no quantile above max', () => {
    const data = lognormal(200_000, 20, 1.5, 31);
    const d = digestOf(data);
    let min = Infinity, max = -Infinity, sum = 0;
    for (const v of data) { min = Math.min(min, v); max = Math.max(max, v); sum += v; }
    expect(d.quantile(0)).toBe(min);
    expect(d.quantile(1)).toBe(max);
    expect(d.min).toBe(min);
    expect(d.max).toBe(max);
    expect(d.sum).toBeCloseTo(sum, 3);
    expect(d.quantile(0.9999)).toBeLessThanOrEqual(max);
    let prev = -Infinity;
    for (let q = 0; q <= 1; q += 0.0005) {
      const v = d.quantile(q);
      expect(v).toBeGreaterThanOrEqual(prev); // monotone
      prev = v;
    }
  });

  it('answers 0 when empty', () => {
    const d = new Digest();
    expect([d.quantile(0.5), d.min, d.max, d.count, d.sum]).toEqual([0, 0, 0, 0, 0]);
    expect(Digest.fromJSON(d.toJSON()).quantile(0.99)).toBe(0);
  });

  it('keeps its quantiles after compact()', () => {
    const data = lognormal(20_000, 20, 1, 32);
    const d = digestOf(data);
    const before = d.quantile(0.95);
    d.compact();
    expect(Math.abs(d.quantile(0.95) - before) / before).toBeLessThanOrEqual(CLAIMED);
    d.push(1e6);
    expect(d.quantile(1)).toBe(1e6);
  });

  it('rejects a nonsensical compression', () => {
    expect(() => new Digest(0)).toThrow(RangeError);
    expect(() => new Digest(Number.NaN)).toThrow(RangeError);
  });
});

describe('Digest reads do not change later results', () => {
  it('gives the same quantiles whether or not it was read (or merged elsewhere) mid-stream', () => {
    const data = lognormal(100_000, 20, 1, 41);
    const quiet = new Digest();
    const watched = new Digest();
    const sink = new Digest();
    for (let i = 0; i < data.length; i++) {
      quiet.push(data[i]);
      watched.push(data[i]);
      if (i % 5000 === 4999) {
        watched.quantile(0.95); // a live view
        sink.merge(watched); // an Aggregated row
      }
    }
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) expect(watched.quantile(q)).toBe(quiet.quantile(q));
    expect(JSON.stringify(watched.toJSON())).toBe(JSON.stringify(quiet.toJSON()));
  });

  // A read sorts the buffer once and the next read or the flush sorts only what came after
  // (the live page reads every entry every second): each view must be the one a fresh sort of
  // the whole buffer gives, and what folds in must not depend on when the reads happened.
  it('answers every read as a digest never read before would, at irregular points, exact and compressed', () => {
    for (const compression of [100, 15]) {
      const data = bimodal(60_000, 43);
      const quiet = new Digest(compression);
      const watched = new Digest(compression);
      let next = 1;
      for (let i = 0; i < data.length; i++) {
        quiet.push(data[i]);
        watched.push(data[i]);
        if (i === next) {
          next += 1 + ((i * 7919) % 3001); // 1 to 3,001 pushes apart: several reads per flush, some across one
          const fresh = Digest.fromJSON(quiet.toJSON()); // the same state, never read
          expect(watched.toFoldedJSON()).toEqual(fresh.toFoldedJSON());
          expect(watched.quantile(0.99)).toBe(fresh.quantile(0.99));
        }
      }
      expect(JSON.stringify(watched.toJSON())).toBe(JSON.stringify(quiet.toJSON()));
    }
  });

  it('folds a buffer when a second closes only once it compresses and holds 1,024 samples, and answers the same', () => {
    const data = lognormal(30_000, 20, 1, 44);
    const exact = new Digest();
    for (let i = 0; i < 5000; i++) exact.push(data[i]);
    const before = exact.quantile(0.99);
    exact.closeSecond(); // exact phase: nothing folds, quantiles stay nearest-rank exact
    expect(exact.toJSON()).toMatchObject({ centroids: [], samples: { length: 5000 } });
    expect(exact.quantile(0.99)).toBe(before);

    const closed = new Digest();
    for (let i = 0; i < 9000; i++) closed.push(data[i]); // compressing from 8,200 on
    const small = closed.toJSON().samples.length;
    closed.closeSecond(); // 800 buffered: below 1,024, kept
    expect(closed.toJSON().samples.length).toBe(small);
    for (let i = 9000; i < 10_000; i++) closed.push(data[i]);
    const views = [0.5, 0.95, 0.99, 0.999].map((q) => closed.quantile(q));
    closed.closeSecond(); // 1,800 buffered: folded, as the read above folded them
    expect(closed.toJSON().samples).toEqual([]);
    expect([0.5, 0.95, 0.99, 0.999].map((q) => closed.quantile(q))).toEqual(views);
  });

  it('keeps a sort\'s order of -0 and +0, and of NaN, across reads', () => {
    const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    // +0 before a read, -0 after it: a sort puts every -0 first, and the smallest values are singleton centroids.
    for (const [early, later] of [[Number.NaN, [-0, -0, 3, 400]], [2, [-0, Number.NaN, 5, 1]]]) {
      const watched = new Digest(5);
      const quiet = new Digest(5);
      for (let i = 0; i < 270; i++) for (const d of [watched, quiet]) d.push(i % 3 === 0 ? 0 : i % 50 === 1 ? early : 1 + (i % 7));
      watched.toFoldedJSON(); // the read (270 samples: folded, not sent raw) leaves a sorted prefix
      for (let i = 0; i < 130; i++) for (const d of [watched, quiet]) d.push(later[i % later.length]);
      const fresh = Digest.fromJSON(quiet.toJSON());
      expect(same(watched.toFoldedJSON().centroids, fresh.toFoldedJSON().centroids)).toBe(true);
      expect(Object.is(watched.toFoldedJSON().centroids[2], -0)).toBe(true); // the first centroid's min
    }
  });
});
