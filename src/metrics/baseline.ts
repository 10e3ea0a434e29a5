/**
 * Baseline comparison, after the seed's compare_baseline.py (docs/protocol/load-test-suite.md §6.8): fail when
 * p95 or p99 grew by more than 20 % relative ((cur − base) / base), or error_rate grew by more
 * than 0.05 absolute.
 *
 * Where we differ, and why: compare_baseline.py divides by zero on a zero baseline. Here a
 * latency counts as regressed only if it grew by more than 20 % AND by more than
 * BASELINE_FLOOR_MS (1 ms) in absolute terms. So 0 → 0 passes, 0 → 0.4 ms passes, 0 → 3 ms
 * fails (change reported as Infinity). The same floor keeps sub-millisecond noise on loopback
 * (0.30 → 0.45 ms, +50 %) from failing a build; the seed never saw such values because Locust
 * rounds everything below 0.5 ms to 0 and everything below 100 ms to whole milliseconds.
 */
import { VISIBLE_ENTRY_NAME } from '../core/entry-names.js';
import type { BaselineCheck, BaselineVerdict } from './result.js';
import { readDistributions, type Distributions } from './distributions.js';

export const MAX_LATENCY_GROWTH = 0.2;
export const MAX_ERROR_RATE_GROWTH = 0.05;
export const BASELINE_FLOOR_MS = 1;
/** Growth exactly at a limit passes; this absorbs float rounding such as 0.07 − 0.02 > 0.05. */
const EPSILON = 1e-9;

/** The seed's latest.json keys that a baseline comparison reads. */
export interface BaselineFigures {
  p95_ms: number;
  p99_ms: number;
  error_rate: number;
  /** What the figures were measured on, when the file says (mlop-sim's latest.json does; the seed's does not). */
  scenario?: string;
  judged?: string[];
  /** p95 of `E2E log→visible` (--clickhouse-url), when the run recorded it; compared like p95_ms when both have it. */
  visible_p95_ms?: number;
  /** The file's distributions (issue 20), for the regression verdict; absent in the seed's and older files. */
  distributions?: Distributions;
  /** Why its distributions cannot be used, when it has unusable ones. */
  distributionsProblem?: string;
}

/** A baseline file that cannot be used; the message is one sentence naming the file. */
export class BaselineFileError extends Error {
  override name = 'BaselineFileError';
}

export function compareBaseline(baseline: BaselineFigures, current: BaselineFigures, file: string): BaselineVerdict {
  const checks: BaselineCheck[] = [
    latencyCheck('p95_ms', baseline.p95_ms, current.p95_ms),
    latencyCheck('p99_ms', baseline.p99_ms, current.p99_ms),
    errorRateCheck(baseline.error_rate, current.error_rate),
  ];
  if (baseline.visible_p95_ms !== undefined && current.visible_p95_ms !== undefined) {
    checks.push(latencyCheck('visible_p95_ms', baseline.visible_p95_ms, current.visible_p95_ms));
  }
  return { file, pass: checks.every((c) => c.pass), checks };
}

function latencyCheck(metric: 'p95_ms' | 'p99_ms' | 'visible_p95_ms', base: number, cur: number): BaselineCheck {
  const change = base > 0 ? (cur - base) / base : cur > 0 ? Infinity : 0;
  const grewBeyondFloor = cur - base > BASELINE_FLOOR_MS + EPSILON;
  const grewBeyondLimit = change > MAX_LATENCY_GROWTH + EPSILON;
  const pass = !(grewBeyondLimit && grewBeyondFloor);
  const check: BaselineCheck = { metric, baseline: base, current: cur, change, limit: MAX_LATENCY_GROWTH, pass };
  if (grewBeyondLimit && !grewBeyondFloor) {
    check.note = `grew by ${(cur - base).toFixed(3)} ms, within the ${BASELINE_FLOOR_MS} ms absolute floor`;
  }
  return check;
}

function errorRateCheck(base: number, cur: number): BaselineCheck {
  const change = cur - base;
  return { metric: 'error_rate', baseline: base, current: cur, change, limit: MAX_ERROR_RATE_GROWTH, pass: !(change > MAX_ERROR_RATE_GROWTH + EPSILON) };
}

/** Read a saved latest.json (or any JSON object with the seed's keys) as a baseline. */
export function parseBaselineFile(text: string, file: string): BaselineFigures {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new BaselineFileError(`Baseline file ${file} is not valid JSON.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BaselineFileError(`Baseline file ${file} must hold a JSON object with p95_ms, p99_ms and error_rate.`);
  }
  const obj = data as Record<string, unknown>;
  const missing = (['p95_ms', 'p99_ms', 'error_rate'] as const).filter((k) => !(k in obj));
  if (missing.length > 0) {
    throw new BaselineFileError(`Baseline file ${file} lacks ${missing.join(', ')} (expected a latest.json written by mlop-sim or the seed's Locust suite).`);
  }
  for (const k of ['p95_ms', 'p99_ms', 'error_rate'] as const) {
    const v = obj[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new BaselineFileError(`Baseline file ${file} has ${k} = ${JSON.stringify(v)}, which is not a number ≥ 0.`);
    }
  }
  const figures: BaselineFigures = { p95_ms: obj.p95_ms as number, p99_ms: obj.p99_ms as number, error_rate: obj.error_rate as number };
  if (typeof obj.scenario === 'string') figures.scenario = obj.scenario;
  if (Array.isArray(obj.judged) && obj.judged.every((j) => typeof j === 'string')) figures.judged = obj.judged as string[];
  const visible = visibleP95(obj.entries);
  if (visible !== undefined) figures.visible_p95_ms = visible;
  const distributions = readDistributions(obj);
  if (typeof distributions === 'string') figures.distributionsProblem = distributions;
  else if (distributions) figures.distributions = distributions;
  return figures;
}

/** p95 of the `E2E log→visible` entry in a latest.json's `entries`, if it has one. */
function visibleP95(entries: unknown): number | undefined {
  if (!Array.isArray(entries)) return undefined;
  const e = entries.find((x: { name?: unknown }) => x && x.name === VISIBLE_ENTRY_NAME) as { percentiles?: { p95?: unknown } } | undefined;
  const v = e?.percentiles?.p95;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}
