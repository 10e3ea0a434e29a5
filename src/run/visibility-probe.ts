/**
 * Time to visible: how long from `log()` until a logged metric can be queried in ClickHouse
 * (`E2E log→visible`). The probe samples acknowledged metric records (at most
 * `maxSamplesPerSecond`), and polls `mlop_metrics` for all pending samples in one query.
 *
 * Cost and accuracy. Each poll is one query, whatever the number of samples, and the probe
 * never makes more than `budgetFraction` (1 %) of the run's requests so far. A sample became
 * visible between the last poll that did not see it and the first that did; the midpoint is
 * recorded and half the bracket is its error bound. Rows become visible in bursts — the ingest
 * flushes each table every 5 s (server-protocol.md §3.1, docs/protocol/clickhouse.md) — so the
 * poll adapts: once bursts were seen, it predicts the next one from the gaps between earlier
 * bursts and polls densely (step δ = 5 % of the p50 seen so far) only around the predicted
 * times; without a prediction it polls as often as the budget allows. The error bounds are
 * reported (p50 and max) beside the result.
 *
 * Assumption: a sample acknowledged after a poll was not yet visible at that poll (its row
 * cannot be flushed before the ingest received it; only the ack's flight time is uncovered).
 */
import type { ClickHouseSession } from '../core/clickhouse/session.js';
import type { VisibilitySummary } from '../metrics/result.js';

export interface VisibilitySample {
  runId: number;
  /** Step of the record (all its metric rows share it). */
  step: number;
  /** One of the record's metric names (its first). */
  logName: string;
  /** performance.now() at log(). */
  loggedAt: number;
}

export interface VisibilityProbeOptions {
  project: string;
  /** Samples accepted per second (default 5); each poll covers all of them. */
  maxSamplesPerSecond?: number;
  /** Samples waiting at most (default 200); more are refused. */
  maxPending?: number;
  /** The run's requests so far (the probe's budget grows with it). */
  requests: () => number;
  /** Probe queries ≤ this share of the run's requests (default 0.01). */
  budgetFraction?: number;
  /** Poll step target as a share of the p50 time to visible (default 0.05). */
  targetErrorFraction?: number;
  /** Shortest poll step (default 20 ms). */
  minStepMs?: number;
  /** Each sample seen: its time to visible and its error bound (± ms). */
  onVisible?: (ms: number, errorMs: number, sample: VisibilitySample) => void;
  /** A poll failed (the probe keeps going). */
  onError?: (err: unknown) => void;
  clock?: () => number;
}

