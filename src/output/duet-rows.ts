/** A duet run's rows, as the console and the HTML page both show them (each side's own figures). */
import { isHttpEntry } from '../core/entry-names.js';
import type { DuetSideReport, EntrySummary, SimulationResult } from '../metrics/result.js';

/** The entries both reports show: the judged ones first, then every HTTP route either side saw. */
export function duetEntryNames(result: SimulationResult): string[] {
  const duet = result.duet!;
  const names = new Set<string>(result.judged);
  for (const side of [duet.a, duet.b]) for (const e of side.entries) if (isHttpEntry(e.name)) names.add(e.name);
  return [...names];
}

export function duetRow(side: DuetSideReport, name: string): EntrySummary | undefined {
  if (name === 'Aggregated') return side.aggregated;
  return side.entries.find((e) => e.name === name);
}

/** B ÷ A of one figure, or – when either side has none. */
export function duetRatio(b: number | undefined, a: number | undefined): string {
  if (b === undefined || a === undefined || !(a > 0)) return '–';
  return `${(b / a).toFixed(3)}×`;
}
