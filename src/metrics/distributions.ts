/**
 * The distributions a saved result carries for the regression verdict (docs/reports.md
 * "distributions"): per compared entry its whole-run digest and its time windows (count,
 * failures, the window digest's centroids). Versioned; a reader refuses a version it does not know.
 */
import { Digest, type DigestSnapshot } from './digest.js';
import type { EntrySelector, Recorder } from './recorder.js';
import { windowWidth } from './windows.js';

export const DISTRIBUTIONS_VERSION = 1;

export interface SavedWindow {
  /** Epoch second the window starts, and the seconds it covers. */
  t: number;
  span: number;
  count: number;
  failures: number;
  /** The window digest's centroids as [mean ms, weight] pairs, flattened, means rounded to 1 µs. */
  c: number[];
}

export interface SavedDistribution {
  count: number;
  failures: number;
  /** The whole run's digest (folded: centroids only once above 256 samples). */
  digest: DigestSnapshot;
  windows: SavedWindow[];
}

export interface Distributions {
  version: typeof DISTRIBUTIONS_VERSION;
  /** Width of a window in seconds: 5, or ⌊duration / 30⌋ for runs shorter than 150 s (older seconds of runs longer than five minutes come as 60 s windows). */
  windowS: number;
  /** Entries by name: the judged entries, then each HTTP route with samples. */
  entries: Record<string, SavedDistribution>;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/** The [mean, weight] pairs of a digest (its raw samples as weight 1). */
export function digestPoints(d: Digest): number[] {
  const s = d.toFoldedJSON();
  const out: number[] = [];
  for (let i = 0; i < s.centroids.length; i += 4) out.push(round(s.centroids[i]), s.centroids[i + 1]);
  for (const v of s.samples) out.push(round(v), 1);
  return out;
}

/**
 * The distributions of `entries` (name and which recorder entries make it up) of a run of
 * `durationS` seconds (it sets the window width, windows.ts); entries without samples are left out.
 */
export function distributionsOf(recorder: Recorder, entries: readonly { name: string; select: EntrySelector }[], durationS: number): Distributions {
  const width = windowWidth(durationS);
  const out: Distributions = { version: DISTRIBUTIONS_VERSION, windowS: width, entries: {} };
  for (const { name, select } of entries) {
    const windows = recorder.windows(select, width);
    if (!windows.some((w) => w.count > 0)) continue;
    const group = recorder.group(name, select, 1);
    out.entries[name] = {
      count: group.count,
      failures: group.failures,
      digest: wholeDigest(recorder, select),
      windows: windows.map((w) => ({ t: w.t, span: w.span, count: w.count, failures: w.failures, c: digestPoints(w.digest) })),
    };
  }
  return out;
}

function wholeDigest(recorder: Recorder, select: EntrySelector): DigestSnapshot {
  return recorder.mergedDigest(select).toFoldedJSON();
}

/** The distributions of a parsed latest.json, or why they cannot be used (undefined: the file has none). */
export function readDistributions(data: Record<string, unknown>): Distributions | string | undefined {
  const d = data.distributions;
  if (d === undefined) return undefined;
  if (typeof d !== 'object' || d === null) return 'its "distributions" is not an object';
  const o = d as Record<string, unknown>;
  if (o.version !== DISTRIBUTIONS_VERSION) return `its distributions are of version ${JSON.stringify(o.version)}, this mlop-sim reads version ${DISTRIBUTIONS_VERSION}`;
  if (typeof o.entries !== 'object' || o.entries === null) return 'its distributions have no entries';
  for (const [name, e] of Object.entries(o.entries as Record<string, unknown>)) {
    const problem = entryProblem(e);
    if (problem) return `its distribution of "${name}" ${problem}`;
  }
  return d as Distributions;
}

function entryProblem(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return 'is not an object';
  const x = e as Record<string, unknown>;
  if (typeof x.count !== 'number' || typeof x.failures !== 'number') return 'lacks its counts';
  if (!Array.isArray(x.windows)) return 'lacks its windows';
  for (const w of x.windows as unknown[]) {
    const win = w as Record<string, unknown>;
    if (typeof win?.count !== 'number' || typeof win.failures !== 'number' || !Array.isArray(win.c) || win.c.length % 2 !== 0) return 'has a malformed window';
  }
  const dg = x.digest as Record<string, unknown> | undefined;
  if (typeof dg !== 'object' || dg === null || !Array.isArray(dg.centroids) || !Array.isArray(dg.samples) || dg.centroids.length % 4 !== 0) return 'has a malformed digest';
  return undefined;
}