interface Pending {
  sample: VisibilitySample;
  /** Lower bound of when it became visible: its log time, or the last poll that missed it. */
  lo: number;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export class VisibilityProbe {
  private readonly pending = new Map<string, Pending>();
  private readonly latencies: number[] = [];
  private readonly errors: number[] = [];
  /** Bursts seen: when (bracket middle) and how uncertain (bracket width). */
  private readonly bursts: Array<{ t: number; w: number }> = [];
  private readonly clock: () => number;
  private tokens: number;
  private lastRefill: number;
  private sampled = 0;
  private refused = 0;
  private queries = 0;
  private failedQueries = 0;
  private lastPollAt = -Infinity;
  private startedAt = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Predicted burst windows already polled through (their centre), so each is tried once. */
  private triedCentres = new Set<number>();
  /** A predicted window passed without a burst: poll as the budget allows until the next burst. */
  private missed = false;

  constructor(
    private readonly session: ClickHouseSession,
    private readonly opts: VisibilityProbeOptions,
  ) {
    this.clock = opts.clock ?? (() => performance.now());
    this.tokens = this.rate;
    this.lastRefill = this.clock();
  }

  private get rate(): number {
    return this.opts.maxSamplesPerSecond ?? 5;
  }

  /** Offers an acknowledged record; true when it was taken as a sample. */
  offer(sample: VisibilitySample): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.lastRefill) / 1000) * this.rate);
    this.lastRefill = now;
    if (this.tokens < 1 || this.pending.size >= (this.opts.maxPending ?? 200)) {
      this.refused++;
      return false;
    }
    const key = `${sample.runId}:${sample.step}:${sample.logName}`;
    if (this.pending.has(key)) return false;
    this.tokens -= 1;
    this.sampled++;
    this.pending.set(key, { sample, lo: Math.max(sample.loggedAt, this.lastPollAt) });
    this.wake?.();
    return true;
  }

  start(): void {
    if (this.running) return;
    this.startedAt = this.clock();
    this.running = true;
    this.loop = this.run();
  }

  /**
   * After the load: keeps polling until every sample was seen, `timeoutMs` passed or the budget
   * is spent (the run's requests no longer grow), then stops.
   */
  async drain(timeoutMs: number): Promise<VisibilitySummary> {
    const deadline = this.clock() + timeoutMs;
    while (this.running && this.pending.size > 0 && this.clock() < deadline && this.budgetLeft() > 0) await new Promise((r) => setTimeout(r, 50));
    return this.stop();
  }

  async stop(): Promise<VisibilitySummary> {
    this.running = false;
    this.wake?.();
    await this.loop;
    return this.summary();
  }

  summary(): VisibilitySummary {
    const requests = Math.max(1, this.opts.requests());
    return {
      sampled: this.sampled,
      seen: this.latencies.length,
      unseen: this.pending.size,
      refused: this.refused,
      queries: this.queries,
      failedQueries: this.failedQueries,
      costFraction: this.queries / requests,
      errorMs: { p50: median(this.errors), max: this.errors.length ? Math.max(...this.errors) : 0 },
      p50Ms: median(this.latencies),
      bursts: this.bursts.length,
      periodMs: this.period(),
    };
  }

  /**
   * Poll step δ inside a predicted window: the error bound is half a bracket and a bracket is δ
   * plus a query's round trip, so δ = 1.6 × the error target (8 % of the p50 seen so far; of
   * 1 s before anything was seen).
   */
  private step(): number {
    const p50 = this.latencies.length ? median(this.latencies.slice(-200)) : 1000;
    return Math.max(this.opts.minStepMs ?? 20, 1.6 * (this.opts.targetErrorFraction ?? 0.05) * p50);
  }

  private budgetLeft(): number {
    return Math.floor((this.opts.budgetFraction ?? 0.01) * this.opts.requests()) - this.queries;
  }

  /** Gaps between consecutive recent bursts, clustered (tolerance: δ or the bursts' own uncertainty); biggest cluster first. */
  private gapClusters(d: number): Array<{ gap: number; n: number }> {
    const b = this.bursts.slice(-9);
    if (b.length < 3) return [];
    const gaps: Array<{ g: number; tol: number }> = [];
    for (let i = 1; i < b.length; i++) gaps.push({ g: b[i].t - b[i - 1].t, tol: Math.max(d, (b[i].w + b[i - 1].w) / 2) });
    const clusters: Array<{ members: number[]; tol: number }> = [];
    for (const { g, tol } of gaps.sort((x, y) => x.g - y.g)) {
      const c = clusters.find((k) => Math.abs(median(k.members) - g) <= Math.max(k.tol, tol));
      if (c) {
        c.members.push(g);
        c.tol = Math.max(c.tol, tol);
      } else clusters.push({ members: [g], tol });
    }
    return clusters
      .map((c) => ({ gap: median(c.members), n: c.members.length }))
      .sort((x, y) => y.n - x.n)
      .slice(0, 2);
  }

  /** The burst period learnt (the biggest gap cluster), if any. */
  private period(): number | undefined {
    return this.gapClusters(this.step())[0]?.gap;
  }

  /** Half-width of the window around a predicted burst: 1.5 δ, or the last bursts' uncertainty. */
  private margin(d: number): number {
    const b = this.bursts.slice(-2);
    return Math.max(1.5 * d, ...b.map((x) => x.w / 2));
  }

  /**
   * When to poll next (ms from now), or undefined to wait for a sample or for budget. With a
   * learnt period: inside the predicted windows [c − m, c + m] every δ (c = last burst + a
   * recent gap), nothing in between; otherwise every δ as the budget allows.
   */
  private nextPollIn(now: number): number | undefined {
    if (this.pending.size === 0 || this.budgetLeft() <= 0) return undefined;
    const d = this.step();
    const sinceLast = now - this.lastPollAt;
    const centres = this.predictedCentres(now, d);
    if (centres.length === 0) {
      // No prediction: poll at the pace the budget accrues, but sooner while the oldest pending
      // sample is young (at ages ≈ ½, 1, 2 … s), so a short run finds its first bursts too.
      let oldest = Infinity;
      for (const p of this.pending.values()) oldest = Math.min(oldest, p.sample.loggedAt);
      const age = this.lastPollAt > oldest ? this.lastPollAt - oldest : 0;
      const elapsedS = Math.max(1, (now - this.startedAt) / 1000);
      const accrualPerS = ((this.opts.budgetFraction ?? 0.01) * this.opts.requests()) / elapsedS;
      const pace = accrualPerS > 0 ? 1000 / accrualPerS : Infinity;
      return Math.max(0, Math.max(d, Math.min(age / 2, pace)) - sinceLast);
    }
    const c = centres[0];
    const m = this.margin(d);
    if (now >= c - m) return Math.max(0, d - sinceLast);
    return c - m - now;
  }

  /** Centres of predicted bursts whose window has not passed, nearest first. */
  private predictedCentres(now: number, d: number): number[] {
    if (this.missed) return [];
    const clusters = this.gapClusters(d);
    if (clusters.length === 0) return [];
    const last = this.bursts[this.bursts.length - 1].t;
    const m = this.margin(d);
    const centres: number[] = [];
    for (const { gap } of clusters) {
      const c = last + gap;
      if (c + m >= now && !this.triedCentres.has(Math.round(c))) centres.push(c);
    }
    return centres.sort((a, b) => a - b);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const now = this.clock();
      const inMs = this.nextPollIn(now);
      if (inMs === undefined || inMs > 0) {
        // Sleep until the next poll, a new sample, budget (re-checked every 100 ms) or stop.
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, inMs === undefined ? 100 : Math.min(inMs, 1000));
        });
        if (this.timer) clearTimeout(this.timer);
        this.wake = null;
        continue;
      }
      // Mark the predicted windows this poll falls past, so a missed burst does not hold the poll.
      const d = this.step();
      const m = this.margin(d);
      for (const c of this.predictedCentres(now, d)) {
        if (now > c + m) {
          this.triedCentres.add(Math.round(c));
          this.missed = true;
        }
      }
      await this.poll();
    }
  }

  private async poll(): Promise<void> {
    const batch = [...this.pending.entries()];
    if (batch.length === 0) return;
    const sent = this.clock();
    this.queries++;
    let found: Set<string>;
    try {
      const runs = [...new Set(batch.map(([, p]) => p.sample.runId))];
      const steps = [...new Set(batch.map(([, p]) => p.sample.step))];
      const names = [...new Set(batch.map(([, p]) => p.sample.logName))];
      const rows = await this.session.rows<{ runId: string | number; step: string | number; logName: string }>(
        `SELECT runId, step, logName FROM ${this.session.table('mlop_metrics')}` +
          ' WHERE projectName = {project:String} AND has({runs:Array(UInt64)}, runId) AND has({steps:Array(UInt64)}, step)' +
          ' AND has({names:Array(String)}, logName) GROUP BY runId, step, logName',
        { project: this.opts.project, runs, steps, names },
      );
      found = new Set(rows.map((r) => `${Number(r.runId)}:${Number(r.step)}:${r.logName}`));
    } catch (err) {
      this.failedQueries++;
      this.opts.onError?.(err);
      this.lastPollAt = this.clock();
      return;
    }
    const answered = this.clock();
    // The query saw the table at some instant in [sent, answered]: take the middle.
    const at = (sent + answered) / 2;
    let burst = false;
    for (const [key, p] of batch) {
      if (!found.has(key)) {
        p.lo = Math.max(p.lo, at);
        continue;
      }
      this.pending.delete(key);
      // Visible in (lo, at]: record the middle, ± half the bracket.
      const hi = at;
      const mid = (p.lo + hi) / 2;
      const ms = Math.max(0, mid - p.sample.loggedAt);
      const err = (hi - p.lo) / 2;
      if (p.lo > p.sample.loggedAt) burst = true; // it had been seen missing: this poll caught a burst
      this.latencies.push(ms);
      this.errors.push(err);
      this.opts.onVisible?.(ms, err, p.sample);
    }
    if (burst) {
      const brackets = batch.filter(([k]) => found.has(k)).map(([, p]) => p.lo);
      const lo = Math.max(...brackets);
      this.bursts.push({ t: (lo + at) / 2, w: at - lo });
      this.missed = false;
      this.triedCentres.clear();
      if (this.bursts.length > 20) this.bursts.shift();
    }
    this.lastPollAt = at;
  }
}
