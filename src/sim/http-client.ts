/**
 * The HTTP client virtual users post with: one keep-alive undici Pool per origin, sized to the
 * number of users, timing each request from just before send to the end of the response body.
 * The per-request path stays lean (issue 5 holds the generator's CPU per request to ≤ 1.25×
 * autocannon's): prebuilt headers, Buffer bodies, and undici's dispatch with a small handler
 * instead of request(), which builds a body stream per response.
 */
import { Pool, type Dispatcher } from 'undici';
import type { StatsSink } from './stats-sink.js';
import { describeNetworkError } from './errors.js';

/** Statuses the seed's locust users count as success (server-protocol.md §5, §6). */
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

/** Pools keyed by origin, shared by every user of one simulation. */
export class PoolSet {
  private readonly pools = new Map<string, Pool>();
  constructor(private readonly connections: number) {}

  get(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.connections, pipelining: 1, keepAliveTimeout: 30_000 });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}

/** Records requests of one origin into the stats; base headers are set once per user. */
export class ScenarioHttpClient {
  private readonly pool: Pool;
  /** Path of the base URL (e.g. `/prefix` of `http://host/prefix`), put before every path. */
  private readonly prefix: string;
  readonly origin: string;

  constructor(
    pools: PoolSet,
    baseUrl: string,
    private readonly baseHeaders: HeaderMap,
    private readonly stats: StatsSink,
  ) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.pool = pools.get(this.origin);
  }

  /** POST a body (NDJSON by default headers) and record it as `POST <path>`. */
  post(path: string, body: string | Buffer, opts?: HttpCallOptions): Promise<HttpCallResult> {
    return this.request('POST', path, typeof body === 'string' ? Buffer.from(body) : body, opts);
  }

  get(path: string, opts?: HttpCallOptions): Promise<HttpCallResult> {
    return this.request('GET', path, undefined, opts);
  }

  async request(method: string, path: string, body: Buffer | undefined, opts?: HttpCallOptions): Promise<HttpCallResult> {
    const headers = opts?.headers ? { ...this.baseHeaders, ...opts.headers } : this.baseHeaders;
    const okStatuses = opts?.okStatuses ?? SEED_OK_STATUSES;
    const route = opts?.name ?? stripQuery(path);
    const t0 = performance.now();
    const ex = await new Promise<Exchange>((resolve) => {
      this.pool.dispatch({ method, path: this.prefix + path, headers, body }, new Exchange(resolve, okStatuses, opts?.readBody === true));
    });
    const durationMs = performance.now() - t0;
    if (ex.error !== undefined) {
      const error = describeNetworkError(ex.error);
      this.stats.record(method, route, durationMs, false, ex.bytes, error);
      return { status: ex.status, ok: false, durationMs, body: '', error };
    }
    const ok = okStatuses.has(ex.status);
    const text = ex.chunks ? Buffer.concat(ex.chunks).toString('utf8') : '';
    this.stats.record(method, route, durationMs, ok, ex.bytes, ok ? undefined : failureText(ex.status, text));
    return { status: ex.status, ok, durationMs, body: text };
  }
}

/**
 * One request/response as an undici dispatch handler: counts the body bytes and keeps them only
 * when they are wanted (failures, readBody), with no stream object per response.
 */
class Exchange implements Dispatcher.DispatchHandler {
  status = 0;
  bytes = 0;
  chunks: Buffer[] | null = null;
  error: Error | undefined;

  constructor(
    private readonly resolve: (ex: Exchange) => void,
    private readonly okStatuses: ReadonlySet<number>,
    private readonly keepBody: boolean,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    this.bytes = 0;
    this.chunks = this.keepBody || !this.okStatuses.has(statusCode) ? [] : null;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.resolve(this);
  }

  onError(err: Error): void {
    this.error = err;
    this.resolve(this);
  }
}

function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** A stable failure message to group by: the status and the server's error code, if any. */
function failureText(status: number, body: string): string {
  const code = /"code"\s*:\s*"([A-Z_]+)"/.exec(body)?.[1];
  return code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
}
