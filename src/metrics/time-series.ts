/**
 * The per-second buckets of one stats entry: requests, failures, response bytes and a small
 * digest of the latencies that completed in that second (enough for p50/p95/p99 per second, and
 * mergeable across entries and workers). A bucket's digest is compacted once its second has passed.
 *
 * Bounded memory on long runs: a second keeps its own bucket for the last FINE_SECONDS (five
 * minutes) of the entry's samples; each older second is folded, as it leaves that window, into
 * the bucket of its epoch minute (COARSE_SECONDS), so the number of one-second buckets stays
 * constant instead of growing and dropping by a minute's worth. Live views (the last few seconds) and the streaming outputs only read recent
 * seconds; a run's history keeps one-second points for its last five minutes and one-minute
 * points before. Measured by bench/soak.ts: a one-second bucket of the sdk scenario holds ~1 KB,
 * ~4.5 of them a second, which is what made a 30-minute run's heap grow 2.6 MB per 10 minutes.
 *
 * The fold is a function of the data, not of the clock: it follows the newest second seen, and a
 * minute once folded stays folded. Merging a folded minute into a series that still has its
 * seconds folds them too, so merged series (workers, shards) agree whatever the order.
 */
import { Digest, type DigestSnapshot } from './digest.js';

/** Compression of the per-second digests: within ~1 % at p50/p95/p99 and ~2 KB per busy second. */
export const SECOND_COMPRESSION = 15;
/** Seconds counted back from the newest one (itself included) that keep their own bucket. */
export const FINE_SECONDS = 300;
/** Width of the buckets older seconds are folded into: epoch minutes. */
export const COARSE_SECONDS = 60;

export interface SecondBucket {
  /** Epoch second the bucket starts: the second itself, or the first second of a folded minute. */
  t: number;
  /** Seconds it covers: 1, or COARSE_SECONDS for a folded minute. */
  span: number;
  /** The earliest second with a sample in it (t for a one-second bucket). */
  first: number;
  count: number;
  failures: number;
  /** Response bytes of the samples of this bucket (for Locust's history "Total Average Content Size"). */
  bytes: number;
  digest: Digest;
}

export interface SecondBucketSnapshot {
  t: number;
  /** Absent for one second. */
  span?: number;
  /** Absent when it is t. */
  first?: number;
  count: number;
  failures: number;
  /** Absent in snapshots from before bytes were kept per second. */
  bytes?: number;
  digest: DigestSnapshot;
}

/** The start of the folded minute that holds epoch second `t`. */
export const minuteOf = (t: number): number => Math.floor(t / COARSE_SECONDS) * COARSE_SECONDS;

export class TimeSeries {
  /** By start second; a folded minute is keyed by its first second, which then has no bucket of its own. */
  private readonly buckets = new Map<number, SecondBucket>();
  private last: SecondBucket | undefined;
  private newest = -Infinity;
  /** Every second before this is folded into its minute. */
  private foldedBefore = -Infinity;

  /** Count one sample that completed in epoch second `t`. */
  add(t: number, durationMs: number, ok: boolean, bytes = 0): void {
    let b = this.last;
    if (b === undefined || b.t !== t) b = this.open(t);
    b.count++;
    b.bytes += bytes;
    if (!ok) b.failures++;
    b.digest.push(durationMs);
  }

  /** The bucket of second `t`, if any sample completed then and the second is not folded yet. */
  get(t: number): SecondBucket | undefined {
    if (t < this.foldedBefore) return undefined;
    return this.buckets.get(t);
  }

  /** Seconds before this epoch second are folded into minutes (-Infinity while none is). */
  get foldedUntil(): number {
    return this.foldedBefore;
  }

  /** All buckets, oldest first. */
  all(): SecondBucket[] {
    return [...this.buckets.values()].sort((a, b) => a.t - b.t);
  }

  /**
   * Buckets that end after second `fromT` (all by default), oldest first; `folded`: digests as
   * Digest.toFoldedJSON() (a worker's live report).
   */
  snapshot(fromT = -Infinity, folded = false): SecondBucketSnapshot[] {
    return this.all().filter((b) => b.t + b.span > fromT).map((b) => ({
      t: b.t, ...(b.span !== 1 ? { span: b.span } : {}), ...(b.first !== b.t ? { first: b.first } : {}),
      count: b.count, failures: b.failures, bytes: b.bytes, digest: folded ? b.digest.toFoldedJSON() : b.digest.toJSON(),
    }));
  }

  mergeSnapshot(s: readonly SecondBucketSnapshot[]): void {
    let newest = -Infinity;
    for (const sb of s) {
      const span = sb.span ?? 1;
      if (span !== 1) this.fold(sb.t + span);
      const b = this.bucketFor(sb.t);
      b.count += sb.count;
      b.bytes += sb.bytes ?? 0;
      b.failures += sb.failures;
      b.first = Math.min(b.first, sb.first ?? sb.t);
      b.digest.merge(Digest.fromJSON(sb.digest));
      if (b !== this.last) b.digest.compact();
      newest = Math.max(newest, sb.t + span - 1);
    }
    this.advance(newest);
  }

  private open(t: number): SecondBucket {
    const b = this.bucketFor(t);
    // The previous second is over (clocks only rarely step back): release its spare buffer.
    if (this.last !== undefined && this.last.t < t) this.last.digest.compact();
    this.last = b;
    this.advance(t);
    return b;
  }

  /** The bucket a sample of second `t` goes to: its own, or its minute's once folded. */
  private bucketFor(t: number): SecondBucket {
    const folded = t < this.foldedBefore;
    const start = folded ? minuteOf(t) : t;
    let b = this.buckets.get(start);
    if (b === undefined) {
      b = newBucket(start, folded ? COARSE_SECONDS : 1, t);
      this.buckets.set(start, b);
    }
    return b;
  }

  /** Second `t` has samples: fold the seconds that fell out of the fine horizon. */
  private advance(t: number): void {
    if (t <= this.newest) return;
    this.newest = t;
    this.fold(t - FINE_SECONDS + 1);
  }

  /** Fold every one-second bucket before second `before` into its minute. */
  private fold(before: number): void {
    const from = this.foldedBefore;
    if (before <= from) return;
    this.foldedBefore = before;
    const seconds: SecondBucket[] = [];
    if (before - from <= this.buckets.size) {
      // The usual step (a second or a few): look those seconds up, not every bucket.
      for (let t = from; t < before; t++) {
        const b = this.buckets.get(t);
        if (b !== undefined && b.span === 1) seconds.push(b);
      }
    } else {
      for (const b of this.buckets.values()) if (b.span === 1 && b.t < before) seconds.push(b);
    }
    if (seconds.length === 0) return;
    // Remove them all first: a minute's bucket takes the key of the minute's first second.
    for (const b of seconds) this.buckets.delete(b.t);
    const minutes = new Set<SecondBucket>();
    for (const b of seconds) {
      const m = this.bucketFor(b.t);
      m.count += b.count;
      m.bytes += b.bytes;
      m.failures += b.failures;
      m.first = Math.min(m.first, b.first);
      m.digest.merge(b.digest);
      minutes.add(m);
      if (b === this.last) this.last = undefined;
    }
    for (const m of minutes) m.digest.compact();
  }
}

function newBucket(t: number, span: number, first: number): SecondBucket {
  return { t, span, first, count: 0, failures: 0, bytes: 0, digest: new Digest(SECOND_COMPRESSION) };
}
