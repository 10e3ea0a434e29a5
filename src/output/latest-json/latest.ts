/**
 * latest.json: the SimulationResult as is, pretty-printed, with the seed's keys first
 * (docs/protocol/load-test-suite.md §6.7: the test_stop hook wrote {p50_ms, p95_ms, p99_ms, error_rate,
 * total_requests, rps}), so `compare_baseline.py`-style readers and humans see them at the top.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimulationResult } from '../../metrics/result.js';
import type { Distributions } from '../../metrics/distributions.js';
import { distributionsText } from './distributions-text.js';

/** The seed's latest.json keys, in the seed's order. */
export const SEED_KEYS = ['p50_ms', 'p95_ms', 'p99_ms', 'error_rate', 'total_requests', 'rps'] as const;

/** The result with the seed keys first and every other key after, in its own order. */
export function orderLatest(result: SimulationResult): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of SEED_KEYS) ordered[key] = result[key];
  for (const [key, value] of Object.entries(result)) {
    if (!(key in ordered)) ordered[key] = value;
  }
  return ordered;
}

/**
 * The text of latest.json. JSON has no Infinity or NaN: such numbers (e.g. a baseline check's
 * `change` against a zero baseline) are written as null, as JSON.stringify does.
 */
export function latestJsonText(result: SimulationResult): string {
  // `distributions` (issue 20) goes last, a line per window (distributions-text.ts).
  const { distributions, ...rest } = orderLatest(result);
  const text = JSON.stringify(rest, null, 2);
  if (distributions === undefined) return text + '\n';
  return `${text.slice(0, -2)},\n  "distributions": ${distributionsText(distributions as Distributions)}\n}\n`;
}

/** Writes `<dir>/latest.json` (creating `dir`), returns its path. */
export async function writeLatestJson(result: SimulationResult, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  await writeFile(file, latestJsonText(result), 'utf8');
  return file;
}
