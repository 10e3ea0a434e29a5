/**
 * runSimulation()'s options and their resolution into one checked, defaulted Plan: the load
 * (which executor, how many users, for how long), the target, the gates and the outputs. Values a
 * user can get wrong end in SimUsageError (exit 2) with one sentence.
 */
import { parseDuration } from '../core/duration.js';
import { SimUsageError } from '../core/errors.js';
import type { LatencySpec } from '../core/latency-spec.js';
import { freshSeed } from '../core/random.js';
import type { LoadPlan } from '../executor/registry.js';
import { segmentProblem, WHOLE, type Segment } from '../executor/segment.js';
import type { ScenarioDefinition } from '../load/scenario.js';
import type { Recorder } from '../metrics/recorder.js';
import type { LiveConsoleOptions, OutputPlan } from '../output/index.js';

export type Env = Record<string, string | undefined>;

export interface EmbeddedServerOptions {
  /** Fixed latency added to every ingest response, in ms. */
  latencyMs?: number;
  /** Latency as a distribution (wins over latencyMs), e.g. `{kind: 'lognormal', medianMs: 20, sigma: 0.5}`. */
  latency?: LatencySpec;
  /** Share of ingest requests answered with an error status (0–1). */
  errorRate?: number;
  /** Port (default: any free port). */
  port?: number;
}

export type { LiveConsoleOptions };

export interface SimulationOptions {
  /** `sdk` (default), `http`, `stress`, a path to a scenario file, or a definition object. */
  scenario?: string | ScenarioDefinition;
  /** Virtual users (default 50). */
  users?: number;
  /** Users started per second (default: all users within the first second). */
  spawnRate?: number;
  /** `30s`, `5m`, `1h`, or seconds (default 30 s). */
  runTime?: string | number;
  /**
   * Wait between a user's tasks, overriding the scenario's: `0` (no wait), `0.5s`, `100ms-500ms`
   * (uniform, like Locust's between()), or `{minS, maxS}`.
   */
  wait?: string | { minS: number; maxS: number };
  /** Ingest URL; default env INGEST_URL; none → the embedded reference server. */
  host?: string;
  /** SDK API/py URL (default: the host). */
  apiUrl?: string;
  /** API key; default env TEST_API_KEY (with the embedded server: its default key). */
  key?: string;
  /** Seed of every user's random source (default: a fresh one, recorded in the result). */
  seed?: number;
  /** Folder for latest.json (default `reports`); false writes no files at all. */
  reportDir?: string | false;
  /** Locust CSV prefix (writes PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv). */
  csv?: string;
  html?: string;
  junit?: string;
  /** A saved latest.json to compare with. */
  baseline?: string;
  /** k6-like threshold expressions, e.g. `e2e:p95<800`. */
  thresholds?: string[];
  /** Override P95_THRESHOLD_MS / P99_THRESHOLD_MS / MAX_ERROR_RATE. */
  p95Ms?: number;
  p99Ms?: number;
  maxErrorRate?: number;
  /** Where INGEST_URL, TEST_API_KEY and the threshold variables are read (default: none; the CLI passes process.env). */
  env?: Env;
  /** Faults of the embedded server (ignored with --host). */
  embeddedServer?: EmbeddedServerOptions;
  /** Budget for users to finish their runs after the stop (default 30 s, the SDK's shutdown timeout). */
  shutdownTimeout?: string | number;
  /** Aborting stops the users early; the result is then marked interrupted (exit code 130). */
  signal?: AbortSignal;
  /** Install SIGINT/SIGTERM handlers that abort the run (default false; the CLI does its own). */
  handleSignals?: boolean;
  /** Print the live line (default: off). */
  console?: LiveConsoleOptions | false;
  /** Receives one-line progress messages (target, start, stop, report files). */
  log?: (line: string) => void;
  /** Run only this segment of the plan (0-based index of `count` equal parts); default the whole plan. */
  segment?: Segment;
  /** Run over several processes or machines: `--workers`, `--shard`, `--shards` (src/run/distributed/). */
  scaleOut?: ScaleOutOptions;
  /** Start the load at this moment (epoch ms or a Date) after the target checks; a moment past starts at once. */
  startAt?: number | Date;
  /** Given the run's recorder when the load starts (a worker or shard snapshots it). */
  onRecorder?: (recorder: Recorder) => void;
  /** Read the stored rows of the reference server for the delivery audit (default true; a worker leaves it to its coordinator). */
  auditStorage?: boolean;
}

export interface ScaleOutOptions {
  /** Worker processes on this machine: a number, or `auto` (cores − 1). */
  workers?: number | 'auto';
  /** This process runs segment I of N: `I/N`, I from 0 (as JOB_COMPLETION_INDEX). */
  shard?: string;
  /** N shards, with this one's index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job). */
  shards?: number;
}

