/**
 * What the simulator needs from the metrics recorder to record one sample. The Recorder of
 * src/metrics satisfies it; the name of an entry is `${method} ${route}` (Locust's Type + Name).
 */
export interface StatsSink {
  record(method: string, route: string, durationMs: number, ok: boolean, bytes?: number, error?: string): void;
}

/** Entry methods that are not HTTP requests (SDK call timings, end-to-end delays, task crashes). */
export const NON_HTTP_METHODS = new Set(['SDK', 'E2E', 'TASK', '']);

/** Entry of the SDK's enqueue time for run.log(): reported, never judged. */
export const SDK_LOG_ENTRY = { method: 'SDK', route: 'run.log (metrics)' } as const;
/** Entry of the SDK's enqueue time for run._log(data, step, t): reported, never judged. */
export const SDK_EXPLICIT_LOG_ENTRY = { method: 'SDK', route: 'run._log (explicit step)' } as const;
/** Each record's delay from log() to the 2xx that carried it (SDK observer's onRecord). */
export const E2E_ENTRY = { method: 'E2E', route: 'log→ack' } as const;
export const E2E_ENTRY_NAME = `${E2E_ENTRY.method} ${E2E_ENTRY.route}`;
/** The judged aggregate of every HTTP request the SDK made. */
export const SDK_HTTP_GROUP = 'SDK HTTP (all)';
export const AGGREGATED = 'Aggregated';
