/**
 * `history check`: E-divisive means (metrics/statistics/change-points.ts) over each entry's
 * series of each figure, every change point with the run it starts at, its size and direction,
 * and the verdict: a regression (latency or error rate up, throughput down) whose new level
 * starts within the last `window` results fails the check (docs/history.md "The check").
 */
import { SimUsageError } from '../core/errors.js';
import { eDivisive, type ChangePointOptions } from '../metrics/statistics/change-points.js';
import { HISTORY_METRICS, WORSE_WHEN, type HistoryMetric, type HistoryRecord } from './record.js';
import { orderByTime } from './store.js';

/**
 * The window by default: 5 results. A change is confirmed only once a few results stand on its
 * new level (a lone last result is as likely an outlier), so a window of 1 could never fail; on
 * real runs a +5 % p50 shift was confirmed by the 5th slow result in 82.5 % of series, and the
 * check had failed by then in 91.5 %
 * (bench/RESULTS.md "history-changepoints", the lag table).
 */
export const DEFAULT_WINDOW = 5;

export interface CheckOptions extends ChangePointOptions {
  /** A regression fails the check when it starts within the last this many results (default DEFAULT_WINDOW). */
  window?: number;
  /** Only these entries (default: every entry in the history). */
  entries?: readonly string[];
  /** Only these figures (default: all of HISTORY_METRICS). */
  metrics?: readonly HistoryMetric[];
  /** Change points whose relative size is below this percentage are not reported (default 0: all). */
  minChangePct?: number;
  /** Only the results of this scenario; required when the history holds several. */
  scenario?: string;
  /** Only the newest this many results (default: all). The cost grows with the square of the length. */
  last?: number;
}

export interface SeriesChange {
  entry: string;
  metric: HistoryMetric;
  /** 0-based position, in the ordered history, of the first result of the new level. */
  run: number;
  label: string | null;
  time: string;
  /** Means of the levels before and after (between neighbouring change points). */
  before: number;
  after: number;
  /** (after − before) / before × 100; null when before is 0. */
  changePct: number | null;
  direction: 'regression' | 'improvement';
  pValue: number;
  /** True when it is a regression starting within the window: the check fails on it. */
  gates: boolean;
}

export interface HistoryCheck {
  /** Results in the history, oldest first. */
  records: HistoryRecord[];
  window: number;
  /** Series examined (entry × figure). */
  series: number;
  changes: SeriesChange[];
  pass: boolean;
}

/** The entry names of the history, in the order they first appear. */
export function entryNames(records: readonly HistoryRecord[]): string[] {
  const names: string[] = [];
  for (const r of records) for (const name of Object.keys(r.entries)) if (!names.includes(name)) names.push(name);
  return names;
}

/** The entries asked for, checked against the history (an unknown name is a usage error). */
export function pickEntries(records: readonly HistoryRecord[], asked: readonly string[] | undefined): string[] {
  const all = entryNames(records);
  if (!asked || asked.length === 0) return all;
  for (const name of asked) {
    if (!all.includes(name)) throw new SimUsageError(`no result in the history has an entry named "${name}" (it has: ${all.map((n) => `"${n}"`).join(', ')}).`);
  }
  return [...asked];
}

/** The results of one scenario: the one asked for, else the only one there is (several → usage error). */
export function ofScenario(records: readonly HistoryRecord[], scenario: string | undefined): HistoryRecord[] {
  const names = [...new Set(records.map((r) => r.scenario))];
  if (scenario === undefined) {
    if (names.length > 1) throw new SimUsageError(`the history holds results of several scenarios (${names.join(', ')}); pick one with --scenario.`);
    return [...records];
  }
  if (!names.includes(scenario)) throw new SimUsageError(`the history holds no result of scenario "${scenario}" (it has: ${names.join(', ')}).`);
  return records.filter((r) => r.scenario === scenario);
}

export function checkHistory(unordered: readonly HistoryRecord[], options: CheckOptions = {}): HistoryCheck {
  const window = options.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(window) || window < 1) throw new SimUsageError(`--window must be a whole number of results, at least 1 (got ${window}).`);
  const minChange = options.minChangePct ?? 0;
  const last = options.last;
  if (last !== undefined && (!Number.isInteger(last) || last < 3)) throw new SimUsageError(`--last must be a whole number of results, at least 3 (got ${last}).`);
  const records = orderByTime(ofScenario(unordered, options.scenario)).slice(last === undefined ? 0 : -last);
  const entries = pickEntries(records, options.entries);
  const metrics = options.metrics ?? HISTORY_METRICS;
  const changes: SeriesChange[] = [];
  let series = 0;
  for (const entry of entries) {
    for (const metric of metrics) {
      // Runs without this entry are left out of its series; positions map back to the history.
      const runs: number[] = [];
      const values: number[] = [];
      records.forEach((r, i) => {
        const f = r.entries[entry];
        if (f) {
          runs.push(i);
          values.push(f[metric]);
        }
      });
      series++;
      for (const cp of eDivisive(values, options)) {
        const run = runs[cp.index];
        const changePct = cp.meanBefore !== 0 ? ((cp.meanAfter - cp.meanBefore) / cp.meanBefore) * 100 : null;
        if (changePct !== null && Math.abs(changePct) < minChange) continue;
        const worse = Math.sign(cp.meanAfter - cp.meanBefore) === WORSE_WHEN[metric];
        changes.push({
          entry, metric, run, label: records[run].label, time: records[run].time, before: cp.meanBefore, after: cp.meanAfter, changePct,
          direction: worse ? 'regression' : 'improvement', pValue: cp.pValue, gates: worse && run >= records.length - window,
        });
      }
    }
  }
  return { records, window, series, changes, pass: !changes.some((c) => c.gates) };
}
