/**
 * Time to visible: how long from `log()` until a logged metric can be queried in ClickHouse
 * (`E2E log→visible`). The probe samples acknowledged metric records (at most
 * `maxSamplesPerSecond`), and polls `mlop_metrics` for all pending samples in one query.
 *
 * Cost and accuracy. Each poll is one query, whatever the number of samples, and the probe
 * never makes more than `budgetFraction` (1 %) of the run's requests so far. A sample became
 * visible between the last poll that did not see it and the first that did; the midpoint is
 * recorded and half the bracket is its error bound. Rows become visible in bursts — the ingest
 * flushes each table on a 1 s ticker every 5 s (docs/protocol/ingest.md §3.1,
 * docs/protocol/clickhouse.md) — so the poll adapts (flush-rhythm.ts): each bracketed burst
 * narrows the ticker's phase, and the next bursts are aimed at with three polls each (just
 * before the predicted window, at its centre, just after it), which halves the uncertainty per
 * burst. Without a prediction it polls at the pace the budget accrues. The error bounds are
 * reported (p50 and max) beside the result.
 *
 * Assumption: a sample acknowledged after a poll was not yet visible at that poll (its row
 * cannot be flushed before the ingest received it; only the ack's flight time is uncovered).
 */
import type { ClickHouseSession } from '../../core/clickhouse/session.js';
import type { VisibilitySummary } from '../../metrics/result.js';
import { FlushRhythm } from './flush-rhythm.js';

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
  /** The ingest's flush ticker (default 1,000 ms) and flush interval (default 5,000 ms), §3.1. */
  tickMs?: number;
  flushIntervalMs?: number;
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
  /** Error bounds of the samples seen once the flush rhythm was locked. */
  private readonly lockedErrors: number[] = [];
  private readonly rhythm: FlushRhythm;
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
  /** Predicted windows polled through without their burst (rounded centres), since the last burst. */
  private readonly tried = new Set<number>();

  constructor(
    private readonly session: ClickHouseSession,
    private readonly opts: VisibilityProbeOptions,
  ) {
    this.clock = opts.clock ?? (() => performance.now());
    this.rhythm = new FlushRhythm(opts.tickMs ?? 1000, opts.flushIntervalMs ?? 5000);
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
      lockedErrorMs: this.lockedErrors.length ? { p50: median(this.lockedErrors), seen: this.lockedErrors.length } : undefined,
      p50Ms: median(this.latencies),
      bursts: this.rhythm.bursts,
      periodMs: this.rhythm.periodMs(),
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

  /**
   * When to poll next (ms from now), or undefined to wait for a sample or for budget: the next
   * point of a predicted burst's window, else at the pace the budget accrues.
   */
  private nextPollIn(now: number): number | undefined {
    if (this.pending.size === 0 || this.budgetLeft() <= 0) return undefined;
    const target = this.windowPoint();
    if (target !== undefined) return Math.max(0, target - now);
    // No prediction: poll at the pace the budget accrues, but sooner while the oldest pending
    // sample is young (at ages ≈ ½, 1, 2 … s), so a short run finds its first bursts too.
    const d = this.step();
    let oldest = Infinity;
    for (const p of this.pending.values()) oldest = Math.min(oldest, p.sample.loggedAt);
    const age = this.lastPollAt > oldest ? this.lastPollAt - oldest : 0;
    const elapsedS = Math.max(1, (now - this.startedAt) / 1000);
    const accrualPerS = ((this.opts.budgetFraction ?? 0.01) * this.opts.requests()) / elapsedS;
    const pace = accrualPerS > 0 ? 1000 / accrualPerS : Infinity;
    return Math.max(0, Math.max(d, Math.min(age / 2, pace)) - (now - this.lastPollAt));
  }

  /**
   * The next poll of the nearest predicted window not yet polled through: just before it, inside
   * it, just after it. A window whose polls saw no burst counts as missed.
   */
  private windowPoint(): number | undefined {
    const edge = 10; // ms beyond the window: a query's round trip
    for (const w of this.rhythm.predict(this.lastPollAt)) {
      const key = Math.round(w.at);
      if (this.tried.has(key)) continue;
      // Just before, the centre, just after: the uncertainty halves per burst, in two or three
      // polls (they stop at the first that sees the burst). Four polls (a third per burst) ran
      // out of the 1 % budget at the default load (bench/RESULTS.md).
      const e = w.halfWidth;
      const points = [w.at - e - edge, w.at, w.at + e + edge];
      const next = points.find((p) => p > this.lastPollAt + 1);
      if (next !== undefined) return next;
      this.tried.add(key);
      this.rhythm.missed();
    }
    return undefined;
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
      if (this.rhythm.locked) this.lockedErrors.push(err);
      this.opts.onVisible?.(ms, err, p.sample);
    }
    if (burst) {
      const brackets = batch.filter(([k]) => found.has(k)).map(([, p]) => p.lo);
      this.rhythm.observe(Math.max(...brackets), at);
      this.tried.clear();
    }
    this.lastPollAt = at;
  }
}
