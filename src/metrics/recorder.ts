/**
 * The recorder: every timed request, SDK call and end-to-end record delay, per entry name,
 * plus the users over time. `record()` sits on the load generator's hot path: two Map lookups
 * (method, then route), a few additions and an array store; no string is built per call.
 *
 * Snapshots are cumulative and JSON-safe. To combine workers, merge each worker's latest
 * snapshot once into a fresh Recorder (users of the same second are summed across snapshots).
 */
import { isHttpEntry } from '../core/entry-names.js';
import { Digest } from './digest.js';
import { ExceptionLog } from './exception-log.js';
import { QUANTILES, type ChartPoint, type EntrySummary, type ExceptionGroup, type FailureGroup, type TimeSeriesPoint } from './result.js';
import { StatsEntry, summarize, type StatsEntrySnapshot } from './stats-entry.js';
import { COARSE_SECONDS, minuteOf, SECOND_COMPRESSION, type SecondBucket } from './time-series.js';
import { windowsOf, type RunWindow } from './windows.js';

/** Entries to combine: a list of entry names, or a predicate over names. */
export type EntrySelector = readonly string[] | ((name: string) => boolean);

export interface RecorderSnapshot {
  version: 1;
  entries: StatsEntrySnapshot[];
  /** [epoch second, users] pairs. */
  users: [number, number][];
  /** [epoch second, target] pairs: the load's target then (users or iterations/s; absent for constant users). */
  targets?: [number, number][];
  /** Errors thrown by scenario code (absent in older snapshots). */
  exceptions?: ExceptionGroup[];
}

/** One entry in one completed second, for the streaming outputs (built once per second). */
export interface EntrySecond {
  /** Entry name (`POST /ingest/metrics`, `Aggregated`). */
  entry: string;
  method: string;
  route: string;
  requests: number;
  failures: number;
  /** Percentiles of the samples that completed in this second (0 when none). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Cumulative counts up to the end of this second. */
  totalRequests: number;
  totalFailures: number;
}

export interface WindowView {
  rps: number;
  p50Ms: number;
  p95Ms: number;
  failures: number;
  count: number;
  /** Seconds the view covers. */
  seconds: number;
}

export class Recorder {
  private readonly now: () => number;
  private readonly startMs: number;
  private readonly byMethod = new Map<string, Map<string, StatsEntry>>();
  private readonly byName = new Map<string, StatsEntry>();
  /** Users per epoch second, as set by setUsers() (carried forward over quiet seconds). */
  private readonly usersAt = new Map<number, number>();
  /** The load's target per epoch second (stages, arrival rates), as set by setTarget(). */
  private readonly targetAt = new Map<number, number>();
  private readonly thrown = new ExceptionLog();

  /** `startMs`: when the load started, if before now (a recorder rebuilt from workers' snapshots). */
  constructor(opts: { now?: () => number; startMs?: number } = {}) {
    this.now = opts.now ?? Date.now;
    this.startMs = opts.startMs ?? this.now();
  }

  /** Record one completed request or call. Failures count in `count` too (Locust semantics). */
  record(method: string, route: string, durationMs: number, ok: boolean, bytes = 0, error?: string): void {
    let routes = this.byMethod.get(method);
    if (routes === undefined) {
      routes = new Map();
      this.byMethod.set(method, routes);
    }
    let entry = routes.get(route);
    if (entry === undefined) entry = this.createEntry(method, route, routes);
    entry.record(Math.floor(this.now() / 1000), durationMs, ok, bytes, error);
  }

  /** An error thrown by scenario code (Locust's exceptions); its failure sample is recorded separately. */
  exception(err: unknown): void {
    this.thrown.add(err);
  }

  exceptions(): ExceptionGroup[] {
    return this.thrown.list();
  }

  /** Locust's --reset-stats: forget every sample and exception so far (the users' series stays). */
  reset(): void {
    this.byMethod.clear();
    this.byName.clear();
    this.thrown.clear();
  }

  /** The number of running users from now on (for the time series). */
  setUsers(n: number): void {
    this.usersAt.set(Math.floor(this.now() / 1000), n);
  }

  /** The load's target from now on: users of a ramp, or iterations/s of an arrival rate. */
  setTarget(n: number): void {
    this.targetAt.set(Math.floor(this.now() / 1000), n);
  }

  /** Entry names seen, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  summary(name: string, durationS: number): EntrySummary | undefined {
    this.settle();
    return this.byName.get(name)?.summary(durationS);
  }

  /** Every entry, sorted by name. */
  summaries(durationS: number): EntrySummary[] {
    this.settle();
    return this.names().map((n) => (this.byName.get(n) as StatsEntry).summary(durationS));
  }

