/**
 * The file outputs: latest.json in the report folder (plus the stress test's
 * stress_test_results.json). Each is written once, at
 * the end of the run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimulationResult } from '../metrics/result.js';
import { writeLatestJson } from './latest-json.js';
import type { Output } from './output.js';
import { prepareFile, prepareFolder } from './output-paths.js';

export function latestJsonOutput(dir: string): Output {
  return {
    name: 'latest.json',
    prepare: () => prepareFolder(dir, 'latest.json (--report-dir)'),
    async stop(result) {
      const files = [await writeLatestJson(result, dir)];
      if (result.capacity) files.push(await writeStressResults(result, dir));
      return files;
    },
  };
}

/** The seed's locustfile_stress.py summary (docs/protocol/load-test-suite.md). */
async function writeStressResults(result: SimulationResult, dir: string): Promise<string> {
  const a = result.aggregated;
  // The seed's keys and order (§6.6).
  const body = {
    test_type: 'stress',
    p50_ms: a.percentiles.p50,
    p95_ms: a.percentiles.p95,
    p99_ms: a.percentiles.p99,
    p999_ms: a.percentiles['p99.9'],
    max_ms: a.maxMs,
    error_rate: result.capacity?.error_rate ?? 0,
    total_requests: a.count,
    failed_requests: a.failures,
    rps_avg: a.rps,
    capacity_assessment: result.capacity?.assessment,
  };
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'stress_test_results.json');
  await writeFile(file, JSON.stringify(body, null, 2) + '\n', 'utf8');
  return file;
}
