/**
 * Merging segments into one recorder and one set of runs: counters add up exactly, digests are
 * merged in segment order (so the result is the same whatever order the parts arrive or the
 * files are given in), users are summed per second with each segment's count carried forward.
 * A segment given twice (a retried pod, a file listed twice) counts once.
 */
import { Recorder, type RecorderSnapshot } from '../../metrics/recorder.js';
import type { DeliveryAudit, RunAudit } from '../../metrics/result.js';
import type { SegmentResult } from './segment-result.js';

export interface MergedSegments {
  recorder: Recorder;
  /** Epoch ms of the earliest start and of the latest end. */
  startedAtMs: number;
  endedAtMs: number;
  /** Seconds from the earliest start to the latest end. */
  durationS: number;
  interrupted: boolean;
  runs: RunAudit[];
  /** True when every part's runs were audited against storage already. */
  storageChecked: boolean;
  /**
   * The parts' storage states combined (parts without runs say nothing): any `unreadable` →
   * unreadable, all `checked` → checked, otherwise `acked-only`.
   */
  storage: DeliveryAudit['storage'];
  /** The parts whose storage could not be read, by segment index, with why. */
  unreadable: { index: number; problem?: string }[];
  /** Segment indices present, ascending. */
  present: number[];
  /** Segment indices of 0 … count-1 with no part. */
  missing: number[];
  /** Per index present: how many extra copies were dropped. */
  duplicates: Map<number, number>;
}

/**
 * Picks one part per segment index: a complete part over an interrupted one, then the later
 * start (the retry), then the larger request count: a choice that does not depend on input order.
 */
export function pickParts(parts: readonly SegmentResult[]): { chosen: SegmentResult[]; duplicates: Map<number, number> } {
  const byIndex = new Map<number, SegmentResult[]>();
  for (const p of parts) byIndex.set(p.segment.index, [...(byIndex.get(p.segment.index) ?? []), p]);
  const chosen: SegmentResult[] = [];
  const duplicates = new Map<number, number>();
  for (const [index, copies] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    const best = [...copies].sort(betterFirst)[0];
    chosen.push(best);
    if (copies.length > 1) duplicates.set(index, copies.length - 1);
  }
  return { chosen, duplicates };
}

function betterFirst(a: SegmentResult, b: SegmentResult): number {
  if (a.interrupted !== b.interrupted) return a.interrupted ? 1 : -1;
  if (a.startedAtMs !== b.startedAtMs) return b.startedAtMs - a.startedAtMs;
  return requests(b.stats) - requests(a.stats);
}

function requests(s: RecorderSnapshot): number {
  return s.entries.reduce((n, e) => n + e.count, 0);
}

export function mergeSegments(parts: readonly SegmentResult[], count: number): MergedSegments {
  const { chosen, duplicates } = pickParts(parts);
  const recorder = new Recorder();
  for (const p of chosen) recorder.mergeSnapshot({ ...p.stats, users: [] });
  recorder.mergeSnapshot({ version: 1, entries: [], users: sumUsers(chosen.map((p) => p.stats.users)) });
  const present = chosen.map((p) => p.segment.index);
  const missing: number[] = [];
  for (let i = 0; i < count; i++) if (!present.includes(i)) missing.push(i);
  const startedAtMs = chosen.length > 0 ? Math.min(...chosen.map((p) => p.startedAtMs)) : Date.now();
  const audited = chosen.filter((p) => p.runs.length > 0);
  const states = audited.map(storageOf);
  const storage: DeliveryAudit['storage'] = states.includes('unreadable') ? 'unreadable'
    : states.length > 0 && states.every((s) => s === 'checked') ? 'checked' : 'acked-only';
  const endedAtMs = chosen.length > 0 ? Math.max(...chosen.map((p) => p.startedAtMs + p.durationS * 1000)) : startedAtMs;
  return {
    recorder,
    startedAtMs,
    endedAtMs,
    durationS: (endedAtMs - startedAtMs) / 1000,
    interrupted: chosen.some((p) => p.interrupted),
    runs: chosen.flatMap((p) => p.runs).sort((a, b) => a.runId - b.runId || cmp(a.runName, b.runName)),
    storageChecked: storage === 'checked',
    storage,
    unreadable: audited.filter((p) => storageOf(p) === 'unreadable').map((p) => ({ index: p.segment.index, ...(p.storageProblem ? { problem: p.storageProblem } : {}) })),
    present,
    missing,
    duplicates,
  };
}

/**
 * Users over time of several segments: at every second where any segment's count changed, the
 * sum of each segment's latest count (a segment that has not started yet counts 0).
 */
export function sumUsers(series: readonly (readonly [number, number][])[]): [number, number][] {
  const seconds = [...new Set(series.flatMap((s) => s.map(([t]) => t)))].sort((a, b) => a - b);
  const cursor = series.map(() => 0);
  const current = series.map(() => 0);
  return seconds.map((t) => {
    series.forEach((s, i) => {
      while (cursor[i] < s.length && s[cursor[i]][0] <= t) current[i] = s[cursor[i]++][1];
    });
    return [t, current.reduce((a, b) => a + b, 0)];
  });
}

/** A part's storage state (files written before `storage` existed have storageChecked only). */
function storageOf(p: SegmentResult): DeliveryAudit['storage'] {
  return p.storage ?? (p.storageChecked ? 'checked' : 'acked-only');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