  /** One merged row over the selected entries, named `label` (method '' and route `label`). */
  /** Samples recorded so far in the entries `select` picks: counts only, no digest work. */
  count(select: EntrySelector): number {
    let n = 0;
    for (const e of this.select(select)) n += e.count;
    return n;
  }

  group(label: string, select: EntrySelector, durationS: number): EntrySummary {
    this.settle();
    const digest = new Digest();
    let count = 0, failures = 0, bytes = 0;
    for (const e of this.select(select)) {
      count += e.count;
      failures += e.failures;
      bytes += e.bytes;
      digest.merge(e.digest);
    }
    return summarize(label, '', label, count, failures, bytes, digest, durationS);
  }

  /**
   * Per-second series of the selected entries combined, one point per second from the first
   * to the last second with a sample (quiet seconds included with zero requests). Seconds that
   * any entry has folded into minutes (older than its last five minutes, see time-series.ts)
   * come as one point per minute, with `spanS` and per-second rates.
   */
  history(_label: string, select: EntrySelector): TimeSeriesPoint[] {
    let totalRequests = 0, totalFailures = 0, totalBytes = 0;
    const total = new Digest(); // everything up to this point: Locust's "Total …" history columns
    return this.points(select, -Infinity, (point, b) => {
      totalRequests += b?.count ?? 0;
      totalFailures += b?.failures ?? 0;
      totalBytes += b?.bytes ?? 0;
      if (b) total.merge(b.digest);
      return {
        ...point,
        quantilesMs: QUANTILES.map((q) => (b ? b.digest.quantile(q) : 0)),
        totalRequests, totalFailures,
        totalMedianMs: total.count > 0 ? total.quantile(0.5) : 0,
        totalAvgMs: total.count > 0 ? total.sum / total.count : 0,
        totalMinMs: total.min,
        totalMaxMs: total.max,
        totalAvgBytes: totalRequests > 0 ? totalBytes / totalRequests : 0,
      };
    });
  }

  /**
   * The points of history() from epoch second `fromT` on, with only what a chart draws (the live
   * page's updates, every second): no running totals, no quantile list. A second's figures are
   * the same as history()'s.
   */
  recentHistory(select: EntrySelector, fromT: number): ChartPoint[] {
    return this.points(select, fromT, (point) => point);
  }

  /** The series of history() and recentHistory(): their common fields, each point finished by `finish` in time order. */
  private points<P extends ChartPoint>(select: EntrySelector, fromT: number, finish: (point: ChartPoint, bucket: SecondBucket | undefined) => P): P[] {
    // One grid for every history of the recorder: the latest fold of any entry.
    const foldedUntil = this.foldedUntil();
    const entries = this.select(select);
    const buckets = new Map<number, SecondBucket>();
    // A point with one bucket behind it reads that bucket's digest (reads never change a digest,
    // and a merge into an empty digest answers the same quantiles); the second bucket makes a copy.
    const borrowed = new Set<SecondBucket>();
    let first = Infinity, last = -Infinity;
    for (const e of entries) {
      for (const b of e.series.all()) {
        const start = b.t < foldedUntil ? minuteOf(b.t) : b.t;
        if (start < fromT) continue;
        let m = buckets.get(start);
        if (m === undefined) {
          m = { t: start, span: start < foldedUntil ? COARSE_SECONDS : 1, first: b.first, count: 0, failures: 0, bytes: 0, digest: b.digest };
          buckets.set(start, m);
          borrowed.add(m);
        } else {
          if (borrowed.delete(m)) {
            const own = new Digest(SECOND_COMPRESSION);
            own.merge(m.digest);
            m.digest = own;
          }
          m.digest.merge(b.digest);
        }
        m.count += b.count;
        m.failures += b.failures;
        m.bytes += b.bytes;
        first = Math.min(first, b.first);
        // A folded minute holds samples up to where its entry's fold stands at most.
        last = Math.max(last, b.span === 1 ? b.t : Math.min(b.t + b.span, e.series.foldedUntil) - 1);
      }
    }
    if (buckets.size === 0) return [];
    const points: P[] = [];
    let users = this.usersBefore(first);
    let target = this.before(this.targetAt, first);
    for (let t = first; t <= last;) {
      const start = t < foldedUntil ? minuteOf(t) : t;
      // A minute point runs from the run's first sample (first minute) to the fold (last minute).
      const end = t < foldedUntil ? Math.min(start + COARSE_SECONDS, foldedUntil) : t + 1;
      for (let s = t; s < end; s++) {
        users = this.usersAt.get(s) ?? users;
        target = this.targetAt.get(s) ?? target;
      }
      const b = buckets.get(start);
      const spanS = end - t;
      const point: ChartPoint = {
        t, users, requests: (b?.count ?? 0) / spanS, failures: (b?.failures ?? 0) / spanS,
        p50Ms: b ? b.digest.quantile(0.5) : 0,
        p95Ms: b ? b.digest.quantile(0.95) : 0,
        p99Ms: b ? b.digest.quantile(0.99) : 0,
      };
      const done = finish(point, b);
      // Last, as they always came: only some points have them.
      if (spanS !== 1) done.spanS = spanS;
      if (this.targetAt.size > 0) done.target = target;
      points.push(done);
      t = end;
    }
    return points;
  }

