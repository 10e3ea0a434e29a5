/**
 * The data of a capacity search (`mlop-sim capacity`, latest.json `capacity`; docs/reports.md
 * "capacity"): the figure, its bracket, what failed first above it and every step. Pure data.
 */
import type { ThresholdVerdict } from './result.js';

/** What a step's load counts: requests a second (http, stress: the open model) or concurrent SDK runs. */
export type CapacityUnit = 'requests/s' | 'runs';

/** Why a step failed, in the order they are reported. */
export type CapacityCause = 'latency' | 'errors' | 'throughput' | 'backlog' | 'dlq' | 'visibility' | 'generator';

export interface CapacityStep {
  /** 1-based, in the order run. */
  index: number;
  phase: 'ramp' | 'bisect' | 'rerun';
  /** The load offered: requests/s, or concurrent runs. */
  offered: number;
  /** The load the target kept up with in the judged window: offered × keep-up ratio. */
  achieved: number;
  /** http/stress: completed ÷ offered requests; sdk: acknowledged ÷ logged records. */
  keepUp: number;
  /** HTTP requests a second completed in the window (all routes), and of the ingest routes alone. */
  requestsPerS: number;
  ingestRequestsPerS: number;
  /** Seconds of the step and of its judged window (its second half). */
  lengthS: number;
  windowS: number;
  /** Samples of the judged entry in the window, and how many the SLO's quantile needs to be stable. */
  samples: number;
  samplesNeeded: number;
  /** The judged entry's quantiles in the window, ms. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  errorRate: number;
  /** Growth of the target's dead-letter queue over the window (batches), when it could be read. */
  dlqGrowth?: number;
  /**
   * With --clickhouse-url: the time-to-visible lag over the window (src/executor/capacity/lag-trend.ts):
   * its median level, its growth beyond noise (ms), whether that growth failed the step.
   */
  visibilityLag?: { levelMs: number; growthMs: number; slopeMsPerS: number; grew: boolean };
  generatorSaturated: boolean;
  slos: ThresholdVerdict[];
  verdict: 'pass' | 'fail';
  /** Near a limit: the step was run again, longer, and the later run decided. */
  marginal: boolean;
  causes: CapacityCause[];
  /** One sentence per failed check. */
  reasons: string[];
}

export interface CapacityReport {
  unit: CapacityUnit;
  /**
   * `capacity`: the target failed above the figure; `floor`: the figure is only a lower bound
   * (the generator saturated first, the time or the highest load ran out before a step failed);
   * `below-lowest`: the lowest step failed already.
   */
  kind: 'capacity' | 'floor' | 'below-lowest';
  /** The highest load that passed (0 with `below-lowest`). */
  figure: number;
  /** The last passing and the first failing load (high absent when no step failed). */
  bracket: { low: number; high?: number };
  /** Who limited the figure: the target, the generator, the time budget or --max-load. */
  limitedBy: 'target' | 'generator' | 'time' | 'max-load';
  /** What failed at the lowest failing step (the one above the figure). */
  firstFailure?: { offered: number; causes: CapacityCause[]; reasons: string[] };
  /** The one-line answer, as printed. */
  summary: string;
  slos: string[];
  elapsedS: number;
  steps: CapacityStep[];
}
