import type { Dispatcher } from 'undici';
import type { SdkObserver } from '../observer.js';
import type { ResolvedSettings } from '../settings.js';
import { sendOnce, type HttpRequest, type HttpResponse } from './transport.js';

/** Statuses retried although 4xx (docs/protocol/sdk.md §8.5, §9: iface.RETRYABLE_STATUS_CODES). */
const RETRYABLE_4XX = new Set([401, 408, 429]);

export interface RetryPolicy {
  attempts: number;
  timeoutMs: number;
  /** Sleep after failed attempt i (0-based), ms. */
  waitMs(i: number): number;
  /** 200/201 only (§9) or any 2xx (§8.5 raise_for_status). */
  strictSuccess: boolean;
  /** §9: connection resets end the call without retry unless set (status update sets it). */
  retryResets: boolean;
  /** Keep the event loop alive while sleeping (a caller awaits the result). */
  refSleep: boolean;
}

export type Outcome =
  | { ok: true; status: number; body: string }
  | { ok: false; status: number | null; body: string; error: string; permanent: boolean; failure?: string };

export function sleep(ms: number, ref: boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (!ref) t.unref();
  });
}

/** §9 ServerInterface._try: 5 attempts, sleeps min(0.5·2^(i+1), 2) s → 1, 2, 2, 2; 32 s timeout. */
export function apiPolicy(s: ResolvedSettings, opts: { retryResets?: boolean } = {}): RetryPolicy {
  const scale = s.x_retry_wait_scale * 1000;
  return {
    attempts: s.x_file_stream_retry_max + 1,
    timeoutMs: s.x_file_stream_timeout_seconds * 1000,
    waitMs: (i) => Math.min(s.x_file_stream_retry_wait_min_seconds * 2 ** (i + 1), s.x_file_stream_retry_wait_max_seconds) * scale,
    strictSuccess: true,
    retryResets: opts.retryResets ?? false,
    refSleep: true,
  };
}

/** §8.5 _post_with_retry: 5 attempts, sleeps min(2^i, 60) s → 1, 2, 4, 8; 30 s; urgent: 1 try, 5 s. */
export function syncPolicy(s: ResolvedSettings, urgent: boolean): RetryPolicy {
  const scale = s.x_retry_wait_scale * 1000;
  return {
    attempts: urgent ? 1 : s.sync_process_retry_max,
    timeoutMs: urgent ? 5_000 : s.sync_process_request_timeout * 1000,
    waitMs: (i) => Math.min(s.sync_process_retry_backoff ** i, 60) * scale,
    strictSuccess: false,
    retryResets: true,
    refSleep: urgent,
  };
}

/** §8.5 storage PUT: 4 attempts (urgent 2), sleeps min(2^i, 10) s; 120 s timeout (urgent 5 s). */
export function storagePolicy(s: ResolvedSettings, urgent: boolean): RetryPolicy {
  const scale = s.x_retry_wait_scale * 1000;
  return {
    attempts: urgent ? 2 : 4,
    timeoutMs: urgent ? 5_000 : 120_000,
    waitMs: (i) => Math.min(2 ** i, 10) * scale,
    strictSuccess: true,
    retryResets: true,
    refSleep: urgent,
  };
}

/** One attempt, fixed timeout: login (httpx default 5 s), heartbeat (§9: 5 s), presign (§8.5). */
export function singlePolicy(timeoutMs: number): RetryPolicy {
  return { attempts: 1, timeoutMs, waitMs: () => 0, strictSuccess: false, retryResets: false, refSleep: false };
}

function isSuccess(status: number, strict: boolean): boolean {
  return strict ? status === 200 || status === 201 : status >= 200 && status < 300;
}

/** Server error text for messages: body `error`, else `message`, else raw text (§3.6). */
export function serverReason(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON
  }
  return body.slice(0, 200);
}

/** Send with a retry policy. Never throws; the outcome says whether the failure is permanent. */
export async function sendWithRetry(
  dispatcher: Dispatcher,
  observer: SdkObserver | undefined,
  policy: RetryPolicy,
  req: Omit<HttpRequest, 'attempt' | 'timeoutMs'>,
): Promise<Outcome> {
  let last: HttpResponse = { status: null, body: '', error: 'not sent' };
  for (let i = 0; i < policy.attempts; i++) {
    last = await sendOnce(dispatcher, observer, { ...req, timeoutMs: policy.timeoutMs, attempt: i + 1 });
    const st = last.status;
    if (st !== null) {
      if (isSuccess(st, policy.strictSuccess)) return { ok: true, status: st, body: last.body };
      if (st >= 400 && st < 500 && !RETRYABLE_4XX.has(st)) {
        return { ok: false, status: st, body: last.body, error: `HTTP ${st}: ${serverReason(last.body)}`, permanent: true };
      }
    } else if (last.failure === 'reset' && !policy.retryResets) {
      return { ok: false, status: null, body: '', error: last.error ?? 'connection reset', permanent: false, failure: last.failure };
    }
    if (i + 1 < policy.attempts) await sleep(policy.waitMs(i), policy.refSleep);
  }
  const error = last.status !== null ? `HTTP ${last.status}: ${serverReason(last.body)}` : last.error ?? 'network error';
  return { ok: false, status: last.status, body: last.body, error, permanent: false, failure: last.failure };
}
