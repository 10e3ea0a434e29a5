/**
 * runSimulation()'s options and their resolution into one checked, defaulted Plan: the load
 * (which executor, how many users, for how long), the target, the gates and the outputs. Values a
 * user can get wrong end in SimUsageError (exit 2) with one sentence.
 */
import { parseDuration } from '../core/duration.js';
import { SimUsageError } from '../core/errors.js';
import type { LatencySpec } from '../core/latency-spec.js';
import { freshSeed } from '../core/random.js';
import type { LoadOptions, ScenarioLoad } from '../executor/load-options.js';
import { resolveLoad, type LoadPlan } from '../executor/registry.js';
import { segmentProblem, WHOLE, type Segment } from '../executor/segment.js';
import type { ScenarioDefinition } from '../load/scenario.js';
import type { SdkRun } from '../load/sdk-session.js';
import type { Recorder } from '../metrics/recorder.js';
import { parseStreamSpec, type LiveConsoleOptions, type OutputPlan, type StreamSpec } from '../output/index.js';

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
  /** Stop answering for `durationS`, starting `atS` after the server started (`--server-stall D@T`). */
  stall?: { durationS: number; atS: number };
  /** Complete at most this many ingest requests a second, FIFO (`--server-capacity R`; docs/server.md "Capacity"). */
  capacityRps?: number;
}

export type { LiveConsoleOptions };

/** `--clickhouse-*`: audit storage and measure time to visible in this ClickHouse. */
export interface ClickHouseOptions {
  /** The ClickHouse HTTP URL; default env CLICKHOUSE_URL. */
  url?: string;
  /** Default env CLICKHOUSE_USER, else `default`. */
  user?: string;
  /** Default env CLICKHOUSE_PASSWORD (never printed or reported). */
  password?: string;
  /** Default env CLICKHOUSE_DATABASE, else `default`. */
  database?: string;
  /** Longest wait for the flush window after the load (default 30 s). */
  settleTimeout?: string | number;
  /** Time-to-visible samples per second (default 5). */
  probeRate?: number;
  /** The probe's queries stay at most this share of the run's requests (default 0.01). */
  probeBudget?: number;
}

export interface SimulationOptions extends LoadOptions {
  /** `sdk` (default), `http`, `stress`, a path to a scenario file, or a definition object. */
  scenario?: string | ScenarioDefinition;
  /** Virtual users (default 50; with user stages, the users at the start, default 0). */
  users?: number;
  /** Users started per second (default: all users within the first second). */
  spawnRate?: number;
  /** `30s`, `5m`, `1h`, or seconds (default 30 s). */
  runTime?: string | number;
  // The open-model and stage options (stages, arrivalRate, maxUsers, …) are in LoadOptions (src/executor/load-options.ts).
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
  /** Locust's --csv-full-history: the history CSV gets a row per entry per second, not only Aggregated. */
  csvFullHistory?: boolean;
  /** Keep a per-second history of every entry in the result (implied by csvFullHistory). */
  fullHistory?: boolean;
  html?: string;
  junit?: string;
  /** `--web`: serve the run live in a browser (docs/cli.md "The live page"); host 127.0.0.1 and port 8089 by default. */
  web?: { host?: string; port?: number; auth?: string; autoquitS?: number };
  /** Streaming outputs, k6's `--out` spelling: `json=FILE` (`-` = stdout), `csv=FILE`, `prometheus-rw=URL`. */
  out?: string[];
  /** Locust's --reset-stats: forget the samples recorded while users were being spawned. */
  resetStats?: boolean;
  /** Run only tasks with one of these tags (Locust's --tags); untagged tasks are then left out. */
  tags?: string[];
  /** Leave out tasks with one of these tags (Locust's --exclude-tags). */
  excludeTags?: string[];
  /** A saved latest.json to compare with. */
  baseline?: string;
  /** How --baseline decides: `verdict` (default; intervals, docs/statistics.md) or `seed` (+20 % p95/p99, +0.05 error rate). */
  baselineRule?: 'verdict' | 'seed';
  /** The verdict's smallest latency change that counts, a fraction (default 0.03; a duet's 0.01). */
  minEffect?: number;
  /** …and at least this many milliseconds (default 0.5; a duet's 0.1; 0 drops the floor). */
  minEffectMs?: number;
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
  /** Storage audit and time to visible in a real ClickHouse (the embedded server then writes there too). */
  clickhouse?: ClickHouseOptions;
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
  /**
   * What each SDK-backed virtual user's run does besides the scenario's calls (default: all on,
   * the SDK's defaults): `systemMetrics` (system metrics every 4 s, their names, the health line),
   * `console` (console capture: the SDK's start-up lines and the user's prints),
   * `explicitLogUpload` (false: `run._log` sends nothing, like pluto 0.0.28).
   */
  sdk?: { systemMetrics?: boolean; console?: boolean; explicitLogUpload?: boolean };
  /** A duet run against a second target B (the candidate); the primary target is A (the baseline). */
  duet?: DuetOptions;
  /** Run over several processes or machines: `--workers`, `--shard`, `--shards` (src/run/distributed/). */
  scaleOut?: ScaleOutOptions;
  /** Start the load at this moment (epoch ms or a Date) after the target checks; a moment past starts at once. */
  startAt?: number | Date;
  /** Given the run's recorder when the load starts (a worker or shard snapshots it). */
  onRecorder?: (recorder: Recorder) => void;
  /** Told of each SDK run a user starts (a worker reports their delivery counts every second). */
  onSdkRun?: (run: SdkRun) => void;
  /**
   * Audit storage in this process (default true): the reference server's stored rows, and with
   * --clickhouse-url the rows in ClickHouse. A worker leaves both to its coordinator (it still
   * runs the time-to-visible probe).
   */
  auditStorage?: boolean;
  /**
   * The target was checked already (default false): a --workers coordinator checks it once, so
   * its workers skip the reachability and key checks, the reference-server detection and the
   * DLQ reads (the coordinator reads the DLQ and audits).
   */
  targetChecked?: boolean;
  /**
   * Watch the generator's own health (event-loop delay sampled every 10 ms, utilisation, CPU, GC
   * pauses: result.generator); default true. A --workers worker runs without — its coordinator
   * does not merge the workers' figures, and the monitor costs ~4.6 ms of CPU a second in an idle
   * process (bench/live-report.ts) — unless the coordinator's options say `true` explicitly
   * (`mlop-sim capacity` steps): each worker then watches its own and its scaleOut status says
   * whether it saturated.
   */
  generatorHealth?: boolean;
  /**
   * The load as the --workers coordinator resolved it (a worker runs its segment of it instead
   * of resolving the flags again). A load shape's function does not cross the process boundary:
   * the worker takes it from the scenario it loads.
   */
  plannedLoad?: LoadPlan;
}

