/**
 * A worker's stats as the coordinator holds them: every second the worker sends its cumulative
 * counters and digests with only the seconds of its per-second series and users that can have
 * changed since its last report (Recorder.liveSnapshot); this keeps the whole series and users,
 * so a worker that dies leaves everything it sent up to then. Seconds the worker may still send
 * again are kept as sent (a later copy replaces them); older ones are settled into a TimeSeries
 * per entry, which folds them into minutes on long runs like the worker's own.
 */
import type { RecorderSnapshot } from '../../metrics/recorder.js';
import type { StatsEntrySnapshot } from '../../metrics/stats-entry.js';
import { TimeSeries, type SecondBucketSnapshot } from '../../metrics/time-series.js';

/** Seconds of series a live message carries at least: the current second and the two before it. */
export const LIVE_SERIES_SECONDS = 3;

export class SegmentLiveStats {
  private entries: StatsEntrySnapshot[] = [];
  /** Per entry: the seconds the worker may still send again, as last sent. */
  private readonly recent = new Map<string, Map<number, SecondBucketSnapshot>>();
  /** Per entry: the seconds it will not send again. */
  private readonly settled = new Map<string, TimeSeries>();
  private readonly usersAt = new Map<number, number>();
  private latestUsers: [number, number] | undefined;
  /** Epoch ms the latest report's stats were taken (0 before the first): every second before it is complete. */
  at = 0;
  /** The worker's event-loop busy share (0–1) in the second before its latest report. */
  busy = 0;

  /** Takes a live message: counters replace the previous ones, series buckets and users are kept by second. */
  update(s: RecorderSnapshot, at = 0, busy = 0): void {
    this.at = Math.max(this.at, at);
    this.busy = busy;
    this.entries = s.entries;
    for (const [t, n] of s.users) {
      this.usersAt.set(t, n);
      if (this.latestUsers === undefined || t >= this.latestUsers[0]) this.latestUsers = [t, n];
    }
    // A report carries the seconds from at least LIVE_SERIES_SECONDS − 1 before the one it was
    // taken in, so the worker never sends the seconds before that again.
    const settleBefore = this.at > 0 ? Math.floor(this.at / 1000) - LIVE_SERIES_SECONDS + 1 : -Infinity;
    for (const e of s.entries) {
      const key = keyOf(e);
      let byT = this.recent.get(key);
      if (byT === undefined) {
        byT = new Map();
        this.recent.set(key, byT);
      }
      for (const b of e.series) byT.set(b.t, b);
    }
    for (const [key, byT] of this.recent) {
      const old = [...byT.values()].filter((b) => b.t < settleBefore).sort((a, b) => a.t - b.t);
      if (old.length === 0) continue;
      let series = this.settled.get(key);
      if (series === undefined) {
        series = new TimeSeries();
        this.settled.set(key, series);
      }
      series.mergeSnapshot(old);
      for (const b of old) byT.delete(b.t);
    }
  }

  /** Users running at the latest report. */
  get activeUsers(): number {
    return this.latestUsers?.[1] ?? 0;
  }

  /** The cumulative snapshot, with the series from second `fromT` on (all by default). */
  snapshot(fromT = -Infinity): RecorderSnapshot {
    return {
      version: 1,
      users: [...this.usersAt].sort((a, b) => a[0] - b[0]),
      entries: this.entries.map((e) => {
        const key = keyOf(e);
        const settled = this.settled.get(key)?.snapshot(fromT) ?? [];
        const recent = [...(this.recent.get(key)?.values() ?? [])].filter((b) => b.t >= fromT).sort((a, b) => a.t - b.t);
        return { ...e, series: [...settled, ...recent] };
      }),
    };
  }
}

function keyOf(e: StatsEntrySnapshot): string {
  return `${e.method}\u0000${e.route}`;
}
