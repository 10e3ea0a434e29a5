/**
 * Locust-compatible CSV files (`--csv PREFIX`): <prefix>_stats.csv, <prefix>_stats_history.csv,
 * <prefix>_failures.csv, <prefix>_exceptions.csv, with the column headers of Locust 2.x
 * `locust/stats.py` (`requests_csv_columns`, `stats_history_csv_columns`, `failures_columns`,
 * `exceptions_columns`; checked against Debian's python3-locust 2.12.1 and unchanged through
 * 2.20, the seed's pinned version, docs/reports.md).
 *
 * The history has one row per second: only Aggregated, or (`--csv-full-history`) every entry
 * first, sorted, then Aggregated — as Locust writes it. Its Total columns are the run's
 * cumulative figures up to that second, numbers in every row. Seconds older than a run's last
 * five minutes come one row per minute (memory stays bounded on long runs: metrics/time-series.ts);
 * such a row's Requests/s and Failures/s are the minute's averages.
 *
 * Differences from Locust, on purpose: response times keep sub-millisecond decimals (Locust
 * writes whole milliseconds); a history row's Requests/s, Failures/s and percentiles are those of
 * that one second (Locust's are a moving window of about 10 s). Under stages or an arrival rate
 * the history gains a last column, `Target` (users, or iterations/s; docs/cli.md "Load models").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { QUANTILES, QUANTILE_KEYS, type EntrySummary, type SimulationResult, type TimeSeriesPoint } from '../../metrics/result.js';
import { csvText, type CsvField } from '../csv-format.js';

/** Locust's get_readable_percentiles(): 0.5 → `50%`, 0.999 → `99.9%`, 1 → `100%`. */
const PERCENTILE_COLUMNS = QUANTILES.map((q) => `${Number((q * 100).toFixed(6))}%`);

export const STATS_COLUMNS: readonly string[] = [
  'Type', 'Name', 'Request Count', 'Failure Count', 'Median Response Time', 'Average Response Time',
  'Min Response Time', 'Max Response Time', 'Average Content Size', 'Requests/s', 'Failures/s',
  ...PERCENTILE_COLUMNS,
];

export const STATS_HISTORY_COLUMNS: readonly string[] = [
  'Timestamp', 'User Count', 'Type', 'Name', 'Requests/s', 'Failures/s', ...PERCENTILE_COLUMNS,
  'Total Request Count', 'Total Failure Count', 'Total Median Response Time', 'Total Average Response Time',
  'Total Min Response Time', 'Total Max Response Time', 'Total Average Content Size',
];

export const FAILURES_COLUMNS: readonly string[] = ['Method', 'Name', 'Error', 'Occurrences'];

export const EXCEPTIONS_COLUMNS: readonly string[] = ['Count', 'Message', 'Traceback', 'Nodes'];

/** Locust's name for the one process of a standalone run. */
const LOCAL_NODE = 'local';

const NA = 'N/A';

function num(n: number, digits: number): CsvField {
  return Number.isFinite(n) ? Number(n.toFixed(digits)) : NA;
}

/**
 * Locust sorts entries by (name, method) in Python's code-point order and writes the total row
 * last. The Type column tells the units apart (E2E records, SDK calls, the judged group with an
 * empty Type); Aggregated adds up HTTP requests only.
 */
function sortedEntries(result: SimulationResult): EntrySummary[] {
  return result.entries
    .filter((e) => e.name !== 'Aggregated')
    .sort((a, b) => codepoint(a.route, b.route) || codepoint(a.method, b.method));
}

function codepoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function statsRow(e: EntrySummary, name: string): CsvField[] {
  const percentiles = e.count > 0 ? QUANTILE_KEYS.map((k) => num(e.percentiles[k], 3)) : QUANTILE_KEYS.map(() => NA);
  return [
    e.method, name, e.count, e.failures, e.count > 0 ? num(e.percentiles.p50, 3) : 0, num(e.avgMs, 3),
    num(e.minMs, 3), num(e.maxMs, 3), num(e.avgBytes, 2), num(e.rps, 6), num(e.failuresPerS, 6), ...percentiles,
  ];
}

