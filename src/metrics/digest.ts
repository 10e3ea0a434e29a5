/**
 * Latency quantiles: a deterministic, mergeable, merging t-digest with exact small counts.
 *
 * Why not the npm `tdigest` package (welch, v0.1.x) as is — measured by bench/quantiles.ts:
 *  - its compress step shuffles centroids with Math.random, so two runs over the same input
 *    report different quantiles (docs/protocol/measurement.md: "deterministic for the same input");
 *  - on the gap case recorded in whole ms (96 values over 0–7 ms + 6 of 1,502–1,503 ms) it
 *    reports p95 = 1,323 or 1,019 ms (depending on input order) against the true 1,502: it
 *    interpolates between centroid means straight across the empty 7…1,502 ms range, so a
 *    `p95 < 1500` gate would pass when it must fail (with 102 distinct float values every
 *    value keeps its own centroid and it happens to answer 1,502; at scale it does not know);
 *  - it has no merge or serialisation API (merging 8 shards by pushing centroids: 1.4–5.5 %
 *    error at p99.9) and inserts each value into a red-black tree (420–1,500 ns per value).
 *
 * What this digest does instead (Dunning's merging t-digest, with three additions):
 *  - push() appends to a Float64Array buffer; when full, or when a second ends with 1,024 or
 *    more buffered (closeSecond), the buffer is sorted (sort-values.ts: the native order, by a radix
 *    sort) and merged with the centroids in one pass. The size bound is the k2 scale function
 *    k(q) = δ/4 · ln(q/(1−q)): a centroid spans at most one unit of k, i.e. ≈ 4·q(1−q)/δ of the
 *    mass, so the tails are held by tiny centroids and the extremes by singletons.
 *  - each centroid keeps its exact min and max. Between two centroids whose ranges do not
 *    overlap, a quantile is interpolated knot → max, then min → knot, never across the empty
 *    range between them (the gap case); elsewhere between centroid means, as usual.
 *  - a centroid never absorbs a value more than (1 + 2/δ)× its own min (1.02× at δ=100; values
 *    within 1 µs always may). That keeps a fast cluster and a stalled cluster in separate
 *    centroids, and bounds the error in sparse valleys of multimodal data (bimodal 1M, worst
 *    over q = 0.001…0.999: 0.27–0.45 % over seeds 2, 3, 7, 12, 99 with it, 5 % without; at the
 *    gate quantiles p50–p99.9 at most 0.16 %); it costs ~30 % more centroids.
 *  - until the first compression (count ≤ buffer capacity: 82·δ, 8,200 at δ=100) the buffer holds
 *    every sample and quantiles are exact (nearest rank), also after merging two such digests.
 * Everything is deterministic: the same pushes and merges in the same order give the same
 * quantiles. min, max, sum and count are exact; quantile(0) = min and quantile(1) = max.
 *
 * Measured (bench/quantiles.ts, 5 runs, 2 shared cores, Node 20, δ=100; CPU time): worst
 * relative error at p50/p90/p95/p99/p99.9 — 1M lognormal 0.066 %, bimodal 1M 0.087 %, gap
 * case ×10⁴ 0.009 %, 8 shards merged through JSON 0.30 %; gap case exact (p95 = 1,502);
 * 120–134 ns per value (median); identical results every run. npm tdigest on the same data:
 * up to 1.03 % (p99.9, lognormal), 1.37 % (p99.9, bimodal and merged), 11.9 % (p95, gap in
 * whole ms); 406–1,451 ns per value; different results from run to run.
 *
 * Quantile definition: nearest rank — the smallest recorded value v such that at least q·n
 * values are ≤ v (Locust's, and the exact p95 = 1,502 of the gap case in docs/protocol/measurement.md).
 */

import { interpolate, STRIDE } from './centroid-quantile.js';
import { sortValues } from './sort-values.js';