/** A duet run: the same users also drive a second target, the candidate B (docs/cli.md "Duet runs"). */
export interface DuetOptions {
  /** B's ingest URL; default env DUET_INGEST_URL; none → a second embedded server. */
  host?: string;
  /** B's SDK API URL (default: B's host). */
  apiUrl?: string;
  /** B's API key; default env DUET_TEST_API_KEY, else A's key (with an embedded B: its default key). */
  key?: string;
  /** Faults of the second embedded server, on top of the first's: it differs from A only in these. */
  embeddedServer?: EmbeddedServerOptions;
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
  /** The load, resolved once with the scenario's own stages or shape (src/executor/registry.ts). */
  load: LoadPlan;
  segment: Segment;
  wait: { minS: number; maxS: number } | undefined;
  host: string | undefined;
  apiUrl: string | undefined;
  key: string | undefined;
  seed: number;
  outputs: OutputPlan;
  /** Per-second history of every entry in the result, not only Aggregated and the judged ones. */
  fullHistory: boolean;
  resetStats: boolean;
  tags: string[] | undefined;
  excludeTags: string[];
  baseline?: string;
  baselineRule?: 'verdict' | 'seed';
  minEffect?: number;
  minEffectMs?: number;
  thresholds: string[];
  env: Env;
  overrides: { p95Ms?: number; p99Ms?: number; maxErrorRate?: number };
  embeddedServer: EmbeddedServerOptions;
  shutdownTimeoutS: number;
  sdk: { systemMetrics: boolean; console: boolean; explicitLogUpload: boolean };
  clickhouse?: ClickHousePlan;
  /** B of a duet run: its target (or a second embedded server's faults). */
  duet?: DuetPlan;
}

export interface DuetPlan {
  host: string | undefined;
  apiUrl: string | undefined;
  key: string | undefined;
  /** A second embedded server's faults (A's with the duet's on top), when B has no host. */
  embeddedServer: EmbeddedServerOptions;
}

export interface ClickHousePlan {
  url: string;
  username: string;
  password: string;
  database: string;
  settleTimeoutS: number;
  probeRate: number;
  probeBudget: number;
}

export const DEFAULT_CLICKHOUSE_SETTLE_S = 30;
export const DEFAULT_PROBE_RATE = 5;
/** The issue's cost limit: the probe makes at most 1 % of the run's requests. */
export const DEFAULT_PROBE_BUDGET = 0.01;

export { DEFAULT_USERS, DEFAULT_RUN_TIME_S } from '../executor/load-options.js';
export const DEFAULT_SHUTDOWN_TIMEOUT_S = 30; // docs/protocol/sdk.md §1.4 sync_process_shutdown_timeout
export const DEFAULT_REPORT_DIR = 'reports';

