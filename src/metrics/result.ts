/**
 * The shape of a finished simulation: the data written to latest.json and returned by
 * runSimulation(). Pure data, no behaviour. `report` reads it; `sim` builds it.
 */

import type { Distributions } from './distributions.js';
import type { RegressionVerdict } from './verdict.js';

/** Quantiles reported per entry (Locust's columns plus p99.99), as fractions. */
export const QUANTILES = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1] as const;
/** Keys of EntrySummary.percentiles, in QUANTILES order: p50 p66 p75 p80 p90 p95 p98 p99 p99.9 p99.99 p100. */
export const QUANTILE_KEYS = ['p50', 'p66', 'p75', 'p80', 'p90', 'p95', 'p98', 'p99', 'p99.9', 'p99.99', 'p100'] as const;
export type QuantileKey = (typeof QUANTILE_KEYS)[number];

/** One row of the stats table (Locust's "Type"/"Name" pair is method/name). */
export interface EntrySummary {
  /** Full entry name, e.g. `POST /ingest/metrics`, `SDK run.log (metrics)`, `e2e log→ack`, `Aggregated`. */
  name: string;
  /** Locust "Type": `POST`, `PUT`, `SDK`, `E2E`, or `` for Aggregated. */
  method: string;
  /** Locust "Name": the route or call, e.g. `/ingest/metrics`, `run.log (metrics)`, `log→ack`. */
  route: string;
  count: number;
  failures: number;
  /** count / duration of the run in seconds. */
  rps: number;
  failuresPerS: number;
  minMs: number;
  avgMs: number;
  maxMs: number;
  /** Sum of response (or record) bytes. */
  bytes: number;
  avgBytes: number;
  percentiles: Record<QuantileKey, number>;
}

/** One second (or folded minute) of one entry or of the aggregate, as a chart draws it: the live page's updates carry only this. */
export interface ChartPoint {
  /** Epoch seconds of the bucket start. */
  t: number;
  /**
   * Seconds the point covers when more than one: a run's seconds older than its last five
   * minutes come one point per epoch minute (the first from the run's first sample, the last
   * up to where the last five minutes begin).
   * Absent for a one-second point.
   */
  spanS?: number;
  /** Users (at the end of the point's span). */
  users: number;
  /** Requests per second: this second's count, or the average over `spanS`. */
  requests: number;
  /** Failures per second, like `requests`. */
  failures: number;
  /** Percentiles of the samples that completed in this second or span (NaN-free: 0 when no sample). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The load's target in this second (stages, arrival rates): users, or iterations/s; absent for constant users. */
  target?: number;
}

/** One point of a run's history: the chart's figures, every quantile, and the running totals (Locust's stats_history.csv). */
export interface TimeSeriesPoint extends ChartPoint {
  /** Every reported quantile of this second, in QUANTILES order (0 when no sample). */
  quantilesMs: number[];
  /** Cumulative counts up to and including this second. */
  totalRequests: number;
  totalFailures: number;
  /** Cumulative latency figures up to and including this second (Locust's history "Total" columns; 0 before any sample). */
  totalMedianMs: number;
  totalAvgMs: number;
  totalMinMs: number;
  totalMaxMs: number;
  totalAvgBytes: number;
}

/** An error thrown by scenario code, grouped by message and stack (Locust's exceptions table). */
export interface ExceptionGroup {
  count: number;
  /** `Error: message` as thrown. */
  message: string;
  /** The stack without its first line, or `` when the thrown value had none. */
  traceback: string;
}

export interface FailureGroup {
  method: string;
  name: string;
  error: string;
  occurrences: number;
}

export interface ThresholdVerdict {
  /** As written, e.g. `e2e:p95<800` or `P95_THRESHOLD_MS=500`. */
  expression: string;
  /** Entry name judged (or `Aggregated`, or a synthetic judged group name). */
  entry: string;
  metric: string; // p50 … p100, avg, max, error_rate, rps
  op: '<' | '<=' | '>' | '>=';
  limit: number;
  actual: number;
  pass: boolean;
  /** Why the verdict is special, e.g. `no entry named "x" was recorded` (actual is then 0). */
  note?: string;
  /** The one sentence every report prints for this verdict (worded by src/run/judging/gate-text.ts). */
  sentence?: string;
}

