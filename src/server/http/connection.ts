/**
 * A lean HTTP/1.1 server connection on a raw socket: keep-alive, pipelining (requests answered
 * strictly in order), Content-Length and chunked bodies streamed to the route's consumer with
 * backpressure, header limits. Node's `http` module tops out below the 25,000 req/s this server
 * must reach on one core; this driver does the minimum a correct HTTP/1.1 server must do.
 */
import type { Socket } from 'node:net';
import { parseHead, HeadError, type ParsedHead } from './head.js';
import { httpDate, reasonPhrase } from './status-text.js';
import { RESET, type BodyConsumer, type Dispatch, type Reply, type RequestHead } from './types.js';

export interface HttpLimits {
  /** Largest request head (request line + headers) in bytes; beyond it: 431 and close. */
  maxHeadBytes: number;
  maxHeaders: number;
}

export const DEFAULT_LIMITS: HttpLimits = { maxHeadBytes: 64 * 1024, maxHeaders: 100 };

const EMPTY = Buffer.alloc(0);
/** Buffer#latin1Slice skips toString's argument handling; fall back where it is missing. */
const latin1 = (b: Buffer, start: number, end: number): string =>
  (b as Buffer & { latin1Slice?: (s: number, e: number) => string }).latin1Slice?.(start, end) ?? b.toString('latin1', start, end);
const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
/** Unread bytes above which the socket is paused while a handler is waiting. */
const HIGH_WATER = 1024 * 1024;
const MAX_CHUNK_LINE = 4096;

const NEED_DATA = 0;
const CONTINUE_STEP = 1;
type Step = typeof NEED_DATA | typeof CONTINUE_STEP | Promise<void>;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'finish' | 'closed';

