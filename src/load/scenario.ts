/**
 * What a scenario is: weighted tasks a virtual user loops over, a wait between tasks, hooks at
 * start and stop, and a context with the user's seeded random source, an HTTP client that
 * records into the stats, and (when asked for) an SDK run. The built-in `sdk`, `http` and
 * `stress` scenarios are written with it, and so is a user's scenario file (our locustfile).
 */
import type { RandomSource } from '../core/random.js';
import type { ScenarioHttpClient } from '../transport/http-client.js';
import type { SdkRun } from './sdk-session.js';

export interface ScenarioContext {
  /** 1-based index of this virtual user. */
  readonly userIndex: number;
  /** This user's seeded random source (repeatable with --seed). */
  readonly random: RandomSource;
  /** Posts to the ingest origin with Authorization, X-Run-Id, X-Project-Name and NDJSON content type preset. */
  readonly http: ScenarioHttpClient;
  /** Posts to the API origin (`--api-url`) with the same headers but JSON content type. */
  readonly api: ScenarioHttpClient;
  /** The user's SDK run, present when the scenario sets `sdk`. */
  readonly run: SdkRun | undefined;
  /** The numeric run id this user's raw HTTP posts carry (seed rule: epoch ms + a per-user offset). */
  readonly runId: string;
  /** Project name sent in X-Project-Name (default `load-test-project`). */
  readonly project: string;
  /** Aborted when the user is told to stop; pass it to long waits. */
  readonly signal: AbortSignal;
  /** Per-user scratch space (step counters and the like). */
  readonly state: Record<string, unknown>;
  /** Records one custom sample into the stats as entry `${method} ${route}`. */
  record(method: string, route: string, durationMs: number, ok: boolean, bytes?: number, error?: string): void;
}

export interface TaskDefinition {
  name: string;
  /** Relative weight, like Locust's @task(weight). Must be > 0. */
  weight: number;
  /** Locust's @tag(...): `--tags` runs only tasks with one of the given tags, `--exclude-tags` leaves them out. */
  tags?: string[];
  run(ctx: ScenarioContext): void | Promise<void>;
}

export interface SdkRunOptions {
  /** Default `load-test-project`. */
  project?: string;
  /** Default `load-test-run-<userIndex>`. */
  runName?: (userIndex: number) => string;
  /** Run config; default `{test_type: "load_test", target_rps: 1000}` like the seed. */
  config?: Record<string, unknown>;
}

/** A stage of the scenario's own load: `{duration: '1m', target: 50}` (users) or `target: '50/s'` (a rate). */
export interface StageSpec {
  duration: string | number;
  target: number | string;
}

/** What a load shape returns each second: closed-model users, an arrival rate, or null to stop. */
export type ShapeTick = { users: number; spawnRate?: number } | { rate: number } | null;
/** Locust's LoadTestShape.tick(): called about once a second with the seconds since the start. */
export type LoadShape = (now: { elapsedS: number }) => ShapeTick | Promise<ShapeTick>;

export interface ScenarioDefinition {
  name: string;
  description?: string;
  tasks: TaskDefinition[];
  /** Seconds between tasks, uniform in [minS, maxS] (Locust's between()). Default 0.1–0.5. */
  wait?: { minS: number; maxS: number };
  /** Give each user an SDK run (login + init at start, finish at stop). */
  sdk?: boolean | SdkRunOptions;
  /**
   * Which entries the gates judge: `aggregated` (all entries) or `sdk` (`E2E log→ack` and
   * `SDK HTTP (all)`). Default: `sdk` when the scenario uses an SDK run, else `aggregated`.
   */
  judge?: 'aggregated' | 'sdk';
  /** False for report-only scenarios (stress): gates are reported but never fail the build. */
  failsBuild?: boolean;
  /** Adds the stress test's capacity assessment and stress_test_results.json. */
  capacityAssessment?: boolean;
  /** The scenario's own stages (used when no --stage or --arrival-rate is given; docs/cli.md "Load models"). */
  stages?: StageSpec[];
  /** The scenario's load shape (Locust's LoadTestShape); wins over `stages`, loses to the flags. */
  shape?: LoadShape;
  onStart?(ctx: ScenarioContext): void | Promise<void>;
  onStop?(ctx: ScenarioContext): void | Promise<void>;
}

/** Marks a scenario file's export; returns the definition unchanged (typed for editors). */
export function defineScenario(def: ScenarioDefinition): ScenarioDefinition {
  return def;
}

export const DEFAULT_WAIT = { minS: 0.1, maxS: 0.5 } as const;
export const DEFAULT_PROJECT = 'load-test-project';

/** Whether the scenario's users each drive an SDK run. */
export function usesSdk(def: ScenarioDefinition): boolean {
  return def.sdk !== undefined && def.sdk !== false;
}

/** The project the scenario's SDK runs log to. */
export function sdkProject(def: ScenarioDefinition): string {
  return (typeof def.sdk === 'object' ? def.sdk.project : undefined) ?? DEFAULT_PROJECT;
}

/** Checks a definition's shape; returns a sentence describing the first problem, or undefined. */
export function scenarioProblem(def: unknown): string | undefined {
  if (!def || typeof def !== 'object') return 'it does not export a scenario (use `export default defineScenario({...})`)';
  const d = def as Partial<ScenarioDefinition>;
  if (typeof d.name !== 'string' || d.name === '') return 'the scenario has no name';
  if (!Array.isArray(d.tasks) || d.tasks.length === 0) return 'the scenario has no tasks';
  for (const t of d.tasks) {
    if (!t || typeof t.run !== 'function') return 'every task needs a run(ctx) function';
    if (typeof t.weight !== 'number' || !(t.weight > 0)) return `task "${String(t.name)}" needs a weight above 0`;
    if (t.tags !== undefined && !(Array.isArray(t.tags) && t.tags.every((x) => typeof x === 'string'))) return `task "${String(t.name)}" needs tags as a list of strings`;
  }
  if (d.wait && !(d.wait.minS >= 0 && d.wait.maxS >= d.wait.minS)) return 'wait needs 0 ≤ minS ≤ maxS';
  if (d.shape !== undefined && typeof d.shape !== 'function') return 'shape must be a function returning {users, spawnRate}, {rate} or null';
  if (d.stages !== undefined && (!Array.isArray(d.stages) || d.stages.some((st) => !st || typeof st !== 'object' || !('duration' in st) || !('target' in st)))) {
    return 'stages must be a list of {duration, target}';
  }
  return undefined;
}