export interface BaselineCheck {
  metric: 'p95_ms' | 'p99_ms' | 'error_rate' | 'visible_p95_ms';
  baseline: number;
  current: number;
  /** Relative change for latencies ((cur-base)/base; Infinity if base=0 and cur>0), absolute for error_rate. */
  change: number;
  limit: number;
  pass: boolean;
  /** Why the check passed or failed when the plain rule does not say, e.g. the zero-baseline floor. */
  note?: string;
  /** The one sentence every report prints for this verdict (worded by src/run/judging/gate-text.ts). */
  sentence?: string;
}

export interface BaselineVerdict {
  file: string;
  pass: boolean;
  checks: BaselineCheck[];
}

/** Kinds of records the SDK delivers, as the audit counts them. */
export type AuditKind = 'metric' | 'system' | 'data' | 'console' | 'file' | 'other';
export const AUDIT_KINDS: readonly AuditKind[] = ['metric', 'system', 'data', 'console', 'file', 'other'];

export interface KindAudit {
  logged: number;
  acked: number;
  failed: number;
  pending: number;
  /** Rows the acked records of this kind become on the server. */
  expectedRows: number;
}

/** Rows of one server table: expected (from the SDK's acks), stored, lost, duplicated. */
export interface TableAudit {
  expectedRows: number;
  storedRows: number;
  lostRows: number;
  duplicatedRows: number;
}

/** Which table each kind's rows land in (metrics and system metrics share mlop_metrics). */
export const TABLE_OF_KIND: Record<Exclude<AuditKind, 'other'>, string> = {
  metric: 'mlop_metrics', system: 'mlop_metrics', console: 'mlop_logs', data: 'mlop_data', file: 'mlop_files',
};

export interface RunAudit {
  runId: number;
  runName: string;
  /** Records handed to the SDK by log()/_log()/console (one per NDJSON line). */
  logged: number;
  acked: number;
  failed: number;
  /** Still queued when the run ended (not acked, not FAILED). */
  pending: number;
  /** Rows the SDK expects stored (acked records expanded to rows: a metrics line of k keys = k rows). */
  expectedRows: number;
  /** From the reference server's control routes; absent when the target is not the reference server. */
  storedRows?: number;
  lostRows?: number;
  duplicatedRows?: number;
  /** The same records per kind: user metrics, system metrics (+ health line), data, console lines, files, config/tags. */
  kinds: Record<AuditKind, KindAudit>;
  /** Per server table, when storage was checked. */
  tables?: Record<string, TableAudit>;
  /** A run that lost, duplicated, failed or left records pending: its counts in one line (judging words it). */
  sentence?: string;
}

export interface DeliveryAudit {
  /** True when stored/lost/duplicated come from the target's control routes. */
  storageChecked: boolean;
  /**
   * `checked`: the reference server's stored rows were read. `unreadable`: the target is the
   * reference server but its storage could not be read (a failure, see storageProblem).
   * `acked-only`: the target is not mlop-sim's reference server; only the SDK's acks are known.
   */
  storage: 'checked' | 'unreadable' | 'acked-only';
  /** Why the storage could not be read, e.g. "the flush did not finish within 5000 ms: …". */
  storageProblem?: string;
  /** Batches in the reference server's dead-letter queue after the audit's flush (rows not stored). */
  dlqBatchesPending?: number;
  runs: RunAudit[];
  totals: Omit<RunAudit, 'runId' | 'runName'>;
  pass: boolean;
  /** The one sentence every report prints for this verdict (worded by src/run/judging/gate-text.ts). */
  sentence?: string;
}

/** The four kinds of stored rows (tables mlop_metrics, mlop_logs, mlop_data, mlop_files). */
export type StorageKind = 'metrics' | 'logs' | 'data' | 'files';

export interface KindCounts {
  /** Rows acknowledged to the SDK. */
  acked: number;
  /** Distinct row identities found in ClickHouse. */
  stored: number;
  /** acked − stored, never below 0. */
  lost: number;
  /** Rows − distinct identities. */
  duplicated: number;
  /** Distinct rows beyond the acked ones (e.g. a record stored whose ack never arrived). */
  unacked: number;
}

export interface RunStorageAudit {
  runId: number;
  runName?: string;
  kinds: Record<StorageKind, KindCounts>;
  /** A run with rows lost or duplicated: those kinds' counts in one line (judging words it). */
  sentence?: string;
}

