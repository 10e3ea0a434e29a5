/**
 * A worker's stats as the coordinator holds them: every second the worker sends its cumulative
 * counters and digests with only the last few seconds of its per-second series; this keeps the
 * whole series by second, so a worker that dies leaves everything it sent up to then.
 */
import type { RecorderSnapshot } from '../../metrics/recorder.js';
import type { StatsEntrySnapshot } from '../../metrics/stats-entry.js';
import type { SecondBucketSnapshot } from '../../metrics/time-series.js';

/** Seconds of series a live message carries: the current second and the two before it. */
export const LIVE_SERIES_SECONDS = 3;

export class SegmentLiveStats {
  private entries: StatsEntrySnapshot[] = [];
  private readonly series = new Map<string, Map<number, SecondBucketSnapshot>>();
  private users: [number, number][] = [];
  /** Epoch ms the latest report's stats were taken (0 before the first): every second before it is complete. */
  at = 0;
  /** The worker's event-loop busy share (0–1) in the second before its latest report. */
  busy = 0;

  /** Takes a live message: counters replace the previous ones, series buckets are kept by second. */
  update(s: RecorderSnapshot, at = 0, busy = 0): void {
    this.at = Math.max(this.at, at);
    this.busy = busy;
    this.entries = s.entries;
    this.users = s.users;
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
    return this.users.length > 0 ? this.users[this.users.length - 1][1] : 0;
  }

  /** The cumulative snapshot, with the series from second `fromT` on (all by default). */
  snapshot(fromT = -Infinity): RecorderSnapshot {
    return {
      version: 1,
      users: this.users,
      entries: this.entries.map((e) => {
        const byT = this.series.get(`${e.method}\u0000${e.route}`) ?? new Map<number, SecondBucketSnapshot>();
        return { ...e, series: [...byT.values()].filter((b) => b.t >= fromT).sort((a, b) => a.t - b.t) };
      }),
    };
  }
}
