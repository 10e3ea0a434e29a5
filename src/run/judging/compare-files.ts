/**
 * Reading result files for a verdict (`mlop-sim compare`, `--baseline`): each bad input is one
 * sentence and exit 2 (docs/cli.md "compare").
 */
import { readFile } from 'node:fs/promises';
import { SimUsageError } from '../../core/errors.js';
import { BaselineFileError, parseBaselineFile, type BaselineFigures } from '../../metrics/baseline.js';
import { readDistributions, type Distributions } from '../../metrics/distributions.js';

export interface ResultFile {
  file: string;
  figures: BaselineFigures;
  /** Absent: the file has none (the seed's Locust latest.json, an older mlop-sim file). */
  distributions?: Distributions;
  /** Why its distributions cannot be used, when it has unusable ones. */
  problem?: string;
  /** The generator's own warning of that run (saturated, or late enough to be inside its latencies), if it had one. */
  generatorWarning?: string;
}

function generatorWarning(data: Record<string, unknown>): string | undefined {
  const g = data.generator as { saturated?: unknown; warning?: unknown; timingWarning?: unknown } | undefined;
  if (typeof g !== 'object' || g === null) return undefined;
  if (g.saturated === true && typeof g.warning === 'string' && g.warning) return g.warning;
  return typeof g.timingWarning === 'string' && g.timingWarning ? g.timingWarning : undefined;
}

/** Parses the text of one result file; throws SimUsageError with one sentence. */
export function parseResultFile(text: string, file: string): ResultFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const why = text.trim() === '' ? 'is empty' : /^\s*[[{]/.test(text) ? 'is not complete JSON (truncated?)' : 'is not JSON';
    throw new SimUsageError(`${file} ${why}, so it is not a result file.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SimUsageError(`${file} is not a result file: it holds no JSON object.`);
  let figures: BaselineFigures;
  try {
    figures = parseBaselineFile(text, file);
  } catch (err) {
    if (err instanceof BaselineFileError) throw new SimUsageError(`${file} is not a result file: ${err.message.replace(/^Baseline file \S+ /, '').replace(/\.$/, '')}.`);
    throw err;
  }
  const d = readDistributions(data as Record<string, unknown>);
  const warning = generatorWarning(data as Record<string, unknown>);
  const extra = warning ? { generatorWarning: warning } : {};
  if (typeof d === 'string') return { file, figures, problem: d, ...extra };
  return { file, figures, ...(d ? { distributions: d } : {}), ...extra };
}

export async function readResultFile(file: string): Promise<ResultFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new SimUsageError(`${file} cannot be read.`);
  }
  return parseResultFile(text, file);
}

/**
 * Refuses sides that cannot be compared (one sentence): mixed scenarios or judged entries
 * within or across sides, a file without distributions, a base with no sample of a judged entry.
 */
export function assertComparableSides(base: readonly ResultFile[], cand: readonly ResultFile[]): void {
  const all = [...base, ...cand];
  const first = all[0];
  for (const r of all) {
    if (r.problem) throw new SimUsageError(`${r.file} cannot be compared: ${r.problem}.`);
    if (!r.distributions) throw new SimUsageError(`${r.file} has no distributions (an older mlop-sim file or the seed's Locust latest.json): compare needs results written by this mlop-sim.`);
    if (r.figures.scenario !== first.figures.scenario) {
      throw new SimUsageError(`${first.file} is of the ${first.figures.scenario ?? 'unnamed'} scenario and ${r.file} of the ${r.figures.scenario ?? 'unnamed'} scenario: the files are not comparable.`);
    }
    if ((r.figures.judged ?? [])[0] !== (first.figures.judged ?? [])[0]) {
      throw new SimUsageError(`${first.file} is judged on ${first.figures.judged?.[0]} and ${r.file} on ${r.figures.judged?.[0]}: the files are not comparable.`);
    }
  }
  for (const name of first.figures.judged ?? []) {
    const count = base.reduce((n, r) => n + (r.distributions?.entries[name]?.count ?? 0), 0);
    if (count === 0) throw new SimUsageError(`the base (${base.map((r) => r.file).join(', ')}) has no sample of the judged entry ${name}, so there is nothing to compare with.`);
  }
}
