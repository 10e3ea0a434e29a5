/**
 * Stages (k6's `stages`, `--stage DURATION:TARGET`): a target that moves linearly from the value
 * before a stage to the stage's target over the stage's duration. For users the target is a
 * count; for arrival rates it is iterations per second, and the number of iterations due by time
 * t is the integral of the rate (k6's ramping-arrival-rate), which this file computes and inverts.
 */

export interface Stage {
  /** Length of the stage in seconds. */
  durationS: number;
  /** Users, or iterations per second, reached at the stage's end. */
  target: number;
}

/** Seconds all stages take together. */
export function stagesDurationS(stages: readonly Stage[]): number {
  return stages.reduce((s, st) => s + st.durationS, 0);
}

/** The highest value the target takes (the start value included). */
export function peakTarget(start: number, stages: readonly Stage[]): number {
  return stages.reduce((m, st) => Math.max(m, st.target), start);
}

/** The target at `tS` seconds after the start (the last stage's target after the end). */
export function targetAt(start: number, stages: readonly Stage[], tS: number): number {
  let from = start, t0 = 0;
  for (const st of stages) {
    if (tS < t0 + st.durationS) return st.durationS > 0 ? from + ((st.target - from) * (tS - t0)) / st.durationS : st.target;
    from = st.target;
    t0 += st.durationS;
  }
  return from;
}

/**
 * The rate's integral as a schedule: `count(t)` iterations are due by t (seconds) and
 * `timeOf(c)` is the first time at which c are due (Infinity when the stages end first).
 * Piecewise linear rates give piecewise quadratic counts, inverted exactly per stage.
 */
export class RateSchedule {
  /** Per stage: start time, start rate, end rate, duration, count due at the stage start. */
  private readonly pieces: { t0: number; r0: number; r1: number; d: number; c0: number }[] = [];
  readonly durationS: number;
  readonly total: number;

  constructor(startRate: number, stages: readonly Stage[]) {
    let t0 = 0, c0 = 0, r0 = startRate;
    for (const st of stages) {
      this.pieces.push({ t0, r0, r1: st.target, d: st.durationS, c0 });
      c0 += ((r0 + st.target) / 2) * st.durationS;
      t0 += st.durationS;
      r0 = st.target;
    }
    this.durationS = t0;
    this.total = c0;
  }

  /** Iterations due in [0, tS] (a real number; iteration i, 0-based, is due when it reaches i). */
  count(tS: number): number {
    for (const p of this.pieces) {
      if (tS < p.t0 + p.d) {
        const x = Math.max(0, tS - p.t0);
        return p.c0 + p.r0 * x + ((p.r1 - p.r0) * x * x) / (2 * p.d);
      }
    }
    return this.total;
  }

  /** Iterations per second at tS. */
  rateAt(tS: number): number {
    for (const p of this.pieces) if (tS < p.t0 + p.d) return p.r0 + ((p.r1 - p.r0) * (tS - p.t0)) / p.d;
    return 0;
  }

  /** The first time (seconds) at which the count reaches `c`; Infinity for c ≥ total (due at or after the end). */
  timeOf(c: number): number {
    if (!(c < this.total)) return Infinity;
    // The first piece whose end count reaches c (zero-rate pieces never win over an earlier end).
    let lo = 0, hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.endCount(mid) >= c) hi = mid;
      else lo = mid + 1;
    }
    const p = this.pieces[lo];
    const need = c - p.c0;
    if (need <= 0) return p.t0;
    // Solve r0·x + (r1−r0)·x²/(2d) = need for x in [0, d], in the form stable when r1 ≈ r0.
    const slope = (p.r1 - p.r0) / p.d;
    const x = (2 * need) / (p.r0 + Math.sqrt(Math.max(0, p.r0 * p.r0 + 2 * slope * need)));
    return p.t0 + Math.min(p.d, x);
  }

  private endCount(k: number): number {
    return k + 1 < this.pieces.length ? this.pieces[k + 1].c0 : this.total;
  }
}

/**
 * When a ramping target keeps user `k` (1-based) running: the intervals [from, to) in seconds
 * during which the target is at least k (k6's ramping-vus: users = floor(target)). `to` is
 * Infinity when the user runs to the end of the stages.
 */
export function userIntervals(start: number, stages: readonly Stage[], k: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let open: number | undefined = start >= k ? 0 : undefined;
  let from = start, t0 = 0;
  for (const st of stages) {
    const a = from, b = st.target, d = st.durationS;
    if (open === undefined && a < k && b >= k) open = d > 0 ? t0 + ((k - a) / (b - a)) * d : t0;
    else if (open !== undefined && a >= k && b < k) {
      const end = d > 0 ? t0 + ((a - k) / (a - b)) * d : t0;
      // A dip that starts and ends at the same instant keeps the user.
      if (end > open) out.push({ from: open, to: end });
      open = undefined;
    }
    from = b;
    t0 += d;
  }
  if (open !== undefined) out.push({ from: open, to: Infinity });
  return out;
}

/** `stage 2/3` for the stage running at tS (the last one after the end). */
export function stageLabel(stages: readonly Stage[], tS: number): string {
  let t0 = 0;
  for (let k = 0; k < stages.length; k++) {
    t0 += stages[k].durationS;
    if (tS < t0) return `stage ${k + 1}/${stages.length}`;
  }
  return `stage ${stages.length}/${stages.length}`;
}
