/**
 * One run in the results history (docs/history.md "The record", format `mlop-sim-history/1`):
 * what `history add` keeps of a latest.json — per judged entry and per HTTP route its p50, p95
 * and p99, error rate and throughput — with the run's time, scenario and a label (e.g. the
 * commit). Reading a record back checks every field, so a file that is not a history is refused
 * with one sentence.
 */
import { SimUsageError } from '../core/errors.js';
import type { EntrySummary } from '../metrics/result.js';

export const HISTORY_FORMAT = 'mlop-sim-history/1';

/** The figures of one entry in one run. Latencies in ms, error rate 0–1, throughput per second. */
export interface EntryFigures {
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  error_rate: number;
  rps: number;
  /** Requests (or records) the figures come from. */
  count: number;
}

/** The series `history check` looks at, and which way is worse for each. */
export const HISTORY_METRICS = ['p50_ms', 'p95_ms', 'p99_ms', 'error_rate', 'rps'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];
/** +1: a rise is a regression (latency, error rate); −1: a fall is (throughput). */
export const WORSE_WHEN: Record<HistoryMetric, 1 | -1> = { p50_ms: 1, p95_ms: 1, p99_ms: 1, error_rate: 1, rps: -1 };

export interface HistoryRecord {
  format: typeof HISTORY_FORMAT;
  /** When the run started (ISO 8601, from latest.json's startedAt): the series are ordered by it. */
  time: string;
  /** What the run measured, e.g. a commit; null when none was given. */
  label: string | null;
  scenario: string;
  seed: number;
  durationS: number;
  /** Whether the run passed its own gates. */
  pass: boolean;
  /** Per entry name (the judged entries first, then the HTTP routes). */
  entries: Record<string, EntryFigures>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** An HTTP method, as the entries' Locust "Type" spells it (SDK calls and E2E delays are not routes). */
const HTTP_METHOD = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/;

function figuresOf(e: EntrySummary): EntryFigures {
  return {
    p50_ms: e.percentiles.p50,
    p95_ms: e.percentiles.p95,
    p99_ms: e.percentiles.p99,
    error_rate: e.count > 0 ? e.failures / e.count : 0,
    rps: e.rps,
    count: e.count,
  };
}

function isEntrySummary(v: unknown): v is EntrySummary {
  return isObject(v) && typeof v.name === 'string' && typeof v.method === 'string' && isNumber(v.count) && isNumber(v.failures) && isNumber(v.rps) &&
    isObject(v.percentiles) && isNumber(v.percentiles.p50) && isNumber(v.percentiles.p95) && isNumber(v.percentiles.p99);
}

/**
 * The record of a parsed latest.json (`source` names it in the error). Not a latest.json of
 * mlop-sim (no entries, no judged list, no start time) → SimUsageError (exit 2).
 */
export function recordOfResult(result: unknown, source: string, label: string | null, force = false): HistoryRecord {
  const bad = (what: string): never => {
    throw new SimUsageError(`${source} is not a latest.json of mlop-sim (${what}).`);
  };
  if (!isObject(result)) return bad('not a JSON object');
  if (!Array.isArray(result.entries) || !result.entries.every(isEntrySummary)) return bad('no "entries" list of stats rows');
  if (!isEntrySummary(result.aggregated)) return bad('no "aggregated" row');
  if (!Array.isArray(result.judged) || !result.judged.every((j) => typeof j === 'string')) return bad('no "judged" list');
  if (typeof result.startedAt !== 'string' || Number.isNaN(Date.parse(result.startedAt))) return bad('no "startedAt" time');
  if (result.interrupted === true && !force) {
    throw new SimUsageError(`${source} is of an interrupted run, whose figures cover only part of the load: pass --force to add it anyway.`);
  }
  const rows = result.entries as EntrySummary[];
  const entries: Record<string, EntryFigures> = {};
  for (const name of result.judged as string[]) {
    const row = name === (result.aggregated as EntrySummary).name ? (result.aggregated as EntrySummary) : rows.find((r) => r.name === name);
    if (row) entries[name] = figuresOf(row);
  }
  for (const row of rows) if (HTTP_METHOD.test(row.method) && !(row.name in entries)) entries[row.name] = figuresOf(row);
  if (Object.keys(entries).length === 0) return bad('no judged entry and no HTTP route was recorded');
  return {
    format: HISTORY_FORMAT,
    time: new Date(Date.parse(result.startedAt)).toISOString(),
    label,
    scenario: typeof result.scenario === 'string' ? result.scenario : '',
    seed: isNumber(result.seed) ? result.seed : 0,
    durationS: isNumber(result.durationS) ? result.durationS : 0,
    pass: result.pass === true,
    entries,
  };
}

/** Checks a parsed record; returns why it is not one, or undefined when it is. */
export function recordProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not a JSON object';
  if (v.format !== HISTORY_FORMAT) return `its "format" is ${JSON.stringify(v.format) ?? 'missing'}, not "${HISTORY_FORMAT}"`;
  if (typeof v.time !== 'string' || Number.isNaN(Date.parse(v.time))) return 'no "time"';
  if (v.label !== null && typeof v.label !== 'string') return '"label" is neither text nor null';
  if (typeof v.scenario !== 'string') return 'no "scenario"';
  if (!isObject(v.entries)) return 'no "entries" object';
  for (const [name, f] of Object.entries(v.entries)) {
    if (!isObject(f)) return `entry "${name}" is not an object`;
    for (const m of [...HISTORY_METRICS, 'count'] as const) if (!isNumber(f[m])) return `entry "${name}" has no number "${m}"`;
  }
  return undefined;
}
