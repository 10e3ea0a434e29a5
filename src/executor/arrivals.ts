/**
 * When iterations are due under an arrival rate: `uniform` (iteration i when the rate's integral
 * reaches i, k6's arrival-rate executors) or `poisson` (exponential gaps in the integral, seeded,
 * so the same --seed gives the same arrivals). Every segment walks the whole plan's sequence and
 * keeps the iterations it owns (i mod N = I), so a split plan adds up to the unsplit one exactly.
 */
import { mulberry32 } from '../core/random.js';
import type { Due, DueSource } from './open-model.js';
import { owns, type Segment } from './segment.js';
import type { RateSchedule } from './stages.js';

export type ArrivalProcess = { kind: 'uniform' } | { kind: 'poisson'; seed: number };

export function scheduleSource(schedule: Pick<RateSchedule, 'timeOf'>, segment: Segment, arrivals: ArrivalProcess): DueSource {
  if (arrivals.kind === 'uniform') {
    let i = segment.index;
    return {
      next(): Due | null {
        const t = schedule.timeOf(i);
        if (t === Infinity) return null;
        const due = { index: i, atMs: t * 1000 };
        i += segment.count;
        return due;
      },
    };
  }
  const random = mulberry32(arrivals.seed ^ 0x5bd1e995);
  let i = -1, count = 0;
  return {
    next(): Due | null {
      for (;;) {
        count += -Math.log(1 - random());
        i++;
        const t = schedule.timeOf(count);
        if (t === Infinity) return null;
        if (owns(segment, i)) return { index: i, atMs: t * 1000 };
      }
    },
  };
}
