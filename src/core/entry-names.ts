/**
 * The names of the entries the simulator records and judges, said once (docs/cli.md "Which
 * entries are judged"). An entry's name is `${method} ${route}` (Locust's Type + Name).
 */

/** Entry methods that are not HTTP requests (SDK call timings, end-to-end delays, task crashes). */
export const NON_HTTP_METHODS: ReadonlySet<string> = new Set(['SDK', 'E2E', 'TASK', 'ITERATION', '']);

/** Entry of the SDK's enqueue time for run.log(): reported, never judged. */
export const SDK_LOG_ENTRY = { method: 'SDK', route: 'run.log (metrics)' } as const;
/** Entry of the SDK's enqueue time for run._log(data, step, t): reported, never judged. */
export const SDK_EXPLICIT_LOG_ENTRY = { method: 'SDK', route: 'run._log (explicit step)' } as const;
/**
 * Each record's delay from log() to the 2xx that carried it (SDK observer's onRecord): the
 * records of the job's own log() calls (metrics, data, files) logged once the run's sync loop
 * runs. This is the judged entry.
 */
export const E2E_ENTRY = { method: 'E2E', route: 'log→ack' } as const;
/** The same for records logged before the run's sync loop started (they also wait for its start-up, docs/protocol/sdk.md §8.3). */
export const E2E_STARTUP_ENTRY = { method: 'E2E', route: 'log→ack (sync start-up)' } as const;
/** Console lines (the job's prints and the SDK's start-up lines) from write to ack. */
export const E2E_CONSOLE_ENTRY = { method: 'E2E', route: 'console→ack' } as const;
/** System metric samples and health lines from sampling to ack. */
export const E2E_SYSTEM_ENTRY = { method: 'E2E', route: 'system→ack' } as const;
export const E2E_ENTRY_NAME = `${E2E_ENTRY.method} ${E2E_ENTRY.route}`;
/** Sampled records' delay from log() until a query finds them in ClickHouse (--clickhouse-url). */
export const VISIBLE_ENTRY = { method: 'E2E', route: 'log→visible' } as const;
export const VISIBLE_ENTRY_NAME = `${VISIBLE_ENTRY.method} ${VISIBLE_ENTRY.route}`;
/** The judged aggregate of every HTTP request the SDK made. */
export const SDK_HTTP_GROUP = 'SDK HTTP (all)';
export const AGGREGATED = 'Aggregated';

/** True for entries that are HTTP requests (their method is not SDK, E2E, TASK or empty). */
export function isHttpEntry(name: string): boolean {
  return !NON_HTTP_METHODS.has(name.slice(0, name.indexOf(' ')));
}

/**
 * Open-model iterations (arrival-rate executors, docs/cli.md "Load models"): each iteration's
 * time from the moment a user actually started it (what Locust and k6 report) and from the
 * moment the schedule wanted it to start (wrk2's corrected latency, honest under overload), and
 * the iterations that were due but never started.
 */
export const ITERATION_METHOD = 'ITERATION';
export const ITERATION_ACTUAL_ENTRY = { method: ITERATION_METHOD, route: 'from actual start' } as const;
export const ITERATION_CORRECTED_ENTRY = { method: ITERATION_METHOD, route: 'from intended start (corrected)' } as const;
export const ITERATION_DROPPED_ENTRY = { method: ITERATION_METHOD, route: 'dropped' } as const;
export const ITERATION_ACTUAL_NAME = `${ITERATION_ACTUAL_ENTRY.method} ${ITERATION_ACTUAL_ENTRY.route}`;
export const ITERATION_CORRECTED_NAME = `${ITERATION_CORRECTED_ENTRY.method} ${ITERATION_CORRECTED_ENTRY.route}`;
export const ITERATION_DROPPED_NAME = `${ITERATION_DROPPED_ENTRY.method} ${ITERATION_DROPPED_ENTRY.route}`;
/** The failure message of a dropped iteration. */
export const DROPPED_MESSAGE = 'due but not started: no free user (dropped)';

/** True for the open-model iteration entries (kept out of `Aggregated`, which sums requests). */
export function isIterationEntry(name: string): boolean {
  return name.startsWith(`${ITERATION_METHOD} `);
}

/** True for one HTTP route's entry (`POST /ingest/metrics`), not an aggregate of several. */
export function isRouteEntry(name: string): boolean {
  return /^[A-Z]+ \//.test(name);
}
