/**
 * One request and its response, the exchange record of every transport: the HTTP/1.1 client
 * (as an Http1Request) and undici (as a dispatch handler) both drive it. It counts the body
 * bytes, keeps them only when they are wanted (failures, readBody), records itself into the
 * stats and resolves the caller's promise — in the settle queue, off the turn that times responses.
 */
import type { Dispatcher } from 'undici';
import { describeNetworkError } from '../core/errors.js';
import type { StatsSink } from '../metrics/stats-sink.js';
import type { Http1Request } from './http1/connection.js';
import { settleSoon, type Settleable } from './settle-queue.js';

/** Statuses the seed's locust users count as success (docs/protocol/load-test-suite.md §6.4). */
export const SEED_OK_STATUSES: ReadonlySet<number> = new Set([200, 201, 202]);

export type HeaderMap = Record<string, string>;

export interface HttpCallOptions {
  /** Extra or overriding headers. */
  headers?: HeaderMap;
  /** Entry route to record under (default: the path without its query string). */
  name?: string;
  /** Statuses counted as success (default 200, 201, 202). */
  okStatuses?: ReadonlySet<number>;
  /** Keep the response body text in the result (default: only on failure). */
  readBody?: boolean;
}

export interface HttpCallResult {
  status: number;
  ok: boolean;
  durationMs: number;
  /** Response body text when readBody was set or the call failed; '' otherwise. */
  body: string;
  /** Network error description when no response arrived. */
  error?: string;
}

const EMPTY = Buffer.alloc(0);

/**
 * One request/response, as an undici dispatch handler (https) or an Http1Request (http): counts
 * the body bytes and keeps them only when they are wanted (failures, readBody), with no stream
 * object per response; at the end it has its client record it and resolves the caller's promise.
 */
export class Exchange implements Dispatcher.DispatchHandler, Http1Request, Settleable {
  status = 0;
  durationMs = 0;
  bytes = 0;
  chunks: Buffer[] | null = null;
  error: Error | undefined = undefined;
  payload: Buffer = EMPTY;
  t0 = 0;
  resolve: (result: HttpCallResult) => void = ignore;
  reject: (err: unknown) => void = ignore;
  readonly okStatuses: ReadonlySet<number>;
  readonly noBody: boolean;

  constructor(
    private readonly stats: StatsSink,
    readonly method: string,
    readonly path: string,
    readonly opts: HttpCallOptions | undefined,
  ) {
    this.okStatuses = opts?.okStatuses ?? SEED_OK_STATUSES;
    this.noBody = method === 'HEAD';
  }

  // Http1Request
  onHead(status: number): void {
    this.status = status;
    this.bytes = 0;
    this.chunks = this.opts?.readBody === true || !this.okStatuses.has(status) ? [] : null;
  }

  onBody(buf: Buffer, start: number, end: number): void {
    this.bytes += end - start;
    // The buffer is the connections' shared read buffer: copy what is kept.
    if (this.chunks) this.chunks.push(Buffer.from(buf.subarray(start, end)));
  }

  /**
   * Takes the time only (`atMs`: when the read that completed the response began); recording
   * and the caller's continuation wait for the settle queue, after this turn's reads.
   */
  onEnd(atMs: number = performance.now()): void {
    this.durationMs = atMs - this.t0;
    settleSoon(this);
  }

  settle(): void {
    try {
      this.resolve(this.finish());
    } catch (err) {
      this.reject(err); // a throwing stats sink fails the caller, not the socket's read
    }
  }

  /** Records the exchange (its error, or its status and body) and returns what the caller sees. */
  finish(): HttpCallResult {
    const { method, path, opts, durationMs } = this;
    const route = opts?.name ?? stripQuery(path);
    if (this.error !== undefined) {
      const error = describeNetworkError(this.error);
      this.stats.record(method, route, durationMs, false, this.bytes, error);
      return { status: this.status, ok: false, durationMs, body: '', error };
    }
    const ok = this.okStatuses.has(this.status);
    const text = this.chunks ? Buffer.concat(this.chunks).toString('utf8') : '';
    this.stats.record(method, route, durationMs, ok, this.bytes, ok ? undefined : failureText(this.status, text));
    return { status: this.status, ok, durationMs, body: text };
  }

  onFail(err: Error): void {
    this.error = err;
    this.onEnd();
  }

  // undici
  onConnect(): void {}

  onHeaders(statusCode: number): boolean {
    this.onHead(statusCode);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.onEnd();
  }

  onError(err: Error): void {
    this.onFail(err);
  }
}

function ignore(): void {}

function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** A stable failure message to group by: the status and the server's error code, if any. */
function failureText(status: number, body: string): string {
  const code = /"code"\s*:\s*"([A-Z_]+)"/.exec(body)?.[1];
  return code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
}