/**
 * Checks and defaults every option once. `scenario` is the loaded scenario's own load (its
 * stages or shape, whether it drives SDK runs): the session passes it, so the load is resolved
 * once with it; without it, what the options alone tell (a built-in by name, a definition object).
 */
export function resolvePlan(o: SimulationOptions, scenario?: ScenarioLoad): Plan {
  const env = o.env ?? {};
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
  if (server.stall !== undefined && !(server.stall.durationS > 0 && server.stall.atS >= 0)) {
    throw new SimUsageError('--server-stall needs a duration above 0 and a start of at least 0, like 3s@20s.');
  }
  if (server.capacityRps !== undefined && !(server.capacityRps > 0 && Number.isFinite(server.capacityRps))) {
    throw new SimUsageError(`--server-capacity must be a number of requests per second above 0, got ${server.capacityRps}.`);
  }
  const segment = o.segment ?? WHOLE;
  const loadOptions: LoadOptions = {
    users: o.users, spawnRate: o.spawnRate, runTime: o.runTime, stages: o.stages, arrivalRate: o.arrivalRate,
    maxUsers: o.maxUsers, preAllocatedUsers: o.preAllocatedUsers, arrivals: o.arrivals, onSaturation: o.onSaturation, runLength: o.runLength,
  };
  const segmentIssue = segmentProblem(segment);
  if (segmentIssue) throw new SimUsageError(`${segmentIssue}.`);
  return {
    scenarioRef: o.scenario ?? 'sdk',
    load: o.plannedLoad ? withShape(o.plannedLoad, scenario) : resolveLoad(loadOptions, seed, scenario ?? knownScenarioLoad(o.scenario ?? 'sdk')),
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
      csvFullHistory: o.csvFullHistory === true,
      html: o.html,
      junit: o.junit,
      streams: parseStreams(o.out),
      ...(o.web ? { web: { host: o.web.host ?? '127.0.0.1', port: o.web.port ?? 8089, auth: o.web.auth, autoquitS: o.web.autoquitS } } : {}),
    },
    fullHistory: o.fullHistory === true || o.csvFullHistory === true,
    resetStats: o.resetStats === true,
    tags: o.tags === undefined ? undefined : tagList(o.tags),
    excludeTags: tagList(o.excludeTags ?? []),
    baseline: o.baseline,
    baselineRule: baselineRule(o.baselineRule),
    ...(o.minEffect !== undefined ? { minEffect: minEffectOf(o.minEffect) } : {}),
    ...(o.minEffectMs !== undefined ? { minEffectMs: minEffectMsOf(o.minEffectMs) } : {}),
    thresholds: o.thresholds ?? [],
    env,
    overrides: { p95Ms: o.p95Ms, p99Ms: o.p99Ms, maxErrorRate: o.maxErrorRate },
    embeddedServer: server,
    shutdownTimeoutS: parseDuration(o.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT_S, '--shutdown-timeout'),
    sdk: { systemMetrics: o.sdk?.systemMetrics !== false, console: o.sdk?.console !== false, explicitLogUpload: o.sdk?.explicitLogUpload !== false },
    clickhouse: resolveClickHouse(o.clickhouse ?? {}, env),
    duet: resolveDuet(o.duet, env, host, server, nonEmpty(o.key) ?? nonEmpty(env.TEST_API_KEY)),
  };
}

