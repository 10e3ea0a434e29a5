/**
 * Keep-alive HTTP/1.1 connections to one `http:` origin: at most `connections` sockets, idle ones
 * reused most-recent first, requests beyond the limit wait in FIFO order. One coarse timer (not
 * one per request) enforces the per-request timeout and closes connections idle for longer than
 * the server's Keep-Alive hint less 2 s (undici's threshold) or, without a hint, `idleTimeoutMs`.
 */
import { Connection, type ConnectionOwner, type Endpoint, type Http1Request } from './connection.js';

export interface Http1PoolOptions {
  /** Most sockets open at once. */
  connections: number;
  /** A request not answered in full this long after it was sent fails with `timed out` (default 60 s). */
  timeoutMs?: number;
  /** Idle sockets are closed after this long when the server gave no Keep-Alive hint (default 30 s). */
  idleTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** undici's keepAliveTimeoutThreshold: stop reusing a socket this long before the server would close it. */
const KEEP_ALIVE_MARGIN_MS = 2_000;

export class Http1Pool implements ConnectionOwner {
  private readonly endpoint: Endpoint;
  private readonly limit: number;
  private readonly timeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly sweepMs: number;
  private readonly all = new Set<Connection>();
  /** Idle connections; the last one is reused first. */
  private readonly idle: Connection[] = [];
  private readonly waiting = new RequestQueue();
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(origin: string, options: Http1PoolOptions) {
    const url = new URL(origin);
    if (url.protocol !== 'http:') throw new Error(`Http1Pool speaks plain http only, not ${url.protocol}`);
    this.endpoint = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 80 };
    this.limit = Math.max(1, options.connections);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.sweepMs = Math.max(5, Math.min(1000, Math.floor(this.timeoutMs / 10)));
  }

  /** Sends the request on an idle connection, a new one, or when one frees up. */
  dispatch(req: Http1Request): void {
    if (this.closed) {
      req.onFail(closedError());
      return;
    }
    const conn = this.reusable();
    if (conn) conn.send(req);
    else if (this.all.size < this.limit) this.open().send(req);
    else this.waiting.push(req);
  }

  /**
   * Opens connections ahead of the load, up to `n` in all (never above the limit), and resolves
   * once each is connected or gone, or after `timeoutMs`: they wait idle for the first requests,
   * so the first requests are not timed with a TCP handshake and a cold accept in them.
   */
  async preconnect(n: number, timeoutMs = 5_000): Promise<void> {
    const opening: Promise<void>[] = [];
    for (let i = this.all.size; i < Math.min(n, this.limit) && !this.closed; i++) {
      const conn = this.open();
      opening.push(conn.ready().then((up) => {
        if (up && conn.isAlive && conn.current === null && !this.idle.includes(conn)) this.release(conn);
      }));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(opening), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Destroys every connection; requests in flight or waiting fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopSweeper();
    for (const conn of [...this.all]) conn.shutdown(closedError());
    for (let req = this.waiting.shift(); req; req = this.waiting.shift()) req.onFail(closedError());
  }

  /** Open sockets (for tests and diagnostics). */
  get size(): number {
    return this.all.size;
  }

  release(conn: Connection): void {
    const next = this.waiting.shift();
    if (next) {
      conn.send(next);
      return;
    }
    conn.idleSince = performance.now();
    this.idle.push(conn);
  }

  gone(conn: Connection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.all.size === 0) this.stopSweeper();
    if (!this.closed && this.all.size < this.limit) {
      const next = this.waiting.shift();
      if (next) this.open().send(next);
    }
  }

  /** The most recently idled connection that the server will not close any moment now. */
  private reusable(): Connection | undefined {
    if (this.idle.length === 0) return undefined;
    const now = performance.now();
    let conn = this.idle.pop();
    while (conn && now - conn.idleSince >= this.idleLimit(conn)) {
      conn.shutdown();
      conn = this.idle.pop();
    }
    return conn;
  }

  private idleLimit(conn: Connection): number {
    return conn.keepAliveHintMs >= 0 ? Math.max(0, conn.keepAliveHintMs - KEEP_ALIVE_MARGIN_MS) : this.idleTimeoutMs;
  }

  private open(): Connection {
    const conn = new Connection(this.endpoint, this);
    this.all.add(conn);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), this.sweepMs);
      this.sweeper.unref();
    }
    return conn;
  }

  private sweep(): void {
    const maxTicks = this.timeoutMs / this.sweepMs;
    const now = performance.now();
    for (const conn of [...this.all]) {
      if (conn.current) {
        if (++conn.ticks > maxTicks) conn.shutdown(timeoutError(this.timeoutMs));
      } else if (now - conn.idleSince >= this.idleLimit(conn)) {
        // alive and without a request in flight = idle
        conn.shutdown();
      }
    }
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

/** FIFO of waiting requests without Array.shift's copying. */
class RequestQueue {
  private items: (Http1Request | undefined)[] = [];
  private head = 0;

  push(req: Http1Request): void {
    this.items.push(req);
  }

  shift(): Http1Request | undefined {
    if (this.head === this.items.length) return undefined;
    const req = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return req;
  }
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no complete response within ${ms} ms`), { code: 'ETIMEDOUT' });
}

function closedError(): Error {
  return new Error('client closed');
}