/** The storage audit against a real ClickHouse (--clickhouse-url). */
export interface StorageAudit {
  /** The ClickHouse URL without credentials, and the database. */
  url: string;
  database: string;
  /** True when the counts stopped changing before the timeout. */
  settled: boolean;
  waitedMs: number;
  /** Count polls made while waiting. */
  polls: number;
  runs: RunStorageAudit[];
  totals: Record<StorageKind, KindCounts>;
  lostRows: number;
  duplicatedRows: number;
  pass: boolean;
  /** Why ClickHouse could not be counted (the audit then fails). */
  error?: string;
  /** The one sentence every report prints for this verdict (worded by src/run/judging/gate-text.ts). */
  sentence?: string;
}

/** The time-to-visible probe's own account: samples, cost and error (entry `E2E log→visible`). */
export interface VisibilitySummary {
  sampled: number;
  seen: number;
  /** Still not visible when the probe stopped. */
  unseen: number;
  refused: number;
  queries: number;
  failedQueries: number;
  /** queries / the run's requests. */
  costFraction: number;
  /** Half-bracket error bounds of the samples seen (ms). */
  errorMs: { p50: number; max: number };
  /** The same for the samples seen once the flush rhythm was learnt (the adapted poll's error). */
  lockedErrorMs?: { p50: number; seen: number };
  /** p50 time to visible of the samples seen (ms). */
  p50Ms: number;
  /** Flush bursts seen, and the period learnt from them. */
  bursts: number;
  periodMs?: number;
}

export interface DlqHealth {
  batches_pending: number;
  records_pending: number;
  disk_usage_mb: number;
}

/**
 * How busy the load generator itself was. A saturated generator measures its own queueing: its
 * latencies do not describe the target.
 */
export interface GeneratorHealth {
  /** Cores the machine offers the process. */
  cores: number;
  /** Main-thread event-loop utilisation over the run, 0–1. */
  utilisation: number;
  /** Process CPU (user + system, all threads) over the run, in cores. */
  cpuCores: number;
  /** Event-loop delay over the run (timer lateness), ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** One-second windows sampled, and how many had main-thread utilisation ≥ 90 %. */
  windows: number;
  busyWindows: number;
  /** Garbage-collection pauses during the load: how many, their sum and the longest, ms. */
  gc: { pauses: number; totalMs: number; maxMs: number };
  saturated: boolean;
  /** One sentence when saturated, else empty. */
  warning: string;
  /**
   * One sentence when the event loop's lateness p99 is above max(2 ms, 2 % of the run's p99), so
   * the reported tail may include that much of the generator's own delay; else empty (never a gate).
   */
  timingWarning: string;
}

export interface LoadSummary {
  /** constant-users, ramping-users, constant-arrival-rate, ramping-arrival-rate or load-shape. */
  executor: string;
  /** The load in a few words, e.g. `100 iterations/s for 60 s (uniform, up to 400 users, drop when saturated)`. */
  description: string;
  /** Open model: what one iteration is (`task`, or a whole SDK `run`) and what happens when no user is free. */
  iteration?: 'task' | 'run';
  onSaturation?: 'drop' | 'queue';
  /** Open model: iterations started, and how many of those started more than 1 ms after they were due. */
  started?: number;
  lateStarts?: number;
}

export type CapacityAssessment = 'good' | 'at_capacity' | 'overloaded';

/** One side of a duet run: its own figures, never mixed with the other side's. */
export type DuetSideReport = Pick<
  SimulationResult,
  'target' | 'p50_ms' | 'p95_ms' | 'p99_ms' | 'error_rate' | 'total_requests' | 'rps' | 'entries' | 'aggregated' | 'failures' |
  'audit' | 'storage' | 'visibility' | 'dlq' | 'history' | 'pass' | 'reasons'
>;

export interface DuetReport {
  /** The baseline side (the primary target). */
  a: DuetSideReport;
  /** The candidate side (--duet-host, or the second embedded server); the result's own figures. */
  b: DuetSideReport;
  /** B judged against A on windows paired in time (docs/statistics.md); absent without distributions. */
  verdict?: RegressionVerdict;
}

/** One action taken on a running load from outside (the live page): what, when, and whether it applied. */
export interface ControlAction {
  /** ISO 8601 time of the request. */
  at: string;
  /** Seconds since the load started. */
  elapsedS: number;
  action: 'stop' | 'set-users' | 'set-rate' | 'reset-stats';
  /** The users or iterations/s asked for (set-users, set-rate). */
  value?: number;
  applied: boolean;
  /** Why it was not applied (absent when it was). */
  reason?: string;
  /** Who asked: `web` (the live page). */
  by: string;
}

export interface SimulationResult {
  // The seed's latest.json keys, computed over the judged entries.
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  error_rate: number;
  total_requests: number;
  rps: number;