export class Http1Connection {
  private buf: Buffer = EMPTY;
  private off = 0;
  private state: State = 'head';
  private remaining = 0;
  private consumer: BodyConsumer | null = null;
  private keepAlive = true;
  private busy = false;
  private paused = false;
  private peerEnded = false;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** Responses produced during one pump, written with one syscall (pipelined requests). */
  private out = '';
  private writeQueued = false;
  private inPump = false;
  private current: RequestHead | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly dispatch: Dispatch,
    private readonly limits: HttpLimits,
    private readonly onInternalError: (err: unknown) => void,
    private readonly onReply: (head: RequestHead, status: number) => void = () => {},
  ) {
    // docs/protocol/sdk.md §15.4: avoid the ~40 ms delayed-ACK stall.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      if (!this.busy) this.closeSocket();
    });
    socket.on('error', () => {
      this.state = 'closed';
    });
    socket.on('close', () => {
      this.state = 'closed';
    });
  }

  private onData(chunk: Buffer): void {
    if (this.busy) {
      // Keep chunks aside while a handler waits; merge once when it is done.
      this.pending.push(chunk);
      this.pendingLen += chunk.length;
      if (!this.paused && this.pendingLen > HIGH_WATER) {
        this.paused = true;
        this.socket.pause();
      }
      return;
    }
    this.append(chunk);
    this.pump();
  }

  private append(chunk: Buffer): void {
    if (this.off >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.off), chunk]);
    }
    this.off = 0;
  }

  private pump(): void {
    this.inPump = true;
    try {
      while (this.state !== 'closed') {
        let step: Step;
        try {
          step = this.step();
        } catch (err) {
          this.onInternalError(err);
          this.sendAndClose(500, '{"error":"Internal Server Error"}');
          return;
        }
        if (step === NEED_DATA) break;
        if (step !== CONTINUE_STEP) {
          this.busy = true;
          step.then(
            () => this.afterWait(),
            (err: unknown) => {
              this.onInternalError(err);
              this.busy = false;
              this.sendAndClose(500, '{"error":"Internal Server Error"}');
            },
          );
          break;
        }
      }
      if (!this.busy && this.peerEnded && this.state !== 'closed') this.closeSocket();
    } finally {
      this.inPump = false;
      this.scheduleWrite();
    }
  }

  /**
   * Answers are written at the end of the event-loop turn, after every readable socket was
   * served: the client is then woken once per turn instead of once per answer, which is most of
   * a loopback write's cost. Order per connection is unchanged.
   */
  private scheduleWrite(): void {
    if (this.out.length === 0 || this.writeQueued) return;
    this.writeQueued = true;
    Http1Connection.pendingWrites.push(this);
    if (!Http1Connection.writeScheduled) {
      Http1Connection.writeScheduled = true;
      setImmediate(Http1Connection.writeAll);
    }
  }

  private static pendingWrites: Http1Connection[] = [];
  private static writeScheduled = false;
  private static writeAll(): void {
    Http1Connection.writeScheduled = false;
    const list = Http1Connection.pendingWrites;
    Http1Connection.pendingWrites = [];
    for (const c of list) c.flushOut();
  }

  private flushOut(): void {
    this.writeQueued = false;
    if (this.out.length > 0) {
      if (!this.socket.destroyed) this.socket.write(this.out);
      this.out = '';
    }
  }

  private afterWait(): void {
    this.busy = false;
    if (this.pending.length > 0) {
      const rest = this.off < this.buf.length ? [this.buf.subarray(this.off), ...this.pending] : this.pending;
      this.buf = rest.length === 1 ? rest[0] : Buffer.concat(rest);
      this.off = 0;
      this.pending = [];
      this.pendingLen = 0;
    }
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.pump();
  }

  private step(): Step {
    switch (this.state) {
      case 'head':
        return this.readHead();
      case 'length':
        return this.readFixed('finish');
      case 'chunk-data':
        return this.readFixed('chunk-crlf');
      case 'chunk-size':
        return this.readChunkSize();
      case 'chunk-crlf':
        return this.readChunkEnd();
      case 'trailers':
        return this.readTrailers();
      case 'finish':
        return this.finish();
      default:
        return NEED_DATA;
    }
  }

  private readHead(): Step {
    const buf = this.buf;
    // Tolerate empty lines before a request line (RFC 9112 §2.2).
    while (this.off + 1 < buf.length && buf[this.off] === 13 && buf[this.off + 1] === 10) this.off += 2;
    const end = buf.indexOf(HEAD_END, this.off);
    if (end < 0) {
      if (buf.length - this.off > this.limits.maxHeadBytes) this.sendAndClose(431, '');
      return NEED_DATA;
    }
    if (end - this.off > this.limits.maxHeadBytes) {
      this.sendAndClose(431, '');
      return NEED_DATA;
    }
    let parsed: ParsedHead;
    try {
      parsed = parseHead(latin1(buf, this.off, end), this.limits.maxHeaders);
    } catch (err) {
      if (err instanceof HeadError) {
        this.sendAndClose(err.status, '');
        return NEED_DATA;
      }
      throw err;
    }
    this.off = end + 4;
    this.keepAlive = parsed.keepAlive;
    this.current = parsed.head;
    const consumer = this.dispatch(parsed.head);
    if (consumer === RESET) {
      this.state = 'closed';
      this.socket.resetAndDestroy();
      return NEED_DATA;
    }
    this.consumer = consumer;
    if (parsed.expectContinue) this.out += CONTINUE;
    if (parsed.chunked) {
      this.state = 'chunk-size';
    } else if (parsed.contentLength > 0) {
      this.remaining = parsed.contentLength;
      this.state = 'length';
    } else {
      this.state = 'finish';
    }
    return CONTINUE_STEP;
  }

  private readFixed(next: State): Step {
    const avail = this.buf.length - this.off;
    if (avail === 0) return NEED_DATA;
    const n = avail < this.remaining ? avail : this.remaining;
    const slice = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    this.remaining -= n;
    if (this.remaining === 0) this.state = next;
    const result = this.consumer!.data(slice);
    return result === undefined ? CONTINUE_STEP : result;
  }

  private readChunkSize(): Step {
    const eol = this.buf.indexOf(CRLF, this.off);
    if (eol < 0) {
      if (this.buf.length - this.off > MAX_CHUNK_LINE) this.sendAndClose(400, '');
      return NEED_DATA;
    }
    const line = this.buf.toString('latin1', this.off, eol);
    const semi = line.indexOf(';');
    const hex = (semi >= 0 ? line.slice(0, semi) : line).trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) {
      this.sendAndClose(400, '');
      return NEED_DATA;
    }
    this.off = eol + 2;
    const size = parseInt(hex, 16);
    if (size === 0) {
      this.state = 'trailers';
    } else {
      this.remaining = size;
      this.state = 'chunk-data';
    }
    return CONTINUE_STEP;
  }

  private readChunkEnd(): Step {
    if (this.buf.length - this.off < 2) return NEED_DATA;
    if (this.buf[this.off] !== 13 || this.buf[this.off + 1] !== 10) {
      this.sendAndClose(400, '');
      return NEED_DATA;
    }
    this.off += 2;
    this.state = 'chunk-size';
    return CONTINUE_STEP;
  }

  private readTrailers(): Step {
    const eol = this.buf.indexOf(CRLF, this.off);
    if (eol < 0) {
      if (this.buf.length - this.off > this.limits.maxHeadBytes) this.sendAndClose(431, '');
      return NEED_DATA;
    }
    if (eol === this.off) this.state = 'finish';
    this.off = eol + 2;
    return CONTINUE_STEP;
  }

  private finish(): Step {
    const consumer = this.consumer!;
    const head = this.current!;
    this.consumer = null;
    this.state = 'head';
    const reply = consumer.end();
    if (reply instanceof Promise) {
      return reply.then((r) => {
        this.onReply(head, r.status);
        this.writeReply(r);
      });
    }
    this.onReply(head, reply.status);
    this.writeReply(reply);
    return CONTINUE_STEP;
  }

  private writeReply(reply: Reply): void {
    if (this.socket.destroyed) {
      this.state = 'closed';
      return;
    }
    const close = reply.close === true || !this.keepAlive;
    const body = reply.body ?? '';
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    let head = `HTTP/1.1 ${reply.status} ${reasonPhrase(reply.status)}\r\n`;
    if (reply.headers) {
      for (const name in reply.headers) head += `${name}: ${reply.headers[name]}\r\n`;
    }
    head += `content-length: ${length}\r\ndate: ${httpDate()}\r\n`;
    if (close) head += 'connection: close\r\n';
    head += '\r\n';
    if (typeof body === 'string') {
      this.out += head + body;
      if (!this.inPump) this.scheduleWrite();
    } else {
      this.flushOut();
      this.socket.write(head);
      if (length > 0) this.socket.write(body);
    }
    if (close) this.closeSocket();
  }

  private sendAndClose(status: number, body: string): void {
    this.writeReply({ status, body, close: true, headers: body ? { 'content-type': 'application/json' } : undefined });
  }

  private closeSocket(): void {
    this.flushOut();
    this.state = 'closed';
    this.buf = EMPTY;
    this.off = 0;
    if (!this.socket.destroyed) this.socket.end();
  }
}