/** Plain-JSON form of a digest (for workers and shards). */
export interface DigestSnapshot {
  compression: number;
  count: number;
  sum: number;
  /** null when empty. */
  min: number | null;
  max: number | null;
  /** Centroids as [mean, weight, min, max] quadruples, flattened, sorted by mean. */
  centroids: number[];
  /** Raw samples not yet folded into centroids. */
  samples: number[];
}

const DEFAULT_COMPRESSION = 100;
/** toFoldedJSON() sends an exact digest of up to this many samples as its samples (≤ ~5 KB of JSON). */
const FOLD_ABOVE = 256;
/**
 * A digest past its exact phase folds its buffer when a second ends once it holds this many
 * samples (closeSecond): reads then find at most the current second's samples to sort.
 */
const SECOND_FOLD_FROM = 1024;
/** Below this absolute spread (ms) values may always share a centroid: 1 µs. */
const SPREAD_FLOOR_MS = 1e-3;

export class Digest {
  readonly compression: number;
  /** A centroid never holds values spread over more than this factor: 1 + 2/δ (1.02 at δ=100). */
  private readonly spread: number;
  private readonly capacity: number;
  private buf: Float64Array;
  private len = 0;
  /** Centroids, STRIDE numbers each, sorted by mean. */
  private cents: Float64Array = new Float64Array(0);
  private nCents = 0;
  private total = 0;
  private total_sum = 0;
  private lo = Infinity;
  private hi = -Infinity;
  /** Centroids with the buffer folded in, built by reads without changing the digest; valid while total === viewAt. */
  private viewAt = -1;
  /** In exact mode: the buffer is sorted while total === sortedAt. */
  private sortedAt = -1;
  private viewCents: Float64Array = new Float64Array(0);
  private viewN = 0;
  /**
   * The first `sortedLen` buffered samples, sorted: left by a read (folded) so that the next read
   * and the flush sort only what came after and merge two sorted runs. A live page reading every
   * second then costs no second sort of the same samples. 0 when there is none. The next merge
   * goes to `sortedSpare` and the two swap, so a digest read every second allocates nothing.
   */
  private sortedBuf: Float64Array = new Float64Array(0);
  private sortedSpare: Float64Array = new Float64Array(0);
  private sortedLen = 0;

  constructor(compression: number = DEFAULT_COMPRESSION) {
    if (!(compression >= 5 && Number.isFinite(compression))) {
      throw new RangeError(`Digest compression must be a finite number ≥ 5, got ${compression}.`);
    }
    this.compression = compression;
    this.spread = 1 + 2 / compression;
    // 8,200 at δ=100; large buffers amortise the merge pass, small ones keep idle digests small.
    this.capacity = Math.max(256, Math.min(65536, Math.round(compression * 82)));
    this.buf = new Float64Array(Math.min(64, this.capacity));
  }

  get count(): number { return this.total; }
  get sum(): number { return this.total_sum; }
  get min(): number { return this.total === 0 ? 0 : this.lo; }
  get max(): number { return this.total === 0 ? 0 : this.hi; }
  /** Number of centroids held (after folding the buffer); for tests and benchmarks. */
  get centroidCount(): number { return this.folded()[1]; }

  /** Record one value (ms). The hot path: an array store, a sum and a counter. */
  push(valueMs: number): void {
    if (this.len === this.buf.length) this.makeRoom();
    this.buf[this.len++] = valueMs;
    if (valueMs < this.lo) this.lo = valueMs;
    if (valueMs > this.hi) this.hi = valueMs;
    this.total++;
    this.total_sum += valueMs;
  }

  /**
   * A wall-clock second has ended (StatsEntry: at the first sample of a later second, or at a
   * read in a later second, which is the same state). A digest that compresses already folds a
   * buffer of SECOND_FOLD_FROM samples or more, as it would once full: its quantiles do not change
   * (a read folds the buffer the same way), and the live page's reads, which come just after a
   * second ends, no longer sort and fold a buffer of up to 8,200 samples each second. An exact
   * digest (the first 8,200 samples) stays exact.
   */
  closeSecond(): void {
    if (this.nCents > 0 && this.len >= SECOND_FOLD_FROM) this.flush();
  }

