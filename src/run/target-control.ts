/**
 * Talks to the target outside the load: reachability and key checks at start, detection of the
 * reference server (`GET /_sim/stats`), its control routes, and `/health/dlq`.
 * Messages never contain the key.
 */
import { displayUrl } from '../core/display-url.js';
import type { Agent } from 'undici';
import type { DlqHealth } from '../metrics/result.js';
import { SimTargetError, describeNetworkError } from '../core/errors.js';

const CONTROL_TIMEOUT_MS = 10_000;
const KEY_CHECK_ATTEMPTS = 5;

export interface ControlResponse {
  status: number;
  text: string;
}

export { displayUrl };

export class TargetControl {
  /** Made with the first call: a worker process, whose coordinator checked the target, never loads undici. */
  private agent: Promise<Agent> | undefined;
  private controlKey: string | undefined;

  /**
   * Sends `key` as Bearer on the control routes (`/_sim/*`) from now on: a reference server bound
   * off loopback (`serve --host 0.0.0.0 --key K`) answers them only with a key it accepts
   * (docs/server.md "Off loopback"). Other routes carry only the headers their caller gives.
   */
  authorize(key: string): void {
    this.controlKey = key || undefined;
  }

  async call(base: string, method: 'GET' | 'POST', path: string, headers?: Record<string, string>, body?: string): Promise<ControlResponse> {
    const url = new URL(path, base.endsWith('/') ? base : base + '/');
    if (this.controlKey && url.pathname.includes('/_sim/')) headers = { authorization: `Bearer ${this.controlKey}`, ...headers };
    this.agent ??= import('undici').then(({ Agent }) => new Agent({ connections: 2, keepAliveTimeout: 1_000 }));
    const res = await (await this.agent).request({
      origin: url.origin,
      path: url.pathname + url.search,
      method,
      headers,
      body,
      headersTimeout: CONTROL_TIMEOUT_MS,
      bodyTimeout: CONTROL_TIMEOUT_MS,
    });
    return { status: res.statusCode, text: await res.body.text() };
  }

  /** Throws SimTargetError(`cannot reach <url> (<reason>).`) when no HTTP answer comes back. */
  async assertReachable(base: string): Promise<void> {
    try {
      await this.call(base, 'GET', 'health');
    } catch (err) {
      throw new SimTargetError(`cannot reach ${displayUrl(base)} (${describeNetworkError(err)}).`);
    }
  }

  /** True when the target answers `GET /_sim/stats` as mlop-sim's reference server. */
  async isReferenceServer(base: string): Promise<boolean> {
    try {
      const res = await this.call(base, 'GET', '_sim/stats');
      if (res.status !== 200) return false;
      return (JSON.parse(res.text) as { server?: string }).server === 'mlop-sim-reference';
    } catch {
      return false;
    }
  }

  /**
   * Checks the key against the ingest: an empty POST to /ingest/metrics answers 200 "0 records"
   * with a valid key and 422 "Invalid API key" otherwise; no rows are written (docs/protocol/ingest.md §1.7).
   */
  async assertIngestKeyAccepted(base: string, key: string, project: string): Promise<void> {
    let res: ControlResponse;
    const headers = {
      authorization: `Bearer ${key}`,
      'x-run-id': '0',
      'x-project-name': project,
      'content-type': 'application/x-ndjson',
    };
    // A server error says nothing about the key (a fault, an overloaded target): ask again a
    // few times, then let the load start and the stats show the errors.
    for (let attempt = 1; ; attempt++) {
      try {
        res = await this.call(base, 'POST', 'ingest/metrics', headers, '');
      } catch (err) {
        // A reset after /health answered is a flaky (or fault-injected) target, not an unreachable one.
        const reason = describeNetworkError(err);
        if (reason === 'connection reset' && attempt < KEY_CHECK_ATTEMPTS) continue;
        if (reason === 'connection reset') return;
        throw new SimTargetError(`cannot reach ${displayUrl(base)} (${reason}).`);
      }
      const serverError = res.status >= 500 || res.status === 429;
      if (!serverError) break;
      if (attempt >= KEY_CHECK_ATTEMPTS) return;
    }
    if (res.status >= 200 && res.status < 300) return;
    if (res.status === 422 || res.status === 401 || res.status === 403) {
      throw new SimTargetError(`${displayUrl(base)} rejected the API key (${serverReason(res, key)}).`);
    }
    throw new SimTargetError(`${displayUrl(base)} does not look like an mlop ingest service (POST /ingest/metrics answered ${res.status}).`);
  }

  /** `GET /health/dlq` (docs/protocol/ingest.md §3.5), or undefined when the target has none. */
  async readDlq(base: string): Promise<DlqHealth | undefined> {
    try {
      const res = await this.call(base, 'GET', 'health/dlq');
      if (res.status !== 200) return undefined;
      const j = JSON.parse(res.text) as Partial<DlqHealth>;
      if (typeof j.batches_pending !== 'number') return undefined;
      return { batches_pending: j.batches_pending, records_pending: j.records_pending ?? 0, disk_usage_mb: j.disk_usage_mb ?? 0 };
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await (await this.agent)?.close().catch(() => undefined);
  }
}

/** The server's message from an error body, scrubbed of the key, or the status. */
function serverReason(res: ControlResponse, key: string): string {
  let msg = `HTTP ${res.status}`;
  try {
    const j = JSON.parse(res.text) as { message?: string; error?: string };
    const m = j.message ?? j.error;
    if (typeof m === 'string' && m) msg = m.split(': ').pop() ?? m;
  } catch {
    /* not JSON: keep the status */
  }
  return key ? msg.split(key).join('***') : msg;
}