/** B of a duet: --duet-host (or DUET_INGEST_URL), or a second embedded server beside an embedded A. */
function resolveDuet(d: DuetOptions | undefined, env: Env, hostA: string | undefined, serverA: EmbeddedServerOptions, keyA: string | undefined): DuetPlan | undefined {
  const host = nonEmpty(d?.host) ?? nonEmpty(env.DUET_INGEST_URL);
  if (!d && !host) return undefined;
  const faults = d?.embeddedServer ?? {};
  const hasFaults = Object.values(faults).some((v) => v !== undefined);
  if (host) {
    checkUrl(host, '--duet-host');
    if (hasFaults) throw new SimUsageError('--duet-server-* set the faults of a second embedded server; with --duet-host there is none.');
  } else if (hostA) {
    throw new SimUsageError('a duet run against --host needs --duet-host (or DUET_INGEST_URL) for its candidate side.');
  }
  const apiUrl = nonEmpty(d?.apiUrl);
  if (apiUrl) checkUrl(apiUrl, '--duet-api-url');
  checkFraction(faults.errorRate, '--duet-server-error-rate');
  checkNonNegative(faults.latencyMs, '--duet-server-latency');
  // The duet's latency, in either spelling, replaces A's in both (a distribution wins over a fixed latency).
  const base = faults.latency !== undefined || faults.latencyMs !== undefined ? { ...serverA, latency: undefined, latencyMs: undefined } : serverA;
  return { host, apiUrl, key: nonEmpty(d?.key) ?? nonEmpty(env.DUET_TEST_API_KEY) ?? (host ? keyA : undefined), embeddedServer: { ...base, ...definedOnly(faults) } };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function baselineRule(rule: string | undefined): 'verdict' | 'seed' {
  if (rule === undefined || rule === 'verdict' || rule === 'seed') return rule ?? 'verdict';
  throw new SimUsageError(`--baseline-rule must be verdict or seed, got ${JSON.stringify(rule)}.`);
}

function minEffectOf(f: number): number {
  if (!(f > 0 && f < 1)) throw new SimUsageError(`--min-effect must be a change between 0 and 100 %, got ${f}.`);
  return f;
}

function minEffectMsOf(ms: number): number {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new SimUsageError(`--min-effect-ms must be a number of milliseconds, 0 or more, got ${ms}.`);
  return ms;
}

/** The ClickHouse flags, else CLICKHOUSE_URL / _USER / _PASSWORD / _DATABASE; none without a URL. */
function resolveClickHouse(c: ClickHouseOptions, env: Env): ClickHousePlan | undefined {
  const url = nonEmpty(c.url) ?? nonEmpty(env.CLICKHOUSE_URL);
  if (!url) {
    if (c.user !== undefined || c.password !== undefined || c.database !== undefined) {
      throw new SimUsageError('--clickhouse-user, --clickhouse-password and --clickhouse-database need --clickhouse-url (or CLICKHOUSE_URL).');
    }
    return undefined;
  }
  checkUrl(url, '--clickhouse-url');
  const database = nonEmpty(c.database) ?? nonEmpty(env.CLICKHOUSE_DATABASE) ?? 'default';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new SimUsageError(`--clickhouse-database must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got "${database}".`);
  const probeRate = c.probeRate ?? DEFAULT_PROBE_RATE;
  if (!(probeRate > 0) || !Number.isFinite(probeRate)) throw new SimUsageError(`--clickhouse-probe-rate must be above 0, got ${probeRate}.`);
  const probeBudget = c.probeBudget ?? DEFAULT_PROBE_BUDGET;
  checkFraction(probeBudget, '--clickhouse-probe-budget');
  return {
    url,
    username: nonEmpty(c.user) ?? nonEmpty(env.CLICKHOUSE_USER) ?? 'default',
    password: c.password ?? env.CLICKHOUSE_PASSWORD ?? '',
    database,
    settleTimeoutS: parseDuration(c.settleTimeout ?? DEFAULT_CLICKHOUSE_SETTLE_S, '--clickhouse-settle-timeout'),
    probeRate,
    probeBudget,
  };
}

/** A planned load-shape load gets its function back from the scenario (functions do not cross processes). */
function withShape(load: LoadPlan, scenario: ScenarioLoad | undefined): LoadPlan {
  return load.executor === 'load-shape' && scenario?.shape ? { ...load, shape: scenario.shape } : load;
}

/** The load a scenario brings: its own stages or shape, and whether an arrival is a whole SDK run. */
export function scenarioLoad(def: Pick<ScenarioDefinition, 'sdk' | 'stages' | 'shape'>): ScenarioLoad {
  return { sdkRuns: Boolean(def.sdk), stages: def.stages, shape: def.shape };
}

/** What the flags can know of the scenario before it loads: the built-ins and definition objects. */
function knownScenarioLoad(ref: string | ScenarioDefinition): ScenarioLoad | undefined {
  if (typeof ref === 'object') return scenarioLoad(ref);
  if (ref === 'sdk') return { sdkRuns: true };
  if (ref === 'http' || ref === 'stress') return { sdkRuns: false };
  return undefined;
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
  const [lo, hi = lo, extra] = w.split('-');
  let minS: number, maxS: number;
  try {
    if (extra !== undefined) throw new Error('three parts');
    minS = parseDuration(lo, '--wait');
    maxS = parseDuration(hi, '--wait');
  } catch {
    throw new SimUsageError(`--wait must be 0, a duration such as 1s, or a range such as 100ms-500ms, got "${w}".`);
  }
  if (maxS < minS) throw new SimUsageError(`--wait needs min ≤ max, got "${w}".`);
  return { minS, maxS };
}

/** `--out NAME=ARG` values → specs; an unknown name or a missing argument is a usage error. */
function parseStreams(out: readonly string[] | undefined): StreamSpec[] {
  return (out ?? []).map((text) => {
    const spec = parseStreamSpec(text);
    if (typeof spec === 'string') throw new SimUsageError(`${spec}.`);
    return spec;
  });
}

/** Tags as Locust takes them: space- or comma-separated, repeatable; empty strings dropped. */
function tagList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/[\s,]+/)).filter((t) => t !== '');
}
