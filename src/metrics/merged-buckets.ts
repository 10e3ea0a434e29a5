/**
 * The per-second buckets of several entries merged into one bucket per second, as
 * Recorder.history() needs them — kept between the live page's updates. An update asks for the
 * last few seconds every second; a second whose entry buckets are the same objects holding the
 * same counts in the same form (no flush since: a second's digest is compacted when the next
 * one starts) merges to the same bucket, so it is merged once instead of at every update (the
 * merges were most of an update's history work). Only live requests (a `fromT`) read and refresh
 * what is kept, and only the seconds of the last request per selection are kept; the report's
 * whole history is always merged afresh.
 */
import { Digest } from './digest.js';
import { COARSE_SECONDS, SECOND_COMPRESSION, type SecondBucket } from './time-series.js';

interface Merged {
  parts: SecondBucket[];
  /** Each part's count and its digest's flushes when merged: a merge of the same gives the same only while both hold. */
  counts: number[];
  flushes: number[];
  bucket: SecondBucket;
}

export class MergedBuckets {
  private readonly bySelection = new Map<string, Map<number, Merged>>();

  /** One bucket per start second, from the entry buckets `parts` holds per start (in entry order). */
  merged(selection: string, parts: ReadonlyMap<number, SecondBucket[]>, foldedUntil: number, live: boolean): Map<number, SecondBucket> {
    const held = live ? this.bySelection.get(selection) : undefined;
    const kept = new Map<number, Merged>();
    const out = new Map<number, SecondBucket>();
    for (const [start, list] of parts) {
      const span = start < foldedUntil ? COARSE_SECONDS : 1;
      let m = held?.get(start);
      if (m === undefined || !unchanged(m, list, span)) m = { parts: list, counts: list.map((b) => b.count), flushes: list.map((b) => b.digest.flushCount), bucket: merge(start, span, list) };
      kept.set(start, m);
      out.set(start, m.bucket);
    }
    if (live) this.bySelection.set(selection, kept);
    return out;
  }

  clear(): void {
    this.bySelection.clear();
  }
}

function unchanged(m: Merged, list: readonly SecondBucket[], span: number): boolean {
  if (m.bucket.span !== span || m.parts.length !== list.length) return false;
  for (let i = 0; i < list.length; i++) if (m.parts[i] !== list[i] || m.counts[i] !== list[i].count || m.flushes[i] !== list[i].digest.flushCount) return false;
  return true;
}

function merge(start: number, span: number, list: readonly SecondBucket[]): SecondBucket {
  const m: SecondBucket = { t: start, span, first: list[0].first, count: 0, failures: 0, bytes: 0, digest: new Digest(SECOND_COMPRESSION) };
  for (const b of list) {
    m.count += b.count;
    m.failures += b.failures;
    m.bytes += b.bytes;
    m.digest.merge(b.digest);
  }
  return m;
}
