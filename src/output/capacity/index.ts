/** The capacity search's outputs: the summary and step table, latest.json with `capacity`, the HTML page. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CapacityReport } from '../../metrics/capacity-report.js';
import { capacityPage } from './html.js';

export { capacitySummary, formatCapacityTable } from './summary.js';
export { capacityPage } from './html.js';

export interface CapacityFiles {
  reportDir: string | false;
  html?: string;
  scenario: string;
  seed: number;
  exitCode: number;
  reasons: string[];
  /**
   * The stress scenario's summary (stress_test_results.json, the seed's keys) from the step at
   * the figure, with the seed's assessment of that step's error rate (judging's rule).
   */
  stress?: { assessment: string };
}

/** `<reportDir>/latest.json` = {kind: "capacity", …, capacity}, and the page with --html; returns the paths written. */
export async function writeCapacityFiles(r: CapacityReport, o: CapacityFiles): Promise<string[]> {
  const files: string[] = [];
  if (o.reportDir !== false) {
    await mkdir(o.reportDir, { recursive: true });
    const file = join(o.reportDir, 'latest.json');
    const doc = {
      kind: 'capacity', timestamp: new Date().toISOString(), scenario: o.scenario, seed: o.seed,
      pass: o.exitCode === 0, exit_code: o.exitCode, reasons: o.reasons, capacity: r,
    };
    await writeFile(file, JSON.stringify(doc, null, 2) + '\n', 'utf8');
    files.push(file);
  }
  if (o.reportDir !== false && o.stress) files.push(await writeStressSummary(r, o.reportDir, o.stress.assessment));
  if (o.html) {
    await mkdir(dirname(o.html), { recursive: true });
    await writeFile(o.html, capacityPage(r, o), 'utf8');
    files.push(o.html);
  }
  return files;
}

/**
 * stress_test_results.json from the search: the seed's keys (docs/protocol/load-test-suite.md §6.6)
 * measured in the judged window of the highest passing step, plus the search's answer — so the
 * stress test's capacity assessment is the search's, not a reading of one ramp.
 */
async function writeStressSummary(r: CapacityReport, dir: string, assessment: string): Promise<string> {
  const at = [...r.steps].reverse().find((s) => s.verdict === 'pass' && s.offered === r.figure) ?? r.steps[0];
  const body = {
    test_type: 'stress',
    p50_ms: at?.p50Ms ?? 0,
    p95_ms: at?.p95Ms ?? 0,
    p99_ms: at?.p99Ms ?? 0,
    p999_ms: at?.p999Ms ?? 0,
    max_ms: at?.maxMs ?? 0,
    error_rate: at?.errorRate ?? 0,
    total_requests: at?.samples ?? 0,
    failed_requests: Math.round((at?.samples ?? 0) * (at?.errorRate ?? 0)),
    rps_avg: at?.requestsPerS ?? 0,
    capacity_assessment: assessment,
    capacity_rps: r.figure,
    capacity_kind: r.kind,
    capacity_bracket: r.bracket,
    capacity_summary: r.summary,
  };
  const file = join(dir, 'stress_test_results.json');
  await writeFile(file, JSON.stringify(body, null, 2) + '\n', 'utf8');
  return file;
}
