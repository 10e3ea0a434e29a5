import type { Dispatcher } from 'undici';
import type { SdkObserver } from './observer.js';

/** User-facing settings (docs/protocol/sdk.md §1). Every field is optional. */
export interface Settings {
  host?: string;
  url_app?: string;
  url_api?: string;
  url_ingest?: string;
  url_py?: string;
  _auth?: string;
  project?: string;
  /** Package tag, sent as User-Agent (§1.4): 'pluto'. */
  tag?: string;
  observer?: SdkObserver;
  dispatcher?: Dispatcher;
  disable_system_metrics?: boolean;
  disable_console?: boolean;
  sanitize_logs?: boolean;
  /** Sync loop period in seconds (§1.4: 1.0). */
  sync_process_flush_interval?: number;
  /** Records per sync cycle (§8.4: 100). */
  sync_process_batch_size?: number;
  /** Files per sync cycle (§8.4: 10). */
  sync_process_file_batch_size?: number;
  /** Attempts per upload and failed cycles before a record is FAILED (§8.5: 5). */
  sync_process_retry_max?: number;
  /** Backoff base: sleep min(base**attempt, 60) s (§8.5: 2.0). */
  sync_process_retry_backoff?: number;
  /** finish() drain budget in seconds (§10.2: 30). */
  sync_process_shutdown_timeout?: number;
  /** Upload request timeout in seconds (§1.4 hard-coded: 30). */
  sync_process_request_timeout?: number;
  /** Health line period in seconds (§8.3: 60). */
  sync_process_health_interval?: number;
  /** System metrics and heartbeat period in seconds (§1.4: 4). */
  x_sys_sampling_interval?: number;
  /** API retries (§9): attempts = this + 1 (4 → 5 attempts). */
  x_file_stream_retry_max?: number;
  x_file_stream_retry_wait_min_seconds?: number;
  x_file_stream_retry_wait_max_seconds?: number;
  /** API request timeout in seconds (§1.4: 32). */
  x_file_stream_timeout_seconds?: number;
  /** Console buffer: flush at this many lines or this many seconds (§12: 50, 0.2). */
  x_console_flush_lines?: number;
  x_console_flush_seconds?: number;
  /**
   * SDK log level (Python x_log_level, default 16): at ≤ 20 (INFO) the SDK's start-up lines are
   * emitted and, with console capture on, uploaded as the run's stderr lines.
   */
  x_log_level?: number;
  /**
   * `run._log(data, step, t)` uploads its values like log() (default true, what the seed's load
   * test meant). false behaves like pluto 0.0.28, whose `_log` sends nothing (real-sdk captures):
   * for load equivalent to that SDK. Not a Python setting.
   */
  x_explicit_log_upload?: boolean;
  /**
   * Seconds from the run's start until its sync loop starts (the real SDK spawns a Python sync
   * process first); the first upload comes one flush interval later. A number, or [min, max] for
   * a uniform draw per run. Default [0.35, 0.65]: pluto 0.0.28's first upload comes 1.35–1.65 s
   * after /api/runs/create (docs/protocol/sdk.md §8.3). Not a Python setting.
   */
  x_sync_start_delay_seconds?: number | readonly [number, number];
  /**
   * Multiplies every retry sleep (API, sync uploader, storage PUT). 1 = the spec's waits.
   * Tests set it small; not a Python setting.
   */
  x_retry_wait_scale?: number;
}

export interface Endpoints {
  login: string;
  start: string;
  resume: string;
  stop: string;
  meta: string;
  updateTags: string;
  updateConfig: string;
  num: string;
  data: string;
  file: string;
  message: string;
  trigger: string;
}

export interface ResolvedSettings {
  url_app: string;
  url_api: string;
  url_ingest: string;
  url_py: string;
  url_token: string;
  endpoints: Endpoints;
  _auth: string | null;
  project: string;
  tag: string;
  observer: SdkObserver | undefined;
  dispatcher: Dispatcher | undefined;
  disable_system_metrics: boolean;
  disable_console: boolean;
  sanitize_logs: boolean;
  sync_process_flush_interval: number;
  sync_process_batch_size: number;
  sync_process_file_batch_size: number;
  sync_process_retry_max: number;
  sync_process_retry_backoff: number;
  sync_process_shutdown_timeout: number;
  sync_process_request_timeout: number;
  sync_process_health_interval: number;
  x_sys_sampling_interval: number;
  x_file_stream_retry_max: number;
  x_file_stream_retry_wait_min_seconds: number;
  x_file_stream_retry_wait_max_seconds: number;
  x_file_stream_timeout_seconds: number;
  x_console_flush_lines: number;
  x_console_flush_seconds: number;
  x_retry_wait_scale: number;
  x_log_level: number;
  x_explicit_log_upload: boolean;
  /** [min, max] seconds; min === max for a fixed delay. */
  x_sync_start_delay_seconds: readonly [number, number];
  /** RANK env var: console lines are prefixed `[rank{RANK}] ` (§12). */
  rank: string | null;
  /** Run id from PLUTO_RUN_ID / MLOP_RUN_ID (§1.3), used when init() gets none. */
  envRunId: string | null;
}

