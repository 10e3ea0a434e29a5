/**
 * One-second buckets of one stats entry: requests, failures and a small digest of the
 * latencies that completed in that second (enough for p50/p95/p99 per second, and mergeable
 * across entries and workers). A bucket's digest is compacted once its second has passed.
 */
import { Digest, type DigestSnapshot } from './digest.js';

/** Compression of the per-second digests: within ~1 % at p50/p95/p99 and ~2 KB per busy second. */
export const SECOND_COMPRESSION = 15;

export interface SecondBucket {
  /** Epoch seconds of the bucket start. */
  t: number;
  count: number;
  failures: number;
  /** Response bytes of the samples of this second (for Locust's history "Total Average Content Size"). */
  bytes: number;
  digest: Digest;
}

export interface SecondBucketSnapshot {
  t: number;
  count: number;
  failures: number;
  /** Absent in snapshots from before bytes were kept per second. */
  bytes?: number;
  digest: DigestSnapshot;
}

export class TimeSeries {
  private readonly buckets = new Map<number, SecondBucket>();
  private last: SecondBucket | undefined;

  /** Count one sample that completed in epoch second `t`. */
  add(t: number, durationMs: number, ok: boolean, bytes = 0): void {
    let b = this.last;
    if (b === undefined || b.t !== t) b = this.open(t);
    b.count++;
    b.bytes += bytes;
    if (!ok) b.failures++;
    b.digest.push(durationMs);
  }

  /** The bucket of second `t`, if any sample completed then. */
  get(t: number): SecondBucket | undefined {
    return this.buckets.get(t);
  }

  /** All buckets, oldest first. */
  all(): SecondBucket[] {
    return [...this.buckets.values()].sort((a, b) => a.t - b.t);
  }

  /** Buckets from second `fromT` on (all by default), oldest first; `folded`: digests as Digest.toFoldedJSON(). */
  snapshot(fromT = -Infinity, folded = false): SecondBucketSnapshot[] {
    return this.all().filter((b) => b.t >= fromT).map((b) => ({
      t: b.t, count: b.count, failures: b.failures, bytes: b.bytes, digest: folded ? b.digest.toFoldedJSON() : b.digest.toJSON(),
    }));
  }

  mergeSnapshot(s: readonly SecondBucketSnapshot[]): void {
    for (const sb of s) {
      let b = this.buckets.get(sb.t);
      if (b === undefined) {
        b = { t: sb.t, count: 0, failures: 0, bytes: 0, digest: new Digest(SECOND_COMPRESSION) };
        this.buckets.set(sb.t, b);
      }
      b.count += sb.count;
      b.bytes += sb.bytes ?? 0;
      b.failures += sb.failures;
      b.digest.merge(Digest.fromJSON(sb.digest));
      if (b !== this.last) b.digest.compact();
    }
  }

  private open(t: number): SecondBucket {
    let b = this.buckets.get(t);
    if (b === undefined) {
      b = { t, count: 0, failures: 0, bytes: 0, digest: new Digest(SECOND_COMPRESSION) };
      this.buckets.set(t, b);
    }
    // The previous second is over (clocks only rarely step back): release its spare buffer.
    if (this.last !== undefined && this.last.t < t) this.last.digest.compact();
    this.last = b;
    return b;
  }
}
