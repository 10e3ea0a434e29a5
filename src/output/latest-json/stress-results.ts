/** stress_test_results.json: the seed's locustfile_stress.py summary (docs/protocol/load-test-suite.md), written beside latest.json after a capacity search. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimulationResult } from '../../metrics/result.js';

export async function writeStressResults(result: SimulationResult, dir: string): Promise<string> {
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
