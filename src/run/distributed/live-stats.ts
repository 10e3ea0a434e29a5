/**
 * A worker's stats as the coordinator holds them: every second the worker sends its cumulative
 * counters and digests with only the seconds of its per-second series and users that can have
 * changed since its last report (Recorder.liveSnapshot); this keeps the whole series and users
 * by second, so a worker that dies leaves everything it sent up to then.
 */
import type { RecorderSnapshot } from '../../metrics/recorder.js';
import type { StatsEntrySnapshot } from '../../metrics/stats-entry.js';
import type { SecondBucketSnapshot } from '../../metrics/time-series.js';

/** Seconds of series a live message carries at least: the current second and the two before it. */
export const LIVE_SERIES_SECONDS = 3;

export class SegmentLiveStats {
  private entries: StatsEntrySnapshot[] = [];
  private readonly series = new Map<string, Map<number, SecondBucketSnapshot>>();
  private readonly usersAt = new Map<number, number>();
  private latestUsers: [number, number] | undefined;

  /** Takes a live message: counters replace the previous ones, series buckets and users are kept by second. */
  update(s: RecorderSnapshot): void {
    this.entries = s.entries;
    for (const [t, n] of s.users) {
      this.usersAt.set(t, n);
      if (this.latestUsers === undefined || t >= this.latestUsers[0]) this.latestUsers = [t, n];
    }
    for (const e of s.entries) {
      const key = `${e.method}\u0000${e.route}`;
      let byT = this.series.get(key);
      if (byT === undefined) {
        byT = new Map();
        this.series.set(key, byT);
      }
      for (const b of e.series) byT.set(b.t, b);
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
        const byT = this.series.get(`${e.method}\u0000${e.route}`) ?? new Map<number, SecondBucketSnapshot>();
        return { ...e, series: [...byT.values()].filter((b) => b.t >= fromT).sort((a, b) => a.t - b.t) };
      }),
    };
  }
}
