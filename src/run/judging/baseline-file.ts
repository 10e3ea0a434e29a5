/**
 * The baseline file: read and checked before a run compares with it, and `mlop-sim baseline
 * save`, which copies the last run's latest.json to it, as the seed README does by hand
 * (`cp reports/latest.json baseline/baseline_results.json`).
 */
import { copyFile, readFile } from 'node:fs/promises';
import { BaselineFileError, parseBaselineFile, type BaselineFigures } from '../../metrics/baseline.js';
import { join } from 'node:path';
import { prepareFile } from '../../output/output-paths.js';
import { SimUsageError } from '../../core/errors.js';
import { DEFAULT_REPORT_DIR } from '../plan.js';

export const DEFAULT_BASELINE_FILE = 'baseline/baseline_results.json';

export interface SaveBaselineOptions {
  reportDir?: string;
  to?: string;
  /** Save a failed or interrupted run too (the result then carries a warning). */
  force?: boolean;
}

/**
 * Returns the baseline file written, and a warning when a failed or interrupted run was saved
 * with `force`. Throws SimUsageError when there is no usable latest.json, or when it is of a
 * failed or interrupted run and `force` is not set: a baseline every later run is held to
 * should be a run that passed.
 */
export async function saveBaseline(o: SaveBaselineOptions = {}): Promise<{ from: string; to: string; warning?: string }> {
  const from = join(o.reportDir ?? DEFAULT_REPORT_DIR, 'latest.json');
  const to = o.to ?? DEFAULT_BASELINE_FILE;
  let text: string;
  try {
    text = await readFile(from, 'utf8');
  } catch {
    throw new SimUsageError(`there is no ${from} to save as the baseline (run a simulation first).`);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SimUsageError(`${from} is not valid JSON.`);
  }
  for (const k of ['p95_ms', 'p99_ms', 'error_rate']) {
    if (typeof parsed[k] !== 'number') throw new SimUsageError(`${from} has no numeric "${k}", so it cannot serve as a baseline.`);
  }
  const why = parsed.interrupted === true ? 'an interrupted run' : parsed.pass === false ? 'a failed run' : undefined;
  const reasons = Array.isArray(parsed.reasons) && parsed.reasons.length > 0 ? ` (${String(parsed.reasons[0]).replace(/\.$/, '')})` : '';
  if (why && !o.force) {
    throw new SimUsageError(`${from} is of ${why}${reasons}; a baseline should be a run that passed: pass --force to save it anyway.`);
  }
  await prepareFile(to, 'the baseline (--to)');
  await copyFile(from, to);
  return why ? { from, to, warning: `saved ${why} as the baseline${reasons}; later runs will be compared with it.` } : { from, to };
}

/** Reads and checks the baseline file before the load starts (exit 2 on a bad file). */
export async function readBaseline(file: string): Promise<ReturnType<typeof parseBaselineFile>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new SimUsageError(`baseline file ${file} cannot be read`);
  }
  try {
    return parseBaselineFile(text, file);
  } catch (err) {
    if (err instanceof BaselineFileError) throw new SimUsageError(err.message.replace(/\.$/, ''));
    throw err;
  }
}

/**
 * Refuses a baseline measured on another scenario or another judged entry: "+115127 %" between
 * an http run's Aggregated p95 and an sdk run's E2E log→ack p95 says nothing. Files that do not
 * say what they measured (the seed's Locust latest.json) are taken as comparable.
 */
export function assertComparable(baseline: BaselineFigures, file: string, scenario: string, judged: readonly string[]): void {
  const sameScenario = baseline.scenario === undefined || baseline.scenario === scenario;
  const sameJudged = baseline.judged === undefined || baseline.judged[0] === judged[0];
  if (sameScenario && sameJudged) return;
  const was = `${baseline.scenario ?? 'another'} scenario, judged on ${baseline.judged?.[0] ?? 'another entry'}`;
  throw new SimUsageError(
    `the baseline ${file} was recorded on the ${was}, this run is the ${scenario} scenario judged on ${judged[0]}: the runs are not comparable; save a baseline of this scenario first (mlop-sim baseline save).`,
  );
}