/** v2 hosted defaults (§1.1). */
const HOSTED = {
  url_app: 'https://pluto.trainy.ai',
  url_api: 'https://pluto-api.trainy.ai',
  url_ingest: 'https://pluto-ingest.trainy.ai',
  url_py: 'https://pluto-py.trainy.ai',
} as const;

/** host → ports 3000/3001/3003/3004 (§1.1). */
const HOST_PORTS = { url_app: 3000, url_api: 3001, url_ingest: 3003, url_py: 3004 } as const;

type UrlField = keyof typeof HOSTED;
const URL_FIELDS: UrlField[] = ['url_app', 'url_api', 'url_ingest', 'url_py'];

/** PLUTO_* with the deprecated MLOP_* fallback (§1.3). */
function envOf(env: NodeJS.ProcessEnv, pluto: string, mlop: string): string | undefined {
  const v = env[pluto];
  if (v !== undefined && v !== '') return v;
  const m = env[mlop];
  return m !== undefined && m !== '' ? m : undefined;
}

function stripSlash(u: string): string {
  return u.endsWith('/') ? u.slice(0, -1) : u;
}

function positive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new TypeError(`Setting ${name} must be a non-negative number.`);
  }
  return v;
}

/**
 * Resolve settings: explicit > env > default (§1.3). Each explicit url_* field wins on its own
 * and does not reset the others (a documented fix of the Python quirk in §1.1); otherwise
 * `host` derives all four, else PLUTO_URL_* / MLOP_URL_*, else the hosted defaults.
 */
export function resolveSettings(partial: Settings = {}, env: NodeJS.ProcessEnv = process.env): ResolvedSettings {
  const tag = partial.tag ?? 'pluto';
  const urls = {} as Record<UrlField, string>;
  for (const f of URL_FIELDS) {
    const explicit = partial[f];
    let v: string;
    if (explicit !== undefined && explicit !== '') v = explicit;
    else if (partial.host) v = `http://${partial.host}:${HOST_PORTS[f]}`;
    else v = envOf(env, `PLUTO_${f.toUpperCase()}`, `MLOP_${f.toUpperCase()}`) ?? HOSTED[f];
    urls[f] = stripSlash(v);
  }
  const api = urls.url_api;
  const ingest = urls.url_ingest;
  const py = urls.url_py;
  // §1.1 derived endpoint table (v2).
  const endpoints: Endpoints = {
    login: `${api}/api/slug`,
    start: `${api}/api/runs/create`,
    resume: `${api}/api/runs/resume`,
    stop: `${api}/api/runs/status/update`,
    meta: `${api}/api/runs/logName/add`,
    updateTags: `${api}/api/runs/tags/update`,
    updateConfig: `${api}/api/runs/config/update`,
    num: `${ingest}/ingest/metrics`,
    data: `${ingest}/ingest/data`,
    file: `${ingest}/files`,
    message: `${ingest}/ingest/logs`,
    trigger: `${py}/api/runs/trigger`,
  };
  const sanitizeEnv = env.PLUTO_SANITIZE_LOGS;
  const sanitizeFromEnv =
    sanitizeEnv === undefined ? undefined : !['0', 'false', 'no'].includes(sanitizeEnv.toLowerCase());
  return {
    ...urls,
    url_token: `${urls.url_app}/api-keys`,
    endpoints,
    _auth: partial._auth ?? envOf(env, 'PLUTO_API_KEY', 'MLOP_API_TOKEN') ?? null,
    project: partial.project ?? envOf(env, 'PLUTO_PROJECT', 'MLOP_PROJECT') ?? tag,
    tag,
    observer: partial.observer,
    dispatcher: partial.dispatcher,
    disable_system_metrics: partial.disable_system_metrics ?? false,
    disable_console: partial.disable_console ?? false,
    sanitize_logs: partial.sanitize_logs ?? sanitizeFromEnv ?? true,
    sync_process_flush_interval: positive('sync_process_flush_interval', partial.sync_process_flush_interval, 1.0),
    sync_process_batch_size: Math.max(1, positive('sync_process_batch_size', partial.sync_process_batch_size, 100)),
    sync_process_file_batch_size: Math.max(1, positive('sync_process_file_batch_size', partial.sync_process_file_batch_size, 10)),
    sync_process_retry_max: Math.max(1, positive('sync_process_retry_max', partial.sync_process_retry_max, 5)),
    sync_process_retry_backoff: positive('sync_process_retry_backoff', partial.sync_process_retry_backoff, 2.0),
    sync_process_shutdown_timeout: positive('sync_process_shutdown_timeout', partial.sync_process_shutdown_timeout, 30.0),
    sync_process_request_timeout: positive('sync_process_request_timeout', partial.sync_process_request_timeout, 30.0),
    sync_process_health_interval: positive('sync_process_health_interval', partial.sync_process_health_interval, 60.0),
    x_sys_sampling_interval: positive('x_sys_sampling_interval', partial.x_sys_sampling_interval, 4),
    x_file_stream_retry_max: positive('x_file_stream_retry_max', partial.x_file_stream_retry_max, 4),
    x_file_stream_retry_wait_min_seconds: positive('x_file_stream_retry_wait_min_seconds', partial.x_file_stream_retry_wait_min_seconds, 0.5),
    x_file_stream_retry_wait_max_seconds: positive('x_file_stream_retry_wait_max_seconds', partial.x_file_stream_retry_wait_max_seconds, 2),
    x_file_stream_timeout_seconds: positive('x_file_stream_timeout_seconds', partial.x_file_stream_timeout_seconds, 32),
    x_console_flush_lines: Math.max(1, positive('x_console_flush_lines', partial.x_console_flush_lines, 50)),
    x_console_flush_seconds: positive('x_console_flush_seconds', partial.x_console_flush_seconds, 0.2),
    x_retry_wait_scale: positive('x_retry_wait_scale', partial.x_retry_wait_scale, 1),
    x_log_level: positive('x_log_level', partial.x_log_level, 16),
    x_explicit_log_upload: partial.x_explicit_log_upload ?? true,
    x_sync_start_delay_seconds: delayRange(partial.x_sync_start_delay_seconds),
    rank: env.RANK ?? null,
    envRunId: envOf(env, 'PLUTO_RUN_ID', 'MLOP_RUN_ID') ?? null,
  };
}

