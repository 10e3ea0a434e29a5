/**
 * Which part of a plan one process runs, when a load is split over workers or shards (k6's
 * execution segments, in their striped form): of N equal segments, segment I (0-based) owns the
 * users and iterations whose 0-based index i has i mod N = I. The segments of a plan add up
 * exactly to the whole, spawn order is interleaved (every shard ramps at its share of the rate),
 * and a user keeps its plan-wide index, so `--seed` gives it the same choices in any split.
 */
export interface Segment {
  /** 0-based index of this segment. */
  readonly index: number;
  /** How many segments the plan is split into (1 = the whole plan). */
  readonly count: number;
}

export const WHOLE: Segment = { index: 0, count: 1 };

/** True when 0-based item `i` of the plan belongs to the segment. */
export function owns(segment: Segment, i: number): boolean {
  return i % segment.count === segment.index;
}

/** How many of the plan's first `n` items (0 … n-1) the segment owns. */
export function share(segment: Segment, n: number): number {
  if (n <= segment.index) return 0;
  return Math.floor((n - 1 - segment.index) / segment.count) + 1;
}

/** Checks a segment; returns a sentence describing the problem, or undefined. */
export function segmentProblem(segment: Segment): string | undefined {
  if (!Number.isInteger(segment.count) || segment.count < 1) return `the number of segments must be a whole number of at least 1, got ${segment.count}`;
  if (!Number.isInteger(segment.index) || segment.index < 0 || segment.index >= segment.count) {
    return `the segment index must be a whole number from 0 to ${segment.count - 1}, got ${segment.index}`;
  }
  return undefined;
}
