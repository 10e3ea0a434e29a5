/**
 * The HTTP client virtual users post with: keep-alive connections per origin, sized to the
 * number of users, timing each request from just before it is sent to the end of the response
 * body. The per-request path stays lean (issue 5 holds the generator's CPU per request to ≤ 1.25×
 * autocannon's): `http:` origins go through the small HTTP/1.1 client of ./http1 (one prebuilt
 * Buffer and one write per request, minimal response parsing); `https:` origins through undici's
 * dispatch with a small handler (TLS), which costs more per request.
 */
import { createRequire } from 'node:module';
import type { Pool } from 'undici';
import type { StatsSink } from '../metrics/stats-sink.js';
import { Exchange } from './exchange.js';
import { Http1Pool } from './http1/pool.js';
import { RequestHead } from './http1/request-head.js';

export { SEED_OK_STATUSES, type HeaderMap, type HttpCallOptions, type HttpCallResult } from './exchange.js';
import type { HeaderMap, HttpCallOptions, HttpCallResult } from './exchange.js';

export interface PoolSetOptions {
  /** A request without a complete response this long after it was sent fails (`timed out`); default 60 s. */
  requestTimeoutMs?: number;
}

/**
 * undici, loaded with the first `https:` pool (synchronously: pools are made on a user's first
 * request). Plain-http runs never load it: ~100 ms of CPU at each process's start-up.
 */
const undici = (): typeof import('undici') => createRequire(import.meta.url)('undici') as typeof import('undici');

/** One origin's connections: our HTTP/1.1 pool for `http:`, undici's for `https:`. */
export type OriginPool = Http1Pool | Pool;

/** Pools keyed by origin, shared by every user of one simulation. */
export class PoolSet {
  private readonly pools = new Map<string, OriginPool>();
  constructor(
    private readonly connections: number,
    private readonly options: PoolSetOptions = {},
  ) {}

  get(origin: string): OriginPool {
    let pool = this.pools.get(origin);
    if (!pool) {
      const timeoutMs = this.options.requestTimeoutMs;
      pool = origin.startsWith('http:')
        ? new Http1Pool(origin, { connections: this.connections, timeoutMs, idleTimeoutMs: 30_000 })
        : new (undici().Pool)(origin, {
            connections: this.connections, pipelining: 1, keepAliveTimeout: 30_000,
            ...(timeoutMs !== undefined ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {}),
          });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Opens up to `n` connections to `origin` before the load starts (plain `http:` origins only). */
  async preconnect(origin: string, n: number): Promise<void> {
    const pool = this.get(new URL(origin).origin);
    if (pool instanceof Http1Pool) await pool.preconnect(n);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => (p instanceof Http1Pool ? p.close() : p.destroy().catch(() => undefined))));
  }
}

/** Most request heads one client keeps (method + path pairs); beyond, heads are built per request. */
const HEAD_CACHE_LIMIT = 256;

/** Records requests of one origin into the stats; base headers are set once per user. */
export class ScenarioHttpClient {
  private readonly pool: Pool | undefined;
  private readonly http1: Http1Pool | undefined;
  /** Path of the base URL (e.g. `/prefix` of `http://host/prefix`), put before every path. */
  private readonly prefix: string;
  private readonly host: string;
  /** Encoded heads by method, then path, for requests without extra headers. */
  private readonly heads = new Map<string, Map<string, RequestHead>>();
  private headCount = 0;
  readonly origin: string;

  constructor(
    pools: PoolSet,
    baseUrl: string,
    private readonly baseHeaders: HeaderMap,
    private readonly stats: StatsSink,
  ) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.host = url.host;
    this.prefix = url.pathname.replace(/\/+$/, '');
    const pool = pools.get(this.origin);
    if (pool instanceof Http1Pool) this.http1 = pool;
    else this.pool = pool;
  }

  /** POST a body (NDJSON by default headers) and record it as `POST <path>`. */
  post(path: string, body: string | Buffer, opts?: HttpCallOptions): Promise<HttpCallResult> {
    return this.send('POST', path, body, opts);
  }

  get(path: string, opts?: HttpCallOptions): Promise<HttpCallResult> {
    return this.send('GET', path, undefined, opts);
  }

  request(method: string, path: string, body: Buffer | undefined, opts?: HttpCallOptions): Promise<HttpCallResult> {
    return this.send(method, path, body, opts);
  }

  private send(method: string, path: string, body: string | Buffer | undefined, opts: HttpCallOptions | undefined): Promise<HttpCallResult> {
    const ex = new Exchange(this.stats, method, path, opts);
    const http1 = this.http1;
    if (http1) {
      try {
        ex.payload = this.headFor(method, path, opts?.headers).encode(body);
      } catch (err) {
        ex.error = err as Error;
        return new Promise((resolve) => resolve(ex.finish()));
      }
      return new Promise<HttpCallResult>((resolve, reject) => {
        ex.resolve = resolve;
        ex.reject = reject;
        ex.t0 = performance.now();
        http1.dispatch(ex);
      });
    }
    const pool = this.pool!;
    const headers = opts?.headers ? { ...this.baseHeaders, ...opts.headers } : this.baseHeaders;
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    return new Promise<HttpCallResult>((resolve, reject) => {
      ex.resolve = resolve;
      ex.reject = reject;
      ex.t0 = performance.now();
      pool.dispatch({ method, path: this.prefix + path, headers, body: bytes }, ex);
    });
  }

  /** The encoded head for method + path: cached unless the call brings its own headers. */
  private headFor(method: string, path: string, extra: HeaderMap | undefined): RequestHead {
    if (extra) return new RequestHead(method, this.prefix + path, this.host, { ...this.baseHeaders, ...extra });
    let byPath = this.heads.get(method);
    let head = byPath?.get(path);
    if (head) return head;
    head = new RequestHead(method, this.prefix + path, this.host, this.baseHeaders);
    if (this.headCount < HEAD_CACHE_LIMIT) {
      if (!byPath) this.heads.set(method, (byPath = new Map()));
      byPath.set(path, head);
      this.headCount++;
    }
    return head;
  }
}
