/**
 * When the ingest's flushes make rows visible, as far as the time-to-visible probe has learnt it.
 * The ingest flushes a table on a 1 s ticker once 5 s have passed since its last attempt
 * (docs/protocol/ingest.md §3.1, docs/protocol/clickhouse.md), so bursts of newly visible rows fall
 * on a 1 s grid, 5 or 6 ticks apart. Each burst the probe brackets narrows the grid's phase
 * (the intersection of the brackets, taken modulo the tick); the next bursts are then predicted
 * at a few grid points, each to within the phase's uncertainty.
 */

export interface PredictedBurst {
  /** Centre (the probe's clock, ms). */
  at: number;
  /** Half-width of the window it should fall in. */
  halfWidth: number;
}

export class FlushRhythm {
  /** Phase of the grid (ms in [0, tick)) ± its half-width; undefined before a bracket shorter than a tick. */
  private phase: { c: number; e: number } | undefined;
  private last: { t: number; e: number } | undefined;
  /** Gaps between consecutive bursts, in ticks: the hint (flush interval, and one tick more), then learnt ones. */
  private readonly gaps = new Set<number>();

  constructor(
    readonly tickMs = 1000,
    flushIntervalMs = 5000,
    /** Narrowest half-width trusted (timer and insert jitter). */
    private readonly floorMs = 15,
    /** How far the grid may drift per tick (a timer-driven ticker runs late a little each time). */
    private readonly driftMsPerTick = 6,
  ) {
    const k = Math.max(1, Math.round(flushIntervalMs / tickMs));
    this.gaps.add(k).add(k + 1);
  }

  get bursts(): number {
    return this.seen;
  }
  private seen = 0;

  /** The phase is known well enough to aim at grid points. */
  get locked(): boolean {
    return this.phase !== undefined && this.phase.e < this.tickMs / 4;
  }

  /** Mean gap between bursts learnt so far (ms), for the summary. */
  periodMs(): number | undefined {
    return this.learnt.length ? (this.learnt.reduce((a, b) => a + b, 0) / this.learnt.length) * this.tickMs : undefined;
  }
  private readonly learnt: number[] = [];

  /** A burst happened in (lo, hi]. */
  observe(lo: number, hi: number): void {
    this.seen++;
    const t = (lo + hi) / 2;
    const e = Math.max(this.floorMs, (hi - lo) / 2);
    const G = this.tickMs;
    if (this.last && this.last.e < G / 4 && e < G / 4) {
      const k = Math.round((t - this.last.t) / G);
      if (k >= 1) {
        this.gaps.add(k);
        this.learnt.push(k);
      }
    }
    const ticks = this.last ? Math.max(1, Math.round((t - this.last.t) / G)) : 0;
    this.last = { t, e };
    if (hi - lo >= G) return; // says nothing about the phase
    const m = mod(t, G);
    if (!this.phase) {
      this.phase = { c: m, e };
      return;
    }
    // The phase known before may have drifted since: widen it, then intersect.
    this.phase = { c: this.phase.c, e: Math.min(G / 2, this.phase.e + this.driftMsPerTick * ticks) };
    // Intersect [c − e, c + e] with [m − e', m + e'] on the circle of circumference G.
    const d = wrap(m - this.phase.c, G);
    const a = Math.max(-this.phase.e, d - e);
    const b = Math.min(this.phase.e, d + e);
    if (a > b) {
      this.phase = { c: m, e }; // inconsistent (jitter, a restarted ticker): trust the latest
      return;
    }
    this.phase = { c: mod(this.phase.c + (a + b) / 2, G), e: Math.max(this.floorMs, (b - a) / 2) };
  }

  /** A predicted window passed without its burst: the phase is less certain than thought. */
  missed(): void {
    if (this.phase) this.phase = { c: this.phase.c, e: Math.min(this.tickMs / 2, this.phase.e * 3) };
  }

  /** The next bursts after `after`, nearest first (none before the first burst was seen). */
  predict(after: number): PredictedBurst[] {
    if (!this.last) return [];
    const G = this.tickMs;
    let base = this.last.t;
    let halfWidth = this.last.e;
    if (this.locked) {
      // Snap the last burst onto the grid, then aim at grid points.
      base = this.phase!.c + Math.round((this.last.t - this.phase!.c) / G) * G;
      halfWidth = this.phase!.e;
    }
    const out: PredictedBurst[] = [];
    for (const k of [...this.gaps].sort((x, y) => x - y)) {
      for (let n = 1; n <= 4; n++) {
        const at = base + k * n * G;
        const width = this.locked ? Math.min(G / 2, halfWidth + this.driftMsPerTick * k * n) : halfWidth;
        if (at + width >= after) {
          out.push({ at, halfWidth: width });
          break;
        }
      }
    }
    return out.sort((x, y) => x.at - y.at);
  }
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** x in (−m/2, m/2]. */
function wrap(x: number, m: number): number {
  const r = mod(x, m);
  return r > m / 2 ? r - m : r;
}
