/**
 * Segments within segments: worker w of W inside segment I of N runs segment I + N·w of N·W.
 * With striped segments (i mod N = I) this is exact: the items i with i mod N·W = I + N·w, over
 * w = 0 … W-1, are precisely the items with i mod N = I.
 */
import type { Segment } from '../../executor/segment.js';

export function subSegment(outer: Segment, worker: number, workers: number): Segment {
  return { index: outer.index + outer.count * worker, count: outer.count * workers };
}