export function statsCsv(result: SimulationResult): string {
  const rows = sortedEntries(result).map((e) => statsRow(e, e.route));
  rows.push(statsRow(result.aggregated, 'Aggregated'));
  return csvText(STATS_COLUMNS, rows);
}

function historyRow(p: TimeSeriesPoint, type: string, name: string): CsvField[] {
  // Locust writes N/A only while the entry has no request at all; a quiet second is 0.
  const percentiles = QUANTILE_KEYS.map((_, i) => (p.totalRequests > 0 ? num(p.quantilesMs?.[i] ?? 0, 3) : NA));
  return [
    p.t, p.users, type, name, num(p.requests, 6), num(p.failures, 6), ...percentiles,
    p.totalRequests, p.totalFailures, num(p.totalMedianMs ?? 0, 3), num(p.totalAvgMs ?? 0, 3),
    num(p.totalMinMs ?? 0, 3), num(p.totalMaxMs ?? 0, 3), num(p.totalAvgBytes ?? 0, 2),
  ];
}

/**
 * One row per second: Aggregated only, or with `fullHistory` every recorded entry first (sorted by
 * name, then method, as Locust sorts) and Aggregated last. Each point's counts are per second
 * (a one-second bucket, or a minute's average).
 */
export function statsHistoryCsv(result: SimulationResult, fullHistory = false): string {
  const entryKeys = fullHistory
    ? sortedEntries(result).map((e) => e.name).filter((k) => result.history[k] !== undefined)
    : [];
  const keys = result.history['Aggregated'] ? [...entryKeys, 'Aggregated'] : entryKeys;
  const byName = new Map(result.entries.map((e) => [e.name, e]));
  const label = (key: string): [string, string] => {
    if (key === 'Aggregated') return ['', 'Aggregated'];
    const entry = byName.get(key);
    return entry ? [entry.method, entry.route] : ['', key];
  };
  const seconds = [...new Set(keys.flatMap((k) => (result.history[k] ?? []).map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(keys.map((k) => [k, new Map((result.history[k] ?? []).map((p) => [p.t, p]))]));
  // Stages and arrival rates add one column after Locust's: the load's target that second.
  const hasTarget = (result.history['Aggregated'] ?? []).some((p) => p.target !== undefined);
  const targets = new Map((result.history['Aggregated'] ?? []).map((p) => [p.t, p.target]));
  const rows: CsvField[][] = [];
  for (const t of seconds) {
    for (const key of keys) {
      const point = index.get(key)?.get(t);
      if (!point) continue;
      const row = historyRow(point, ...label(key));
      if (hasTarget) row.push(targets.get(t) ?? NA);
      rows.push(row);
    }
  }
  return csvText(hasTarget ? [...STATS_HISTORY_COLUMNS, 'Target'] : STATS_HISTORY_COLUMNS, rows);
}

export function failuresCsv(result: SimulationResult): string {
  const rows = [...result.failures]
    .sort((a, b) => a.name.localeCompare(b.name) || a.method.localeCompare(b.method))
    .map((f): CsvField[] => [f.method, f.name, f.error, f.occurrences]);
  return csvText(FAILURES_COLUMNS, rows);
}

/** Errors thrown by scenario code: Count, Message, Traceback, Nodes (`local`: one process). */
export function exceptionsCsv(result: SimulationResult): string {
  const rows = (result.exceptions ?? []).map((e): CsvField[] => [e.count, e.message, e.traceback, LOCAL_NODE]);
  return csvText(EXCEPTIONS_COLUMNS, rows);
}

/** Writes the four files (creating the prefix's folder), returns their paths. */
export async function writeCsv(result: SimulationResult, prefix: string, fullHistory = false): Promise<string[]> {
  await mkdir(dirname(prefix), { recursive: true });
  const files: [string, string][] = [
    [`${prefix}_stats.csv`, statsCsv(result)],
    [`${prefix}_stats_history.csv`, statsHistoryCsv(result, fullHistory)],
    [`${prefix}_failures.csv`, failuresCsv(result)],
    [`${prefix}_exceptions.csv`, exceptionsCsv(result)],
  ];
  for (const [file, text] of files) await writeFile(file, text, 'utf8');
  return files.map(([file]) => file);
}