  /** Fold another digest into this one; the other is left unchanged. */
  merge(other: Digest): void {
    if (other.total === 0) return;
    if (this.nCents === 0 && other.nCents === 0 && this.len + other.len <= this.capacity) {
      // Both still exact: stay exact.
      this.ensureBuffer(this.len + other.len);
      this.buf.set(other.buf.subarray(0, other.len), this.len);
      this.len += other.len;
    } else {
      this.flush();
      const [oc, on] = other.folded();
      [this.cents, this.nCents] = this.combine(this.cents, this.nCents, oc, on, null, 0);
    }
    this.total += other.total;
    this.total_sum += other.total_sum;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  /** The q-quantile (q in [0,1]) by nearest rank; 0 when empty. */
  quantile(q: number): number {
    const n = this.total;
    if (n === 0) return 0;
    if (!(q > 0)) return this.lo;
    if (q >= 1) return this.hi;
    if (this.nCents === 0) {
      // Exact: the buffer holds every sample. Sorting it in place changes nothing else.
      if (this.sortedAt !== n) {
        sortValues(this.buf.subarray(0, this.len));
        this.sortedAt = n;
        this.sortedLen = 0; // the buffer's order changed: a sorted prefix copy no longer matches
      }
      return this.buf[Math.max(0, Math.ceil(q * n) - 1)];
    }
    const [c, nc] = this.folded();
    return interpolate(c, nc, n, q * n);
  }

  /** Release the spare buffer of a digest that will receive few or no more values. */
  compact(): void {
    if (this.nCents > 0 || this.len > 128) this.flush();
    this.viewAt = -1;
    this.viewCents = new Float64Array(0);
    this.sortedLen = 0;
    this.sortedBuf = new Float64Array(0);
    this.sortedSpare = new Float64Array(0);
    if (this.len === 0) this.buf = new Float64Array(0);
    else if (this.buf.length > this.len) this.buf = this.buf.slice(0, this.len);
    if (this.cents.length > this.nCents * STRIDE) this.cents = this.cents.slice(0, this.nCents * STRIDE);
  }

  toJSON(): DigestSnapshot {
    return {
      compression: this.compression,
      count: this.total,
      sum: this.total_sum,
      min: this.total === 0 ? null : this.lo,
      max: this.total === 0 ? null : this.hi,
      centroids: Array.from(this.cents.subarray(0, this.nCents * STRIDE)),
      samples: Array.from(this.buf.subarray(0, this.len)),
    };
  }

  /**
   * The same digest with its buffer folded into the centroids (this digest is not changed): the
   * form a worker's live report sends, a few KB instead of up to 8,200 raw samples as JSON. It
   * merges and answers quantiles exactly as this digest does (both read the folded view); a
   * small exact digest (at most FOLD_ABOVE samples, never compressed) is sent as is and stays exact.
   */
  toFoldedJSON(): DigestSnapshot {
    if (this.nCents === 0 && this.len <= FOLD_ABOVE) return this.toJSON();
    const [c, n] = this.folded();
    return {
      compression: this.compression,
      count: this.total,
      sum: this.total_sum,
      min: this.lo,
      max: this.hi,
      centroids: Array.from(c.subarray(0, n * STRIDE)),
      samples: [],
    };
  }

  static fromJSON(s: DigestSnapshot): Digest {
    const d = new Digest(s.compression);
    const c = s.centroids;
    if (c.length % STRIDE !== 0) throw new RangeError('Digest snapshot has a truncated centroid list.');
    d.cents = Float64Array.from(c);
    d.nCents = c.length / STRIDE;
    d.ensureBuffer(s.samples.length);
    d.buf.set(s.samples);
    d.len = s.samples.length;
    d.total = s.count;
    d.total_sum = s.sum;
    d.lo = s.min ?? Infinity;
    d.hi = s.max ?? -Infinity;
    return d;
  }

  // ---- internals -------------------------------------------------------------------------

  private makeRoom(): void {
    if (this.buf.length < this.capacity) this.ensureBuffer(Math.min(this.capacity, this.buf.length * 2 || 64));
    else this.flush();
  }

  private ensureBuffer(size: number): void {
    if (this.buf.length >= size) return;
    // Double (a few reallocations while a digest warms up), but never past the capacity
    // unless `size` itself needs it: flushes must happen at the same counts for every copy.
    let cap = Math.max(64, this.buf.length);
    while (cap < size) cap *= 2;
    const next = new Float64Array(Math.max(size, Math.min(cap, this.capacity)));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Fold the buffered samples into the centroids. */
  private flush(): void {
    if (this.len === 0) return;
    // Unread since the last flush: sort in place, as always; read: finish the read's sort.
    const sorted = this.sortedLen > 0 ? this.sortedBuffer() : sortValues(this.buf.subarray(0, this.len));
    [this.cents, this.nCents] = this.combine(this.cents, this.nCents, null, 0, sorted, this.len);
    this.len = 0;
    this.sortedLen = 0;
  }

  /**
   * The buffered samples sorted, as a copy (the buffer keeps its order): the sorted prefix a
   * previous read left, merged with the rest sorted. The same array a sort of the whole buffer
   * gives (numeric order, -0 before +0, NaN last), so what folds in does not depend on reads.
   */
  private sortedBuffer(): Float64Array {
    const len = this.len, k = this.sortedLen;
    if (k === len) return this.sortedBuf.subarray(0, len);
    const tail = sortValues(scratchOf(len - k, this.buf, k));
    const out = this.sortedSpare.length >= len ? this.sortedSpare : new Float64Array(Math.max(len, this.capacity));
    if (k === 0) out.set(tail);
    else {
      const head = this.sortedBuf;
      // A sort puts NaN last: a NaN in the sorted prefix (its last) would be merged too early.
      if (Number.isNaN(head[k - 1])) {
        out.set(this.buf.subarray(0, len));
        sortValues(out.subarray(0, len));
      } else mergeSorted(head, k, tail, out);
    }
    this.sortedSpare = this.sortedBuf;
    this.sortedBuf = out;
    this.sortedLen = len;
    return out.subarray(0, len);
  }

  /**
   * The centroids as if the buffer were folded in, without folding it: reads (quantile,
   * merge into another digest) must not change when later pushes get compressed, or the
   * results would depend on when a live view happened to look.
   */
  private folded(): [Float64Array, number] {
    if (this.len === 0) return [this.cents, this.nCents];
    if (this.viewAt !== this.total) {
      const sorted = this.sortedBuffer();
      // The previous view's array is reused: nothing keeps a view past the read that asked for it.
      [this.viewCents, this.viewN] = this.combine(this.cents, this.nCents, null, 0, sorted, this.len, this.viewCents);
      this.viewAt = this.total;
    }
    return [this.viewCents, this.viewN];
  }

  /**
   * One merge pass over the current centroids plus either other centroids (`oc`, sorted by
   * mean) or sorted raw values (`raw`), producing new centroids under the k2 size bound, in
   * `into` when it is large enough (never one of the inputs).
   */
  private combine(
    a: Float64Array, an: number, oc: Float64Array | null, on: number, raw: Float64Array | null, rn: number, into?: Float64Array,
  ): [Float64Array, number] {
    let n = 0;
    for (let i = 0; i < an; i++) n += a[i * STRIDE + 1];
    for (let i = 0; i < on; i++) n += (oc as Float64Array)[i * STRIDE + 1];
    n += rn;
    const size = Math.max(16, Math.min(an + on + rn, an + on + 64)) * STRIDE;
    let outArr: Float64Array = into !== undefined && into.length >= size ? into : new Float64Array(size);
    let outN = 0;
    const kStep = 4 / this.compression; // one unit of k in logit space
    const spread = this.spread;
    let ai = 0, oi = 0, ri = 0;
    let cm = 0, cw = 0, cmin = 0, cmax = 0; // the centroid being built
    let before = 0; // weight of the finished centroids
    let limit = 0; // weight the current centroid may reach
    for (;;) {
      // Pick the next item in mean order.
      let m: number, w: number, mn: number, mx: number;
      const am = ai < an ? a[ai * STRIDE] : Infinity;
      const bm = oc !== null ? (oi < on ? oc[oi * STRIDE] : Infinity) : (ri < rn ? (raw as Float64Array)[ri] : Infinity);
      if (ai < an && am <= bm) {
        const k = ai * STRIDE; m = am; w = a[k + 1]; mn = a[k + 2]; mx = a[k + 3]; ai++;
      } else if (oc !== null && oi < on) {
        const k = oi * STRIDE; m = bm; w = oc[k + 1]; mn = oc[k + 2]; mx = oc[k + 3]; oi++;
      } else if (raw !== null && ri < rn) {
        m = bm; w = 1; mn = m; mx = m; ri++;
      } else break;

      if (cw > 0 && cw + w <= limit && (mx <= cmin * spread || mx - cmin <= SPREAD_FLOOR_MS)) {
        cw += w;
        cm += (m - cm) * (w / cw);
        if (mn < cmin) cmin = mn;
        if (mx > cmax) cmax = mx;
        continue;
      }
      if (cw > 0) {
        if ((outN + 1) * STRIDE > outArr.length) outArr = grow(outArr);
        const k = outN * STRIDE;
        outArr[k] = cm; outArr[k + 1] = cw; outArr[k + 2] = cmin; outArr[k + 3] = cmax;
        outN++;
        before += cw;
      }
      cm = m; cw = w; cmin = mn; cmax = mx;
      limit = weightLimit(before, n, kStep);
    }
    if (cw > 0) {
      if ((outN + 1) * STRIDE > outArr.length) outArr = grow(outArr);
      const k = outN * STRIDE;
      outArr[k] = cm; outArr[k + 1] = cw; outArr[k + 2] = cmin; outArr[k + 3] = cmax;
      outN++;
    }
    return [outArr, outN];
  }
}

/** Largest weight a centroid starting after `before` of `n` may reach: one unit of k2. */
function weightLimit(before: number, n: number, kStep: number): number {
  if (before <= 0) return 1; // the first centroid is a singleton: the exact minimum
  const q0 = before / n;
  if (q0 >= 1) return Infinity;
  const z = Math.log(q0 / (1 - q0)) + kStep;
  const q1 = 1 / (1 + Math.exp(-z));
  return (q1 - q0) * n;
}

/** Merges sorted `a[0..an)` and sorted `b` into `out` (a first among equals; equal zeros: -0 first, as a sort puts them). */
function mergeSorted(a: Float64Array, an: number, b: Float64Array, out: Float64Array): void {
  const bn = b.length;
  let i = 0, j = 0, o = 0;
  while (i < an && j < bn) {
    const x = a[i], y = b[j];
    if (y < x || (y === 0 && x === 0 && Object.is(y, -0) && !Object.is(x, -0))) { out[o++] = y; j++; }
    else { out[o++] = x; i++; }
  }
  while (i < an) out[o++] = a[i++];
  while (j < bn) out[o++] = b[j++];
}

/** A reused array holding `from[offset..offset+n)` (a read's tail to sort; used before the next read). */
let scratch = new Float64Array(0);
function scratchOf(n: number, from: Float64Array, offset: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, 8192));
  const out = scratch.subarray(0, n);
  out.set(from.subarray(offset, offset + n));
  return out;
}

function grow(a: Float64Array): Float64Array {
  const next = new Float64Array(a.length * 2);
  next.set(a);
  return next;
}

