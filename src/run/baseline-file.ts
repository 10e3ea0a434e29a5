/**
 * The baseline file: read and checked before a run compares with it, and `mlop-sim baseline
 * save`, which copies the last run's latest.json to it, as the seed README does by hand
 * (`cp reports/latest.json baseline/baseline_results.json`).
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { BaselineFileError, parseBaselineFile } from '../metrics/baseline.js';
import { dirname, join } from 'node:path';
import { SimUsageError } from '../core/errors.js';
import { DEFAULT_REPORT_DIR } from './plan.js';

export const DEFAULT_BASELINE_FILE = 'baseline/baseline_results.json';

export interface SaveBaselineOptions {
  reportDir?: string;
  to?: string;
}

/** Returns the baseline file written. Throws SimUsageError when there is no usable latest.json. */
export async function saveBaseline(o: SaveBaselineOptions = {}): Promise<{ from: string; to: string }> {
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
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
  return { from, to };
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