/** A checked, defaulted simulation: what runs, against what, judged how, written where. */
export interface Plan {
  scenarioRef: string | ScenarioDefinition;
  load: LoadPlan;
  segment: Segment;
  wait: { minS: number; maxS: number } | undefined;
  host: string | undefined;
  apiUrl: string | undefined;
  key: string | undefined;
  seed: number;
  outputs: OutputPlan;
  baseline?: string;
  thresholds: string[];
  env: Env;
  overrides: { p95Ms?: number; p99Ms?: number; maxErrorRate?: number };
  embeddedServer: EmbeddedServerOptions;
  shutdownTimeoutS: number;
}

export const DEFAULT_USERS = 50;
export const DEFAULT_RUN_TIME_S = 30;
export const DEFAULT_SHUTDOWN_TIMEOUT_S = 30; // sdk-protocol.md §1.4 sync_process_shutdown_timeout
export const DEFAULT_REPORT_DIR = 'reports';

export function resolvePlan(o: SimulationOptions): Plan {
  const env = o.env ?? {};
  const users = o.users ?? DEFAULT_USERS;
  if (!Number.isInteger(users) || users < 1) throw new SimUsageError(`--users must be a whole number of at least 1, got ${users}.`);
  const spawnRate = o.spawnRate ?? users;
  if (!(spawnRate > 0) || !Number.isFinite(spawnRate)) throw new SimUsageError(`--spawn-rate must be above 0, got ${spawnRate}.`);
  const seed = o.seed ?? freshSeed();
  if (!Number.isInteger(seed)) throw new SimUsageError(`--seed must be a whole number, got ${seed}.`);
  const host = nonEmpty(o.host) ?? nonEmpty(env.INGEST_URL);
  if (host) checkUrl(host, '--host');
  const apiUrl = nonEmpty(o.apiUrl);
  if (apiUrl) checkUrl(apiUrl, '--api-url');
  checkFraction(o.maxErrorRate, '--max-error-rate');
  checkNonNegative(o.p95Ms, '--p95');
  checkNonNegative(o.p99Ms, '--p99');
  const server = o.embeddedServer ?? {};
  checkFraction(server.errorRate, '--server-error-rate');
  checkNonNegative(server.latencyMs, '--server-latency');
  const segment = o.segment ?? WHOLE;
  const segmentIssue = segmentProblem(segment);
  if (segmentIssue) throw new SimUsageError(`${segmentIssue}.`);
  return {
    scenarioRef: o.scenario ?? 'sdk',
    load: { executor: 'constant-users', users, spawnRate, runTimeS: parseDuration(o.runTime ?? DEFAULT_RUN_TIME_S, '--run-time') },
    segment,
    wait: parseWait(o.wait),
    host,
    apiUrl,
    key: nonEmpty(o.key) ?? nonEmpty(env.TEST_API_KEY),
    seed,
    outputs: {
      console: o.console ?? false,
      reportDir: o.reportDir === undefined ? DEFAULT_REPORT_DIR : o.reportDir,
      csv: o.csv,
      html: o.html,
      junit: o.junit,
    },
    baseline: o.baseline,
    thresholds: o.thresholds ?? [],
    env,
    overrides: { p95Ms: o.p95Ms, p99Ms: o.p99Ms, maxErrorRate: o.maxErrorRate },
    embeddedServer: server,
    shutdownTimeoutS: parseDuration(o.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT_S, '--shutdown-timeout'),
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

function checkUrl(url: string, flag: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SimUsageError(`${flag} must be an http:// or https:// URL, got "${url}".`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SimUsageError(`${flag} must be an http:// or https:// URL, got "${url}".`);
}

function checkFraction(v: number | undefined, flag: string): void {
  if (v !== undefined && !(v >= 0 && v <= 1)) throw new SimUsageError(`${flag} must be between 0 and 1, got ${v}.`);
}

function checkNonNegative(v: number | undefined, flag: string): void {
  if (v !== undefined && !(v >= 0 && Number.isFinite(v))) throw new SimUsageError(`${flag} must be a number of at least 0, got ${v}.`);
}

/** `0`, `2s`, `100ms-500ms` or `{minS, maxS}` → seconds; undefined keeps the scenario's wait. */
function parseWait(w: SimulationOptions['wait']): { minS: number; maxS: number } | undefined {
  if (w === undefined) return undefined;
  if (typeof w === 'object') {
    if (!(w.minS >= 0 && w.maxS >= w.minS)) throw new SimUsageError(`--wait needs 0 ≤ min ≤ max, got ${w.minS}–${w.maxS}.`);
    return w;
  }
  const [lo, hi = lo] = w.split('-');
  const minS = parseDuration(lo, '--wait');
  const maxS = parseDuration(hi, '--wait');
  if (maxS < minS) throw new SimUsageError(`--wait needs min ≤ max, got "${w}".`);
  return { minS, maxS };
}