/** Default start-up delay of the sync loop, seconds (docs/protocol/sdk.md §8.3). */
export const SYNC_START_DELAY_S: readonly [number, number] = [0.35, 0.65];

function delayRange(v: number | readonly [number, number] | undefined): readonly [number, number] {
  if (v === undefined) return SYNC_START_DELAY_S;
  if (typeof v === 'number') {
    const d = positive('x_sync_start_delay_seconds', v, 0);
    return [d, d];
  }
  if (!Array.isArray(v) || v.length !== 2) throw new TypeError('Setting x_sync_start_delay_seconds must be a number or [min, max].');
  const lo = positive('x_sync_start_delay_seconds', v[0], 0);
  const hi = positive('x_sync_start_delay_seconds', v[1], 0);
  if (hi < lo) throw new TypeError('Setting x_sync_start_delay_seconds must be [min, max] with min ≤ max.');
  return [lo, hi];
}

/**
 * The settings snapshot sent as `loggerSettings` (§3.3): the non-underscore, non-object
 * settings with the keys and order the real SDK sends (captured, main.jsonl).
 */
export function loggerSettingsSnapshot(s: ResolvedSettings): Record<string, unknown> {
  return {
    tag: s.tag, dir: process.cwd(), compat: {}, project: s.project, mode: 'perf', meta: [],
    disable_store: true, disable_iface: false, disable_progress: true,
    disable_console: s.disable_console, disable_system_metrics: s.disable_system_metrics,
    sanitize_logs: s.sanitize_logs, x_console_fd_capture: false,
    store_db: 'store.db', store_table_num: 'num', store_table_file: 'file', store_max_size: 16384,
    store_aggregate_interval: 0.5, insecure_disable_ssl: false, x_log_level: s.x_log_level,
    x_internal_check_process: 1, x_file_stream_retry_max: s.x_file_stream_retry_max,
    x_file_stream_retry_wait_min_seconds: s.x_file_stream_retry_wait_min_seconds,
    x_file_stream_retry_wait_max_seconds: s.x_file_stream_retry_wait_max_seconds,
    x_file_stream_timeout_seconds: s.x_file_stream_timeout_seconds, x_file_stream_max_conn: 32,
    x_file_stream_max_size: 262144, x_file_stream_transmit_interval: 8,
    x_sys_sampling_interval: s.x_sys_sampling_interval, x_sys_label: 'sys',
    x_thread_join_timeout_seconds: 30, x_sigterm_status_enabled: false,
    x_sigterm_status_timeout_seconds: 5.0, x_grad_label: 'grad', x_param_label: 'param',
    pluto_version: '0.0.28', pluto_commit: 'sdk-ts',
    sync_process_enabled: true,
    sync_process_flush_interval: s.sync_process_flush_interval,
    sync_process_shutdown_timeout: s.sync_process_shutdown_timeout,
    sync_process_orphan_timeout: 10.0,
    sync_process_retry_max: s.sync_process_retry_max,
    sync_process_retry_backoff: s.sync_process_retry_backoff,
    sync_process_batch_size: s.sync_process_batch_size,
    sync_process_file_batch_size: s.sync_process_file_batch_size,
  };
}
