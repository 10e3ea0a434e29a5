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
  if (o.html) {
    await mkdir(dirname(o.html), { recursive: true });
    await writeFile(o.html, capacityPage(r, o), 'utf8');
    files.push(o.html);
  }
  return files;
}
