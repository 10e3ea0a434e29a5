/**
 * Writes the reports a run asked for: latest.json in the report folder (plus the stress test's
 * stress_test_results.json), Locust CSVs, HTML, JUnit. Returns the files written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimulationResult } from '../metrics/result.js';
import { writeCsv, writeHtml, writeJunit, writeLatestJson } from '../report/index.js';
import { SimUsageError } from './errors.js';
import type { ResolvedOptions } from './options.js';

export async function writeReports(result: SimulationResult, o: ResolvedOptions): Promise<string[]> {
  const files: string[] = [];
  try {
    if (o.reportDir !== false) {
      files.push(await writeLatestJson(result, o.reportDir));
      if (result.capacity) files.push(await writeStressResults(result, o.reportDir));
    }
    if (o.csv) files.push(...(await writeCsv(result, o.csv)));
    if (o.html) files.push(await writeHtml(result, o.html));
    if (o.junit) files.push(await writeJunit(result, o.junit));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SimUsageError(`cannot write the reports (${e.code ?? e.message}${e.path ? ` at ${e.path}` : ''}).`);
  }
  return files;
}

/** The seed's locustfile_stress.py summary (server-protocol.md §6). */
async function writeStressResults(result: SimulationResult, dir: string): Promise<string> {
  const a = result.aggregated;
  const body = {
    p50_ms: a.percentiles.p50,
    p95_ms: a.percentiles.p95,
    p99_ms: a.percentiles.p99,
    'p99.9_ms': a.percentiles['p99.9'],
    max_ms: a.maxMs,
    error_rate: result.capacity?.error_rate ?? 0,
    rps: a.rps,
    total_requests: a.count,
    capacity_assessment: result.capacity?.assessment,
  };
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'stress_test_results.json');
  await writeFile(file, JSON.stringify(body, null, 2) + '\n', 'utf8');
  return file;
}
