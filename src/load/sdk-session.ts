/**
 * The simulator's use of @mlop/sdk-ts: settings pointing at the target, an observer that feeds
 * the stats (the SDK's HTTP exchanges and each record's log→ack delay), and login + init of a
 * virtual user's run. The SDK knows nothing of the simulator; it only calls the observer.
 */
import { Data, File, init, login, SdkAuthError, type DeliveryCounts, type RecordSettled, type RequestExchange, type Run, type SdkObserver, type Settings } from '@mlop/sdk-ts';
import type { Dispatcher } from 'undici';
import type { StatsSink } from '../metrics/stats-sink.js';
import { E2E_CONSOLE_ENTRY, E2E_ENTRY, E2E_STARTUP_ENTRY, E2E_SYSTEM_ENTRY } from '../core/entry-names.js';

/** The SDK's delivery counts of one run (records logged, acked, FAILED, pending; rows acked). */
export type SdkDelivery = DeliveryCounts;
/** The longest string value the SDK logs as a string series (longer ones it skips). */
export { STRING_SERIES_MAX_LEN } from '@mlop/sdk-ts';

/** One record the SDK settled (acked or FAILED), as its observer reports it. */
export type SettledRecord = RecordSettled;

/** The part of the SDK's Run the simulator and scenario files use. */
export type SdkRun = Pick<Run, 'id' | 'name' | 'log' | '_log' | 'console' | 'delivery' | 'finish'>;

export interface SdkTarget {
  ingestUrl: string;
  apiUrl: string;
  key: string;
  /** Seconds finish() may wait for the queue to drain (the shutdown budget). */
  shutdownTimeoutS: number;
  /** Connection pool the SDK runs share (closed by the runner at the end). */
  dispatcher?: Dispatcher;
  /** System metrics, their names and the health line (the SDK's default: on). */
  systemMetrics?: boolean;
  /** Console capture: the SDK's start-up lines and the user's prints (the SDK's default: on). */
  console?: boolean;
  /** `run._log` uploads (the default); false: it sends nothing, like pluto 0.0.28. */
  explicitLogUpload?: boolean;
  /** Also told of every settled record (the storage audit's acked rows, the time-to-visible probe). */
  onRecordSettled?: (ev: RecordSettled) => void;
  /** Told of each run once init() returned it. */
  onRunStarted?: (run: SdkRun) => void;
}

/**
 * The SDK observer that records every HTTP exchange and every settled record: the job's own
 * records as `E2E log→ack` (judged) — or `E2E log→ack (sync start-up)` when logged before the
 * run's sync loop started —, console lines as `E2E console→ack`, system samples as
 * `E2E system→ack`.
 */
export function statsObserver(stats: StatsSink, onRecordSettled?: (ev: RecordSettled) => void): SdkObserver {
  return {
    onRequest(ev: RequestExchange): void {
      const status = ev.status ?? 0;
      const ok = ev.error == null && status >= 200 && status < 300;
      const error = ok ? undefined : ev.error != null ? errorText(ev.error) : `HTTP ${status}`;
      stats.record(ev.method, ev.route, ev.durationMs, ok, ev.responseBytes, error);
    },
    onRecord(ev: RecordSettled): void {
      const ok = ev.status === 'acked';
      const error = ok ? undefined : ev.error != null ? errorText(ev.error) : 'record FAILED';
      const entry = ev.kind === 'console' ? E2E_CONSOLE_ENTRY
        : ev.kind === 'system' ? E2E_SYSTEM_ENTRY
          : ev.beforeSyncStart ? E2E_STARTUP_ENTRY : E2E_ENTRY;
      stats.record(entry.method, entry.route, ev.settledAt - ev.loggedAt, ok, ev.rows, error);
      onRecordSettled?.(ev);
    },
  };
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * SDK settings for a target: a training job with the SDK's defaults (heartbeat and system
 * metrics every 4 s, the 60 s health line, console capture) unless the target turns system
 * metrics or the console off. The system sampler is shared by every run in the process (values
 * are shared, requests are per run); the SDK never prints its start-up lines, it only uploads them.
 */
export function sdkSettings(target: SdkTarget, stats: StatsSink | undefined): Settings {
  return {
    url_app: target.apiUrl,
    url_api: target.apiUrl,
    url_ingest: target.ingestUrl,
    url_py: target.apiUrl,
    _auth: target.key,
    observer: stats ? statsObserver(stats, target.onRecordSettled) : undefined,
    disable_console: target.console === false,
    disable_system_metrics: target.systemMetrics === false,
    x_explicit_log_upload: target.explicitLogUpload !== false,
    sync_process_shutdown_timeout: target.shutdownTimeoutS,
    dispatcher: target.dispatcher,
  };
}

/** Checks the key with the SDK's login(); true when accepted, false on 401. */
export async function sdkKeyAccepted(target: SdkTarget): Promise<boolean> {
  try {
    await login(sdkSettings(target, undefined));
    return true;
  } catch (err) {
    if (err instanceof SdkAuthError) return false;
    throw err;
  }
}

export interface RunSpec {
  project: string;
  name: string;
  config: Record<string, unknown>;
}

/** login() then init(), as the seed's SDK user did (docs/protocol/load-test-suite.md §6.5). */
export async function startSdkRun(target: SdkTarget, stats: StatsSink, spec: RunSpec): Promise<SdkRun> {
  const settings = sdkSettings(target, stats);
  await login(settings);
  const run = await init({ project: spec.project, name: spec.name, config: spec.config, settings });
  target.onRunStarted?.(run);
  return run;
}

/** An SDK structured value (`Data`, dataType DATA) carrying this text (a replayed job's data lines). */
export function sdkDataValue(text: string): unknown {
  return new Data({ text });
}

/** An SDK file value of these bytes, uploaded under `name` (a replayed job's file uploads). */
export function sdkFileValue(bytes: Uint8Array, name: string, ext: string): unknown {
  return new File(bytes, { name, ext });
}