  scenario: string;
  /** The most users the load may run at once (constant users: --users; stages: the peak; arrival rates: --max-users). */
  users: number;
  spawnRate: number;
  /** The load model that ran (docs/cli.md "Load models"). */
  load?: LoadSummary;
  /**
   * Open model only: iterations that were due but never started (k6's dropped_iterations), and
   * the latency of the iterations measured from their intended start (wrk2's corrected latency).
   */
  dropped_iterations?: number;
  corrected?: { p50_ms: number; p95_ms: number; p99_ms: number };
  seed: number;
  startedAt: string; // ISO 8601
  endedAt: string;
  durationS: number;
  target: { ingestUrl: string; apiUrl: string; embedded: boolean };

  /** Entry names the thresholds judge (see docs: sdk judges `e2e log→ack` and `SDK HTTP (all)`). */
  judged: string[];
  entries: EntrySummary[];
  aggregated: EntrySummary;
  failures: FailureGroup[];
  /** Errors thrown by scenario code (tasks, onStart, onStop), most frequent first. */
  exceptions: ExceptionGroup[];
  /** Per-second series: key `Aggregated` plus one per judged entry. */
  history: Record<string, TimeSeriesPoint[]>;

  thresholds: ThresholdVerdict[];
  baseline?: BaselineVerdict;
  /** The regression verdict against --baseline (docs/statistics.md); absent with --baseline-rule seed or a baseline without distributions. */
  verdict?: RegressionVerdict;
  /** Per compared entry its digest and time windows, for later verdicts (docs/reports.md "distributions"). */
  distributions?: Distributions;
  audit?: DeliveryAudit;
  /** Rows stored in ClickHouse vs acked (with --clickhouse-url). */
  storage?: StorageAudit;
  /** The time-to-visible probe (with --clickhouse-url). */
  visibility?: VisibilitySummary;
  capacity?: { assessment: CapacityAssessment; error_rate: number };
  dlq: { start?: DlqHealth; end?: DlqHealth };

  /** The load generator's own load during the run (src/run/health/generator-health.ts). */
  generator?: GeneratorHealth;
  /** Things the reader must know that are not gate failures, e.g. a saturated generator. */
  warnings?: string[];
  /** Set when the load ran in several processes (--workers) or was merged from shards. */
  scaleOut?: ScaleOutReport;
  /** Changes made by hand while the run went (the live page, --web): present only when there were any. */
  control?: ControlAction[];
  /** A duet run: both sides' figures and their comparison; the rest of the result is side B's. */
  duet?: DuetReport;

  interrupted: boolean;
  pass: boolean;
  /** One sentence per failed gate. */
  reasons: string[];
  exitCode: number;
}

/** How a scaled-out run went: each segment's process (a worker) or file (a shard). */
export interface ScaleOutReport {
  mode: 'workers' | 'shards';
  /** Segments the plan was split into. */
  segments: number;
  /** The plan's fingerprint (shards only): what every merged shard file shares. */
  fingerprint?: string;
  parts: SegmentStatus[];
  /** CPU seconds of the coordinator itself (workers only: live merging, the final merge, judging). */
  coordinatorCpuS?: number;
}

export interface SegmentStatus {
  /** 0-based segment index. */
  index: number;
  /** False: the worker died or the shard file is missing; what it sent before is kept. */
  complete: boolean;
  /** A worker's exit code and signal, and why it counts as incomplete. */
  exitCode?: number | null;
  signal?: string | null;
  reason?: string;
  /**
   * A worker that died: its SDK runs (as it last reported them, kept in the audit) and the records
   * they had logged that were neither acked nor failed at that report — unaccounted for.
   */
  sdkRuns?: number;
  unaccountedRecords?: number;
  /** A shard file that was given more than once (a retried pod): the copies not used. */
  duplicates?: number;
  file?: string;
  /** CPU seconds the worker process used (user + system). */
  cpuS?: number;
  /** A worker's heap (MB) once its scenario was loaded, and the most while its users ran (sampled each second). */
  heapBaseMB?: number;
  heapPeakMB?: number;
  /** True when those samples followed a full GC (node --expose-gc): live objects only. */
  heapAfterGc?: boolean;
  /**
   * A worker that watched its generator's health (`mlop-sim capacity --workers`): whether it was
   * saturated (src/run/health/generator-health.ts), and the warning that says how.
   */
  generatorSaturated?: boolean;
  generatorWarning?: string;
}
