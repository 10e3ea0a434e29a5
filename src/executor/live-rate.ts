/**
 * A constant arrival rate that can be changed while it runs (the live page's "change rate"):
 * the rate's integral as pieces of constant rate, each starting where the one before stood, so
 * the iterations already due stay due and the new rate counts from the moment of the change
 * (Locust's and k6's behaviour: no catch-up, no gap). `liveDueSource` wraps the arrival source
 * so that an iteration waiting for its due time is moved when the rate changes under it.
 */
import type { Clock } from '../core/clock.js';
import type { Due, DueSource } from './open-model.js';

/** Longest nap of a held iteration before it looks for a rate change. */
const RECHECK_MS = 100;

interface Piece {
  /** Seconds after the start. */
  t0: number;
  /** Iterations due at t0. */
  c0: number;
  rate: number;
}

export class LiveRateSchedule {
  private readonly pieces: Piece[];
  /** Counts the changes, so a waiting iteration knows its due time moved. */
  version = 0;

  constructor(rate: number, private readonly durationS: number) {
    this.pieces = [{ t0: 0, c0: 0, rate }];
  }

  get rate(): number {
    return this.pieces[this.pieces.length - 1].rate;
  }

  /** Iterations due in [0, tS]. */
  count(tS: number): number {
    const t = Math.min(tS, this.durationS);
    let p = this.pieces[0];
    for (const q of this.pieces) if (q.t0 <= t) p = q;
    return p.c0 + p.rate * Math.max(0, t - p.t0);
  }

  get total(): number {
    return this.count(this.durationS);
  }

  /** The first time (s) at which `c` iterations are due; Infinity at or after the end. */
  timeOf(c: number): number {
    if (!(c < this.total)) return Infinity;
    let p = this.pieces[0];
    for (const q of this.pieces) if (q.c0 <= c) p = q;
    return p.t0 + (c - p.c0) / p.rate;
  }

  /** From `nowS` on, `rate` iterations per second (rate > 0). */
  setRate(rate: number, nowS: number): void {
    const c0 = this.count(nowS);
    while (this.pieces.length > 1 && this.pieces[this.pieces.length - 1].t0 >= nowS) this.pieces.pop();
    this.pieces.push({ t0: nowS, c0, rate });
    this.version++;
  }
}

/**
 * The arrivals of `inner` (drawn on `schedule`), each held until shortly before its due time and
 * moved when the rate changes meanwhile (seen within 100 ms). `started()` says when the schedule's second 0 was.
 */
export function liveDueSource(inner: DueSource, schedule: LiveRateSchedule, clock: Clock, signal: AbortSignal, started: () => number): DueSource {
  return {
    async next(): Promise<Due | null> {
      let due = await inner.next();
      if (due === null) return null;
      const c = schedule.count(due.atMs / 1000);
      let version = schedule.version;
      for (;;) {
        const wait = started() + due.atMs - clock.now();
        if (wait <= 1 || signal.aborted) return due;
        // Short naps, so a change is seen within RECHECK_MS without a listener per iteration.
        await clock.sleep(Math.min(wait - 1, RECHECK_MS), signal);
        if (schedule.version !== version) {
          version = schedule.version;
          const t = schedule.timeOf(c);
          if (t === Infinity) return null;
          due = { index: due.index, atMs: t * 1000 };
        }
      }
    },
  };
}