  /**
   * Every entry (sorted) and `Aggregated` (last) in the completed epoch second `t`: its counts,
   * percentiles and the running totals at its end. Called once per second, off the hot path.
   */
  second(t: number): EntrySecond[] {
    const out: EntrySecond[] = [];
    const all = new Digest(SECOND_COMPRESSION);
    let requests = 0, failures = 0, totalRequests = 0, totalFailures = 0;
    for (const name of this.names()) {
      const e = this.byName.get(name) as StatsEntry;
      const b = e.series.get(t);
      // Samples of later seconds (the tick runs just after t ends) are not yet part of t's totals.
      let laterCount = 0, laterFailures = 0;
      for (let s = t + 1; s <= t + 3; s++) {
        const later = e.series.get(s);
        if (later) { laterCount += later.count; laterFailures += later.failures; }
      }
      const row: EntrySecond = {
        entry: e.name, method: e.method, route: e.route,
        requests: b?.count ?? 0, failures: b?.failures ?? 0,
        p50Ms: b ? b.digest.quantile(0.5) : 0, p95Ms: b ? b.digest.quantile(0.95) : 0, p99Ms: b ? b.digest.quantile(0.99) : 0,
        totalRequests: e.count - laterCount, totalFailures: e.failures - laterFailures,
      };
      out.push(row);
      if (!isHttpEntry(e.name)) continue; // Aggregated adds up HTTP requests only (not records, calls, iterations)
      if (b) all.merge(b.digest);
      requests += row.requests;
      failures += row.failures;
      totalRequests += row.totalRequests;
      totalFailures += row.totalFailures;
    }
    out.push({
      entry: 'Aggregated', method: '', route: 'Aggregated', requests, failures,
      p50Ms: all.quantile(0.5), p95Ms: all.quantile(0.95), p99Ms: all.quantile(0.99), totalRequests, totalFailures,
    });
    return out;
  }

  /** Failures grouped by (method, route, message), most frequent first. */
  failures(): FailureGroup[] {
    const out: FailureGroup[] = [];
    for (const e of this.byName.values()) {
      for (const [error, occurrences] of e.errors) out.push({ method: e.method, name: e.route, error, occurrences });
    }
    return out.sort((a, b) => b.occurrences - a.occurrences || cmp(a.method, b.method) || cmp(a.name, b.name) || cmp(a.error, b.error));
  }

  /**
   * Live view over the last `windowS` seconds (the current, partial second included):
   * requests/s over the time actually covered, p50/p95 of those samples, failures.
   */
  window(select: EntrySelector, windowS: number): WindowView {
    const nowMs = this.now();
    return this.span(select, Math.floor(nowMs / 1000), Math.max(1, Math.floor(windowS)), nowMs);
  }

  /**
   * Live view over the last `windowS` complete seconds (the current, partial second left out,
   * like Locust's current_rps): a burst that lands just before or after a second's boundary
   * moves the figure by one second's share, not by half the window. Before the first complete
   * second: count 0, rps and quantiles NaN.
   */
  completeWindow(select: EntrySelector, windowS: number): WindowView {
    const nowSec = Math.floor(this.now() / 1000);
    const view = this.span(select, nowSec - 1, Math.max(1, Math.floor(windowS)), nowSec * 1000);
    return view.count === 0 ? { ...view, rps: view.seconds > 0 ? 0 : NaN, p50Ms: NaN, p95Ms: NaN } : view;
  }

