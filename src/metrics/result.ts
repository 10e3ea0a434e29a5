/**
 * The shape of a finished simulation: the data written to latest.json and returned by
 * runSimulation(). Pure data, no behaviour. `report` reads it; `sim` builds it.
 */

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

/** One second of one entry (or of the aggregate). */
export interface TimeSeriesPoint {
  /** Epoch seconds of the bucket start. */
  t: number;
  users: number;
  requests: number;
  failures: number;
  /** Percentiles of the samples that completed in this second (NaN-free: 0 when no sample). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Cumulative counts up to and including this second. */
  totalRequests: number;
  totalFailures: number;
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
}

export interface BaselineCheck {
  metric: 'p95_ms' | 'p99_ms' | 'error_rate';
  baseline: number;
  current: number;
  /** Relative change for latencies ((cur-base)/base; Infinity if base=0 and cur>0), absolute for error_rate. */
  change: number;
  limit: number;
  pass: boolean;
  /** Why the check passed or failed when the plain rule does not say, e.g. the zero-baseline floor. */
  note?: string;
}

export interface BaselineVerdict {
  file: string;
  pass: boolean;
  checks: BaselineCheck[];
}

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
}

export interface DeliveryAudit {
  /** True when stored/lost/duplicated come from the target's control routes. */
  storageChecked: boolean;
  runs: RunAudit[];
  totals: Omit<RunAudit, 'runId' | 'runName'>;
  pass: boolean;
}

export interface DlqHealth {
  batches_pending: number;
  records_pending: number;
  disk_usage_mb: number;
}

export type CapacityAssessment = 'good' | 'at_capacity' | 'overloaded';

export interface SimulationResult {
  // The seed's latest.json keys, computed over the judged entries.
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  error_rate: number;
  total_requests: number;
  rps: number;

  scenario: string;
  users: number;
  spawnRate: number;
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
  /** Per-second series: key `Aggregated` plus one per judged entry. */
  history: Record<string, TimeSeriesPoint[]>;

  thresholds: ThresholdVerdict[];
  baseline?: BaselineVerdict;
  audit?: DeliveryAudit;
  capacity?: { assessment: CapacityAssessment; error_rate: number };
  dlq: { start?: DlqHealth; end?: DlqHealth };

  /** Set when the load ran in several processes (--workers) or was merged from shards. */
  scaleOut?: ScaleOutReport;

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
}
