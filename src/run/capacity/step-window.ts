/**
 * A step's judged window read from per-second digests instead of a mid-run reset: the rows the
 * verdict reads (every entry, the aggregates) built from the recorder's 1 s windows
 * (metrics/windows.ts, aligned on the epoch second) that lie wholly inside [fromMs, toMs). This
 * works the same for one process's recorder and for the --workers coordinator's merged one, whose
 * workers' seconds line up. Also the time-to-visible lag's per-second medians for its trend
 * (src/executor/capacity/lag-trend.ts).
 */
import { AGGREGATED, E2E_ENTRY_NAME, ITERATION_DROPPED_NAME, SDK_HTTP_GROUP, VISIBLE_ENTRY_NAME, isHttpEntry } from '../../core/entry-names.js';
import { lagTrend, type LagTrend } from '../../executor/capacity/lag-trend.js';
import { Digest } from '../../metrics/digest.js';
import type { EntrySelector, Recorder } from '../../metrics/recorder.js';
import type { EntrySummary } from '../../metrics/result.js';
import { summarize } from '../../metrics/stats-entry.js';

/** The window is read this long before the step's end, so the users' stop is not in it. */
export const READ_BEFORE_END_MS = 100;

/** What a step's judged window measured, however it was read (one process, or --workers). */
export interface StepWindow {
  rows: Map<string, EntrySummary>;
  windowS: number;
  dlqGrowth?: number;
  /** SDK: the share of the logged records the runs' queues did not pile up (src/executor/capacity/queue-trend.ts). */
  keptUp?: number;
  /** Epoch ms the window began (one process), for the lag's per-second windows. */
  fromMs?: number;
  /** The time-to-visible lag's trend over the window (--clickhouse-url). */
  lag?: LagTrend;
  /** --workers: whether any worker's generator saturated during the step (one process: its result says). */
  generatorSaturated?: boolean;
}

export interface SecondsWindow {
  /** First whole epoch second inside the window, and the one after its last. */
  fromSec: number;
  toSec: number;
}

/** The whole epoch seconds inside [fromMs, toMs). */
export function secondsWithin(fromMs: number, toMs: number): SecondsWindow {
  const fromSec = Math.ceil(fromMs / 1000);
  return { fromSec, toSec: Math.max(fromSec, Math.floor(toMs / 1000)) };
}

function summaryIn(recorder: Recorder, label: string, method: string, route: string, select: EntrySelector, w: SecondsWindow): EntrySummary {
  const digest = new Digest();
  let count = 0, failures = 0;
  for (const win of recorder.windows(select, 1)) {
    if (win.t < w.fromSec || win.t >= w.toSec) continue;
    count += win.count;
    failures += win.failures;
    digest.merge(win.digest);
  }
  return summarize(label, method, route, count, failures, 0, digest, w.toSec - w.fromSec);
}

/**
 * The rows a step's verdict reads: every entry, then the aggregates (HTTP requests, the SDK's
 * HTTP group) and the rows a gate may name though nothing was recorded in them. `group` sums the
 * selected entries over the window, however the window is read.
 */
export function stepRows(entries: readonly EntrySummary[], group: (label: string, select: EntrySelector) => EntrySummary, sdk: boolean): Map<string, EntrySummary> {
  const rows = new Map<string, EntrySummary>(entries.map((e) => [e.name, e]));
  rows.set(AGGREGATED, group(AGGREGATED, isHttpEntry));
  if (sdk) rows.set(SDK_HTTP_GROUP, group(SDK_HTTP_GROUP, isHttpEntry));
  if (!rows.has(ITERATION_DROPPED_NAME)) rows.set(ITERATION_DROPPED_NAME, group(ITERATION_DROPPED_NAME, []));
  if (!rows.has(E2E_ENTRY_NAME) && sdk) rows.set(E2E_ENTRY_NAME, group(E2E_ENTRY_NAME, []));
  return rows;
}

/** Every entry's summary over the window of whole seconds, with the aggregates the step's verdict reads. */
export function windowRows(recorder: Recorder, w: SecondsWindow, sdk: boolean): Map<string, EntrySummary> {
  const entries = recorder.summaries(1).map((s) => summaryIn(recorder, s.name, s.method, s.route, [s.name], w));
  return stepRows(entries, (label, select) => summaryIn(recorder, label, '', label, select, w), sdk);
}

/** The time-to-visible lag's trend over the window, or undefined when nothing was probed. */
export function visibilityLagIn(recorder: Recorder, w: SecondsWindow): LagTrend | undefined {
  const lags = recorder.windows([VISIBLE_ENTRY_NAME], 1)
    .filter((win) => win.t >= w.fromSec && win.t < w.toSec && win.count > 0)
    .map((win) => ({ t: win.t - w.fromSec + 0.5, lagMs: win.digest.quantile(0.5) }));
  if (lags.length === 0) return undefined;
  return lagTrend(lags, w.toSec - w.fromSec);
}

/** Waits `ms`, or less when the step is stopped. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