  /** Samples of the `span` seconds ending with `lastSec`, over the time from the start (or the span's first second) to `endMs`. */
  private span(select: EntrySelector, lastSec: number, span: number, endMs: number): WindowView {
    const nowSec = lastSec;
    const firstSec = nowSec - span + 1;
    const digest = new Digest(SECOND_COMPRESSION);
    let count = 0, failures = 0;
    for (const e of this.select(select)) {
      for (let t = firstSec; t <= nowSec; t++) {
        const b = e.series.get(t);
        if (b === undefined) continue;
        count += b.count;
        failures += b.failures;
        digest.merge(b.digest);
      }
    }
    const coveredMs = endMs - Math.max(this.startMs, firstSec * 1000);
    const coveredS = Math.max(coveredMs, 1) / 1000;
    return { rps: count / coveredS, p50Ms: digest.quantile(0.5), p95Ms: digest.quantile(0.95), failures, count, seconds: Math.max(0, coveredMs) / 1000 };
  }

  /** `fromT`: the per-second series only from that epoch second on (counters and digests are always whole). */
  snapshot(fromT?: number): RecorderSnapshot {
    return {
      version: 1,
      entries: this.names().map((n) => (this.byName.get(n) as StatsEntry).snapshot(fromT)),
      users: [...this.usersAt].sort((a, b) => a[0] - b[0]),
      ...(this.targetAt.size > 0 ? { targets: [...this.targetAt].sort((a, b) => a[0] - b[0]) } : {}),
      exceptions: this.thrown.list(),
    };
  }

  /**
   * What a worker process reports once a second (src/run/distributed/live-stats.ts keeps it):
   * the cumulative counters, errors and digests, with each digest's buffer folded into its
   * centroids (Digest.toFoldedJSON), and only what can have changed since the last report — the
   * per-second series and the users from epoch second `fromT` on. At 13,000 requests/s a report
   * is 122 KB, against 393 KB with raw samples and the whole users list (bench/live-report.ts).
   */
  liveSnapshot(fromT: number): RecorderSnapshot {
    this.settle();
    return {
      version: 1,
      entries: this.names().map((n) => (this.byName.get(n) as StatsEntry).snapshot(fromT, true)),
      users: [...this.usersAt].filter(([t]) => t >= fromT).sort((a, b) => a[0] - b[0]),
      exceptions: this.thrown.list(),
    };
  }

  /** Add a (cumulative) snapshot of another recorder to this one. */
  mergeSnapshot(s: RecorderSnapshot): void {
    for (const es of s.entries) {
      let routes = this.byMethod.get(es.method);
      if (routes === undefined) {
        routes = new Map();
        this.byMethod.set(es.method, routes);
      }
      const entry = routes.get(es.route) ?? this.createEntry(es.method, es.route, routes);
      entry.mergeSnapshot(es);
    }
    for (const [t, n] of s.users) this.usersAt.set(t, (this.usersAt.get(t) ?? 0) + n);
    for (const [t, n] of s.targets ?? []) this.targetAt.set(t, (this.targetAt.get(t) ?? 0) + n);
    for (const g of s.exceptions ?? []) this.thrown.addGroup(g);
  }

  private createEntry(method: string, route: string, routes: Map<string, StatsEntry>): StatsEntry {
    const entry = new StatsEntry(method, route);
    routes.set(route, entry);
    this.byName.set(entry.name, entry);
    return entry;
  }

  /**
   * Before a read of the entries' digests: the current second has begun for every entry
   * (StatsEntry.settle), so a read soon after a second ends sorts only that second's samples.
   */
  private settle(): void {
    const now = Math.floor(this.now() / 1000);
    for (const e of this.byName.values()) e.settle(now);
  }

  private select(select: EntrySelector): StatsEntry[] {
    if (typeof select === 'function') return [...this.byName.values()].filter((e) => select(e.name));
    const out: StatsEntry[] = [];
    for (const name of new Set(select)) {
      const e = this.byName.get(name);
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  /** One digest of every sample of the selected entries. */
  mergedDigest(select: EntrySelector): Digest {
    this.settle();
    const d = new Digest();
    for (const e of this.select(select)) d.merge(e.digest);
    return d;
  }

  /** The windows of the selected entries (metrics/windows.ts), for the saved distributions. */
  windows(select: EntrySelector, width?: number): RunWindow[] {
    return windowsOf(this.select(select).map((e) => e.series), this.foldedUntil(), width);
  }

  /** The latest second any entry has folded into minutes (the grid of histories and windows). */
  private foldedUntil(): number {
    let until = -Infinity;
    for (const e of this.byName.values()) until = Math.max(until, e.series.foldedUntil);
    return until;
  }

  /** Users at the latest second ≤ t that has a setUsers() value (0 if none). */
  private usersBefore(t: number): number {
    return this.before(this.usersAt, t);
  }

  private before(series: ReadonlyMap<number, number>, t: number): number {
    let best = -Infinity, value = 0;
    for (const [s, n] of series) if (s <= t && s > best) { best = s; value = n; }
    return value;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
