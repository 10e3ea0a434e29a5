/**
 * One keep-alive HTTP/1.1 connection with at most one request in flight: the request goes out as
 * one prebuilt Buffer in one write (TCP_NODELAY on), the response is parsed as it arrives from a
 * read buffer shared by every connection (no Buffer and no stream event per read). A request in
 * flight when the socket dies fails; it is never retried, so a load test counts it.
 */
import net from 'node:net';
import { MalformedResponseError, ResponseParser, type BodySink } from './response-parser.js';

/** One request as the connection sees it: the bytes to send and where the response goes. */
export interface Http1Request extends BodySink {
  /** Request line, headers and body, ready to write. */
  readonly payload: Buffer;
  /** True for HEAD: the response has no body whatever its headers say. */
  readonly noBody: boolean;
  /**
   * The response ended; status and body were delivered through BodySink. `atMs` is
   * performance.now() taken when the read that completed it began, before any parsing.
   */
  onEnd(atMs: number): void;
  /** No (complete) response: network error, timeout, malformed response or client closed. */
  onFail(err: Error): void;
}

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The request finished and the connection can take the next one. */
  release(conn: Connection): void;
  /** The connection is closed for good (its request, if any, was failed or ended first). */
  gone(conn: Connection): void;
}

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Every read of every connection lands here. Safe to share: each read is parsed synchronously
 * before the next one, and the parser and the requests copy whatever they keep.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

export class Connection {
  /** The request in flight, or null when idle. */
  current: Http1Request | null = null;
  /** Sweeps of the pool's timer seen by the request in flight. */
  ticks = 0;
  /** performance.now() when the connection last became idle. */
  idleSince = 0;
  /** The server's Keep-Alive timeout hint in ms (-1: none given). */
  keepAliveHintMs = -1;
  private alive = true;
  private lastError: Error | undefined;
  private readonly parser = new ResponseParser();
  private readonly socket: net.Socket;

  constructor(
    endpoint: Endpoint,
    private readonly owner: ConnectionOwner,
  ) {
    this.socket = net.connect({
      host: endpoint.host,
      port: endpoint.port,
      noDelay: true,
      onread: { buffer: readBuffer, callback: (n: number) => this.onRead(n) } // true: keep reading,
    });
    this.socket.on('error', (err) => {
      this.lastError = err;
    });
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => {
      if (this.alive) this.shutdown(this.lastError);
    });
  }

  /** Resolves true once the socket is connected, false if it closes first. */
  ready(): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.alive) return resolve(false);
      if (!this.socket.connecting) return resolve(true);
      const onConnect = (): void => {
        this.socket.off('close', onClose);
        resolve(true);
      };
      const onClose = (): void => {
        this.socket.off('connect', onConnect);
        resolve(false);
      };
      this.socket.once('connect', onConnect);
      this.socket.once('close', onClose);
    });
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Sends a request; the connection must be idle and alive (the socket queues it until connected). */
  send(req: Http1Request): void {
    this.current = req;
    this.ticks = 0;
    this.parser.reset(req, req.noBody);
    this.socket.write(req.payload);
  }

  /** Closes the socket; the request in flight fails with `err` (default: connection reset). Idempotent. */
  shutdown(err?: Error): void {
    if (!this.alive) return;
    this.alive = false;
    this.socket.destroy();
    const req = this.current;
    this.current = null;
    if (req) req.onFail(err ?? resetError());
    this.owner.gone(this);
  }

  private onRead(n: number): true {
    // The earliest the client sees the bytes: time them before parsing (one clock read per read).
    const at = performance.now();
    const req = this.current;
    if (!this.alive) return true;
    if (req === null) {
      this.shutdown(new MalformedResponseError('data without a request'));
      return true;
    }
    let left: number;
    try {
      left = this.parser.execute(n === readBuffer.length ? readBuffer : readBuffer.subarray(0, n), 0);
    } catch (err) {
      this.shutdown(err as Error);
      return true;
    }
    if (left > 0) this.shutdown(new MalformedResponseError('data after the response'));
    else if (left === 0) this.finish(req, at);
    return true;
  }

  private finish(req: Http1Request, at: number): void {
    this.current = null;
    if (this.parser.keepAliveHintMs >= 0) this.keepAliveHintMs = this.parser.keepAliveHintMs;
    req.onEnd(at);
    if (this.parser.keepAlive) this.owner.release(this);
    else this.shutdown();
  }

  /** The server ended its side: a body delimited by close is complete, anything else is cut. */
  private onEnd(): void {
    const req = this.current;
    if (req !== null && this.parser.endOfStream()) {
      this.current = null;
      req.onEnd(performance.now());
    }
    this.shutdown();
  }
}

/** The same code undici's "other side closed" maps to: `connection reset` (errors.ts). */
function resetError(): Error {
  return Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' });
}
