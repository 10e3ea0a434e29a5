/**
 * One row of the stats table: everything recorded for one entry name (`${method} ${route}`).
 * Locust semantics: a failed request still counts in `count` and its latency is recorded.
 */
import { Digest, type DigestSnapshot } from './digest.js';
import { QUANTILES, QUANTILE_KEYS, type EntrySummary, type QuantileKey } from './result.js';
import { TimeSeries, type SecondBucketSnapshot } from './time-series.js';

/** Distinct error messages kept per entry; later new messages are counted under OTHER_ERRORS. */
export const MAX_ERROR_MESSAGES = 100;
export const OTHER_ERRORS = `other errors (more than ${MAX_ERROR_MESSAGES} distinct messages)`;
export const UNKNOWN_ERROR = 'unknown error';

export interface StatsEntrySnapshot {
  method: string;
  route: string;
  count: number;
  failures: number;
  bytes: number;
  errors: [string, number][];
  digest: DigestSnapshot;
  series: SecondBucketSnapshot[];
}

/** `POST /ingest/metrics`; a row without a method (Aggregated) is named by its route alone. */
export function entryName(method: string, route: string): string {
  return method === '' ? route : `${method} ${route}`;
}

export class StatsEntry {
  readonly name: string;
  count = 0;
  failures = 0;
  bytes = 0;
  readonly digest = new Digest();
  readonly errors = new Map<string, number>();
  readonly series = new TimeSeries();
  /** The epoch second of the latest sample (or read): the digest's buffer holds no earlier second once a later one starts. */
  private second = -Infinity;

  constructor(readonly method: string, readonly route: string) {
    this.name = entryName(method, route);
  }

  record(second: number, durationMs: number, ok: boolean, bytes: number, error: string | undefined): void {
    // A clock step can make a duration negative, a bug upstream NaN: neither may poison the sums.
    const ms = durationMs >= 0 ? durationMs : 0;
    if (second > this.second) this.settle(second);
    this.count++;
    const b = bytes >= 0 ? bytes : 0;
    this.bytes += b;
    this.digest.push(ms);
    this.series.add(second, ms, ok, b);
    if (!ok) {
      this.failures++;
      this.countError(error === undefined || error === '' ? UNKNOWN_ERROR : error, 1);
    }
  }

  /**
   * Second `now` has begun: the digest closes the seconds before it (Digest.closeSecond). The
   * first sample of a later second does it, and so may a read in it: the same state either way.
   */
  settle(now: number): void {
    if (now <= this.second) return;
    this.second = now;
    this.digest.closeSecond();
  }

  summary(durationS: number): EntrySummary {
    return summarize(this.name, this.method, this.route, this.count, this.failures, this.bytes, this.digest, durationS);
  }

  /**
   * `fromT`: only the series buckets from that epoch second on; `folded`: every digest with its
   * buffer folded in (Digest.toFoldedJSON). Both for a worker's live report.
   */
  snapshot(fromT?: number, folded = false): StatsEntrySnapshot {
    return {
      method: this.method,
      route: this.route,
      count: this.count,
      failures: this.failures,
      bytes: this.bytes,
      errors: [...this.errors],
      digest: folded ? this.digest.toFoldedJSON() : this.digest.toJSON(),
      series: this.series.snapshot(fromT, folded),
    };
  }

  mergeSnapshot(s: StatsEntrySnapshot): void {
    this.count += s.count;
    this.failures += s.failures;
    this.bytes += s.bytes;
    for (const [message, n] of s.errors) this.countError(message, n);
    this.digest.merge(Digest.fromJSON(s.digest));
    this.series.mergeSnapshot(s.series);
  }

  private countError(message: string, n: number): void {
    const seen = this.errors.get(message);
    if (seen !== undefined) this.errors.set(message, seen + n);
    else if (this.errors.size < MAX_ERROR_MESSAGES || message === OTHER_ERRORS) this.errors.set(message, n);
    else this.errors.set(OTHER_ERRORS, (this.errors.get(OTHER_ERRORS) ?? 0) + n);
  }
}

/** An EntrySummary from totals and a digest; zeros (never NaN) when nothing was recorded. */
export function summarize(
  name: string, method: string, route: string,
  count: number, failures: number, bytes: number, digest: Digest, durationS: number,
): EntrySummary {
  const percentiles = {} as Record<QuantileKey, number>;
  QUANTILES.forEach((q, i) => { percentiles[QUANTILE_KEYS[i]] = digest.quantile(q); });
  const perS = durationS > 0 ? 1 / durationS : 0;
  return {
    name,
    method,
    route,
    count,
    failures,
    rps: count * perS,
    failuresPerS: failures * perS,
    minMs: digest.min,
    avgMs: count > 0 ? digest.sum / digest.count : 0,
    maxMs: digest.max,
    bytes,
    avgBytes: count > 0 ? bytes / count : 0,
    percentiles,
  };
}
